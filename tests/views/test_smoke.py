from portal.accounts.models import Role
from tests.helpers import html


def test_front_door_offers_both_ways_to_sign_in(client):
    page = html(client.get("/"))
    links = {a["href"] for a in page.select("main a")}
    assert {"/kiosk", "/sign-in", "/register"} <= links


def test_staff_sign_in_reaches_staff_home(client, world, sign_in):
    admin = world.person(Role.ADMIN, name="管理员")
    response = sign_in.password(admin)
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff"
    assert "管理员" in client.get("/staff").get_data(as_text=True)
