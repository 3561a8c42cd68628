"""The admin's staff pages, and a new account's first sign-in with its one-time code."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.accounts.models import Person, Role
from portal.community.models import Community
from portal.extensions import db
from tests.helpers import html


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("linli_lang", "en")


def _follow(client, response):
    assert response.status_code in (302, 303), response.status_code
    return html(client.get(response.headers["Location"]))


def test_an_admin_adds_a_grid_worker_who_signs_in_with_the_code_and_sets_a_password(
    client, world, sign_in
):
    admin = world.person(Role.ADMIN)
    sign_in.password(admin)
    assert html(client.get("/staff")).select_one("a[href='/admin/staff/']")
    refused = client.post(
        "/admin/staff/new", data={"name": "刘志强", "phone": "123", "roles": ["grid_worker"]}
    )
    assert refused.status_code == 422
    errors = html(refused)
    assert "mobile number" in errors.select_one("#phone-error").text
    assert "grids a grid worker serves" in errors.select_one("#worker_grids-error").text
    shown = client.post(
        "/admin/staff/new",
        data={
            "name": "刘志强",
            "phone": "136 0000 0001",
            "roles": ["grid_worker"],
            "worker_grids": [str(world.grid.id)],
        },
    )
    assert shown.status_code == 200 and shown.headers["Cache-Control"] == "no-store"
    code = html(shown).select(".pin-slip dd")[1].text
    taken = client.post(
        "/admin/staff/new",
        data={"name": "又一个", "phone": "13600000001", "roles": ["organiser"]},
    )
    assert "has an account already" in html(taken).select_one("#phone-error").text
    listed = html(client.get("/admin/staff/"))
    assert "Not signed in yet" in listed.get_text()

    client.post("/sign-out")
    client.post("/sign-in", data={"phone": "13600000001", "password": code})
    # Every page leads to choosing a password first.
    page = client.get("/help/queue")
    assert page.headers["Location"].endswith("/account/new-password")
    short = client.post("/account/new-password", data={"password": "short", "confirm": "short"})
    assert short.status_code == 422
    done = client.post(
        "/account/new-password",
        data={"password": "my own password", "confirm": "my own password"},
    )
    assert done.status_code in (302, 303)
    assert client.get("/help/queue").status_code == 200
    person = db.session.scalar(select(Person).where(Person.phone == "13600000001"))
    db.session.refresh(person)
    assert not person.must_set_password


def test_roles_backups_codes_and_closing_from_a_persons_page(client, world, sign_in, clock):
    admin = world.person(Role.ADMIN)
    worker = world.person(Role.GRID_WORKER, name="王芳")
    sign_in.password(admin)
    page = html(client.get(f"/admin/staff/{worker.id}"))
    assert page.select_one("input[name=roles][value=grid_worker]").has_attr("checked")
    changed = client.post(
        f"/admin/staff/{worker.id}/roles",
        data={"roles": ["grid_worker", "volunteer"], "worker_grids": [str(world.grid.id)]},
    )
    assert changed.status_code == 422
    today = worker.today()
    past = client.post(
        f"/admin/staff/{worker.id}/backups",
        data={"grid": world.grid.id, "starts_on": str(today), "ends_on": str(today)},
    )
    assert (
        "have not passed, in a grid they do not serve"
        in html(past).select_one("#ends_on-error").text
    )
    stand_in = world.person(Role.VOLUNTEER, name="替班")
    added = client.post(
        f"/admin/staff/{stand_in.id}/backups",
        data={
            "grid": world.grid.id,
            "starts_on": str(today),
            "ends_on": str(today + timedelta(days=6)),
        },
    )
    assert "stands in for 第一网格" in _follow(client, added).get_text()
    coded = client.post(f"/admin/staff/{worker.id}/code")
    assert coded.headers["Cache-Control"] == "no-store"
    assert "One-time code for 王芳" in html(coded).h1.text
    asked = html(client.get(f"/admin/staff/{worker.id}/close"))
    assert "Close 王芳's account?" in asked.h1.text
    closed = _follow(client, client.post(f"/admin/staff/{worker.id}/close"))
    assert "王芳's account is closed." in closed.get_text()
    assert "王芳" in html(client.get("/admin/staff/?closed=1")).select_one("tbody").text
    # An admin does not close themselves.
    own = _follow(client, client.post(f"/admin/staff/{admin.id}/close"))
    assert "cannot close your own account" in own.get_text()


def test_a_family_members_code_needs_their_identity_checked(client, world, sign_in, people):
    sign_in.password(people.admin)
    profile = html(client.get(f"/admin/residents/{people.resident.id}"))
    assert profile.select_one(f"a[href='/admin/family/{people.family.id}/code']")
    refused = client.post(f"/admin/family/{people.family.id}/code", data={})
    assert refused.status_code == 422
    assert "Check who they are first" in html(refused).select_one("#checked-error").text
    shown = client.post(f"/admin/family/{people.family.id}/code", data={"checked": "y"})
    assert shown.status_code == 200 and html(shown).select(".pin-slip dd")[1].text
    stranger = world.person(Role.FAMILY, community=None)
    assert client.get(f"/admin/family/{stranger.id}/code").status_code == 404


def test_staff_of_another_community_are_not_found(client, world, sign_in):
    elsewhere = Community(name="锦绣园社区", hotline="1", street_office=world.street)
    db.session.add(elsewhere)
    db.session.commit()
    other = world.person(Role.ORGANISER, community=elsewhere)
    sign_in.password(world.person(Role.ADMIN))
    assert client.get(f"/admin/staff/{other.id}").status_code == 404
    assert client.post(f"/admin/staff/{other.id}/close").status_code == 404
