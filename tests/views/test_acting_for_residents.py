"""Grid workers and admins act for residents who ask them without a device: they find the resident
by code, book a meal or take an activity place for them saying how they asked, and the resident
and family read who did it and how."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.accounts.models import Role
from portal.activities.models import SignUp
from portal.audit.models import AuditEntry
from portal.canteen.models import Booking
from portal.community.models import Building, Grid, today_in
from portal.config import DEFAULT_TIMEZONE
from portal.extensions import db
from tests.helpers import html, text_of, tomorrow_at


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("linli_lang", "en")


@pytest.fixture
def menu(app, world):
    with app.test_request_context():
        tomorrow = today_in(DEFAULT_TIMEZONE) + timedelta(days=1)
    return world.lunch(
        tomorrow, {"name_zh_hans": "红烧肉", "name_en": "Braised pork", "price_fen": 1500}
    )


def _audited(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_a_worker_finds_a_resident_by_code_and_sees_what_they_can_do(client, people, sign_in):
    sign_in.password(people.worker)
    home = html(client.get("/staff"))
    assert home.select_one("a[href='/admin/residents/act']")
    blank = client.get("/admin/residents/act")
    assert blank.status_code == 200 and not html(blank).select(".tile")
    unknown = client.get("/admin/residents/act?code=999999")
    assert unknown.status_code == 422
    assert "No resident you serve has this code" in html(unknown).select_one("#code-error").text
    empty = client.get("/admin/residents/act?code=")
    assert "Enter the resident code" in html(empty).select_one("#code-error").text
    found = html(client.get(f"/admin/residents/act?code={people.resident.resident_code}"))
    assert found.h2.get_text() == "王桂兰"
    links = {a.get_text(): a["href"] for a in found.select("a.tile")}
    assert links == {
        "Book a meal for them": f"/canteen/residents/{people.resident.id}",
        "Sign them up for an activity": f"/activities/residents/{people.resident.id}",
        "Raise a help request for them": f"/help/for-resident?code={people.resident.resident_code}",
    }


def test_only_staff_who_serve_the_resident_act_for_them(client, world, people, sign_in, menu):
    elsewhere = Grid(name="第二网格", community=world.community)
    db.session.add_all([elsewhere, Building(name="9号楼", grid=elsewhere)])
    db.session.commit()
    stranger = world.person(Role.GRID_WORKER, name="赵敏", grid=elsewhere)
    sign_in.password(stranger)
    code = people.resident.resident_code
    assert client.get(f"/admin/residents/act?code={code}").status_code == 422
    assert client.get(f"/canteen/residents/{people.resident.id}").status_code == 403
    assert client.get(f"/activities/residents/{people.resident.id}").status_code == 403
    sign_in.out()
    sign_in.password(people.volunteer)
    assert client.get("/admin/residents/act").status_code == 403
    assert client.get(f"/canteen/residents/{people.resident.id}").status_code == 403


def test_a_worker_books_a_meal_for_a_resident_who_phoned(client, people, sign_in, menu):
    sign_in.password(people.worker)
    resident = people.resident
    meals = html(client.get(f"/canteen/residents/{resident.id}?day={menu.day.isoformat()}"))
    check_url = meals.select_one("a.dish")["href"]
    check = html(client.get(check_url))
    assert "王桂兰" in check.select_one("dl").get_text()
    assert check.select("input[name=channel]")
    refused = client.post(check_url, data={"mode": "dine_in"})
    assert refused.status_code == 422
    assert "Choose how they asked" in html(refused).select_one("#channel-error").text
    assert db.session.scalar(select(Booking)) is None
    booked = client.post(check_url, data={"mode": "dine_in", "channel": "phone_call"})
    assert booked.status_code == 303
    again = client.post(check_url, data={"mode": "dine_in", "channel": "phone_call"})
    assert again.headers["Location"] == booked.headers["Location"]
    booking = db.session.scalar(select(Booking))
    assert (booking.resident_id, booking.booked_by_id) == (resident.id, people.worker.id)
    assert booking.channel == "phone_call"
    [entry] = _audited("canteen.booked_for")
    assert (entry.actor_id, entry.subject_id) == (people.worker.id, resident.id)
    confirmation = text_of(client.get(booked.headers["Location"]))
    assert "王桂兰's meal is booked" in confirmation
    assert "Booked by 王芳 after your phone call" in confirmation
    sign_in.out()
    sign_in.password(people.family)
    listed = text_of(client.get(f"/canteen/residents/{resident.id}/bookings"))
    assert "Booked by 王芳 after your phone call" in listed


def test_a_worker_cancels_a_meal_for_a_resident_who_phoned_and_it_is_audited(
    client, people, sign_in, menu
):
    sign_in.password(people.worker)
    resident = people.resident
    check_url = html(client.get(f"/canteen/residents/{resident.id}/meals/{menu.id}")).select_one(
        "a.dish"
    )["href"]
    client.post(check_url, data={"mode": "pick_up", "channel": "walk_in"})
    booking = db.session.scalar(select(Booking))
    listed = html(client.get(f"/canteen/residents/{resident.id}/bookings"))
    assert "Booked by 王芳 when you came to the office" in listed.get_text()
    cancel_url = f"/canteen/bookings/{booking.id}/cancel"
    assert listed.select_one(f"a[href='{cancel_url}']")
    assert client.post(cancel_url).status_code == 303
    db.session.refresh(booking)
    assert booking.status == "cancelled"
    [entry] = _audited("canteen.cancelled_for")
    assert (entry.actor_id, entry.subject_id) == (people.worker.id, resident.id)


def test_an_admin_signs_a_resident_up_for_an_activity_after_a_visit(client, world, people, sign_in):
    event = world.event(tomorrow_at(world.community, 9), signup_required=True, capacity=10, going=0)
    sign_in.password(people.admin)
    profile = html(client.get(f"/admin/residents/{people.resident.id}"))
    assert profile.select_one(f"a.tile[href='/activities/residents/{people.resident.id}']")
    url = f"/activities/residents/{people.resident.id}/events/{event.id}"
    page = html(client.get(url))
    assert page.h1.get_text(strip=True) == "Sign 王桂兰 up for 太极拳?"
    refused = client.post(url, data={})
    assert refused.status_code == 422
    assert "Choose how they asked" in html(refused).select_one("#channel-error").text
    joined = client.post(url, data={"channel": "visit"})
    assert joined.status_code == 303
    signup = db.session.scalar(select(SignUp))
    assert (signup.signed_up_by_id, signup.channel) == (people.admin.id, "visit")
    [entry] = _audited("activity.going")
    assert entry.subject_id == people.resident.id
    assert "Signed up by 周海燕 on a visit to your home" in text_of(
        client.get(joined.headers["Location"])
    )
    sign_in.out()
    sign_in.resident(people.resident)
    mine = text_of(client.get(f"/activities/residents/{people.resident.id}/mine"))
    assert "Signed up by 周海燕 on a visit to your home" in mine


def test_staff_cannot_act_for_a_resident_who_has_left(client, people, sign_in, menu):
    people.resident.active = False
    db.session.commit()
    sign_in.password(people.worker)
    assert client.get(f"/canteen/residents/{people.resident.id}").status_code == 403
    code = people.resident.resident_code
    assert client.get(f"/admin/residents/act?code={code}").status_code == 422
