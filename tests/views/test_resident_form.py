"""Enrolling a resident and changing their details through the admin's form."""

from datetime import date

import pytest
from sqlalchemy import select

from portal.accounts.models import Person, Role
from portal.accounts.services import decide_link, request_link
from portal.audit.models import AuditEntry
from portal.community.models import Community
from portal.extensions import db
from tests.helpers import html


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("linli_lang", "en")


def _form(world, **fields) -> dict:
    return {
        "name": "赵淑芬",
        "birth_date": "1941-03-05",
        "sex": "female",
        "building": str(world.building.id),
        "unit": "2",
        "room": "502",
        "floor": "",
        "phone": "",
        "landline": "010-8555 1234",
        "care_colour": "red",
        "care_colour_reason": "Lives alone since March",
        "diet_notes": "Soft food",
        "language": "zh_Hant",
        "contacts-0-contact_name": "张阿姨",
        "contacts-0-relation": "Neighbour",
        "contacts-0-phone": "138 0013 8000",
        "contacts-1-contact_name": "赵明",
        "contacts-1-relation": "Son in Hong Kong",
        "contacts-1-phone": "+852 9123 4567",
        **fields,
    }


def _text(page) -> str:
    return " ".join(page.get_text(" ").split())


def test_an_admin_enrols_a_resident_and_reads_them_back_on_the_profile(client, world, sign_in):
    sign_in.password(world.person(Role.ADMIN))
    listed = html(client.get("/admin/residents/"))
    assert listed.select_one("a[href='/admin/residents/new']").get_text() == "Enrol a resident"
    response = client.post("/admin/residents/new", data=_form(world))
    assert response.status_code in (302, 303)
    enrolled = db.session.scalar(select(Person).where(Person.name == "赵淑芬"))
    assert enrolled.floor == 5  # from the room, as none was given
    assert enrolled.landline == "+861085551234"
    page = html(client.get(response.headers["Location"]))
    text = _text(page)
    assert f"resident code {enrolled.resident_code}" in text
    for fact in (
        "Red: visit daily Why this care colour Lives alone since March",
        "010 8555 1234",
        "Female",
        "繁體中文",
        "张阿姨 (Neighbour)",
        "+852 9123 4567",
        "5 · no lift",
    ):
        assert fact in text, fact
    assert page.select_one("a[href='tel:+85291234567']")


@pytest.mark.parametrize(
    ("fields", "field_id", "message"),
    [
        ({"name": " "}, "name", "Enter the resident's name."),
        ({"building": ""}, "building", "Choose the building the resident lives in."),
        ({"building": "9999"}, "building", "Not a valid choice."),
        ({"birth_date": "1941/3/5"}, "birth_date", "Enter a date like 2026-03-01."),
        ({"birth_date": "2099-01-01"}, "birth_date", "A date of birth cannot be in the future."),
        ({"landline": "8555 1234"}, "landline", "Enter a phone number with its area code"),
        ({"phone": "010 8555 1234"}, "phone", "Enter a mobile number of 11 digits"),
        ({"floor": "120"}, "floor", "Enter a floor from 1 to 99."),
        ({"floor": "three"}, "floor", "Enter the floor as a number, like 3."),
        ({"care_colour_reason": ""}, "care_colour_reason", "Say why the care colour is Red"),
        ({"contacts-0-phone": ""}, "contacts-0-phone", "Enter the contact's phone number."),
        ({"contacts-1-contact_name": ""}, "contacts-1-contact_name", "Enter whom this number"),
        ({"contacts-1-phone": "+852 1"}, "contacts-1-phone", "Enter a phone number"),
    ],
)
def test_bad_details_are_named_at_their_field_and_nothing_is_saved(
    client, world, sign_in, fields, field_id, message
):
    sign_in.password(world.person(Role.ADMIN))
    response = client.post("/admin/residents/new", data=_form(world, **fields))
    assert response.status_code == 422
    page = html(response)
    assert message in page.select_one(f"#{field_id}-error").get_text()
    assert page.select_one(f".error-summary a[href='#{field_id}']")
    assert db.session.scalar(select(Person).where(Person.name == "赵淑芬")) is None


def test_an_already_enrolled_resident_or_a_taken_mobile_is_refused_in_words(client, world, sign_in):
    there = world.person(Role.RESIDENT, name="赵淑芬", birth_date=date(1941, 3, 5))
    world.person(Role.FAMILY, phone="13912345678")
    sign_in.password(world.person(Role.ADMIN))
    page = html(client.post("/admin/residents/new", data=_form(world)))
    assert f"resident code {there.resident_code}" in page.select_one("#name-error").get_text()
    taken = client.post(
        "/admin/residents/new", data=_form(world, birth_date="1950-01-01", phone="139 1234 5678")
    )
    assert taken.status_code == 422
    assert "belongs to another account" in html(taken).select_one("#phone-error").get_text()


def test_changing_details_starts_from_what_is_recorded_and_is_audited(client, world, sign_in):
    resident = world.person(
        Role.RESIDENT,
        name="钱大爷",
        room="302",
        care_colour="yellow",
        care_colour_reason="腿脚不便",
    )
    admin = world.person(Role.ADMIN)
    sign_in.password(admin)
    form = html(client.get(f"/admin/residents/{resident.id}/edit"))
    assert form.h1.get_text() == "Change 钱大爷's details"
    assert form.select_one("#room")["value"] == "302"
    assert form.select_one("#care_colour option[selected]")["value"] == "yellow"
    assert form.select_one("#care_colour_reason")["value"] == "腿脚不便"
    sent = {
        "name": "钱大爷",
        "building": str(world.building.id),
        "room": "1502",
        "care_colour": "yellow",
        "care_colour_reason": "腿脚不便",
    }
    response = client.post(f"/admin/residents/{resident.id}/edit", data=sent)
    assert response.status_code in (302, 303)
    db.session.expire_all()
    assert (resident.room, resident.floor) == ("1502", 15)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "resident.changed"))
    assert entry.actor_id == admin.id and entry.detail["room"] == "302 → 1502"
    assert "details are saved" in _text(html(client.get(response.headers["Location"])))
    client.post(f"/admin/residents/{resident.id}/edit", data=sent)
    assert "Nothing was changed." in _text(html(client.get(f"/admin/residents/{resident.id}")))


def test_only_admins_of_the_resident_s_community_enrol_or_change_them(client, world, sign_in):
    other = Community(street_office=world.street, name="春城社区", hotline="1")
    db.session.add(other)
    db.session.commit()
    theirs = world.person(Role.RESIDENT, community=other)
    sign_in.password(world.person(Role.ADMIN))
    assert client.get(f"/admin/residents/{theirs.id}/edit").status_code == 404
    sign_in.out()
    sign_in.password(world.person(Role.GRID_WORKER))
    assert client.get("/admin/residents/new").status_code == 403
    assert client.post("/admin/residents/new", data=_form(world)).status_code == 403


def test_the_kiosk_speaks_the_resident_s_own_language_until_they_sign_out(client, world, sign_in):
    resident = world.person(Role.RESIDENT, language="zh_Hant")
    client.set_cookie("linli_lang", "zh_Hans")
    sign_in.resident(resident)
    assert html(client.get("/home")).html["lang"] == "zh-Hant"
    sign_in.out()
    assert html(client.get("/kiosk")).html["lang"] == "zh-Hans"


def test_an_admin_records_a_hospital_stay_and_the_return_home(client, world, sign_in):
    resident = world.person(Role.RESIDENT, name="孙桂芝")
    sign_in.password(world.person(Role.ADMIN))
    profile = html(client.get(f"/admin/residents/{resident.id}"))
    form_link = profile.select_one(f"a[href='/admin/residents/{resident.id}/leaving']")
    assert form_link.get_text() == "Record that they left home"
    form = html(client.get(form_link["href"]))
    assert form.h1.get_text() == "孙桂芝 left home"
    today = form.select_one("#day")["value"]
    refused = client.post(form_link["href"], data={"day": today})
    assert refused.status_code == 422
    assert "Choose why the resident left." in html(refused).select_one("#reason-error").get_text()
    future = client.post(form_link["href"], data={"reason": "hospital", "day": "2099-01-01"})
    assert "from the past year" in html(future).select_one("#day-error").get_text()
    done = client.post(form_link["href"], data={"reason": "hospital", "day": today})
    page = html(client.get(done.headers["Location"]))
    text = " ".join(page.get_text(" ").split())
    assert "Recorded: 孙桂芝 · In hospital" in text and "Nothing was booked for them." in text
    assert page.h1.get_text() == "孙桂芝"
    assert page.select_one("main p .tag").get_text().startswith("In hospital ·")
    listed = html(client.get("/admin/residents/", query_string={"q": "孙桂芝"}))
    assert listed.select_one("tbody th .tag").get_text() == "In hospital"
    home = page.select_one(f"form[action='/admin/residents/{resident.id}/home'] button")
    assert home.get_text() == "Home from hospital"
    back = html(client.post(f"/admin/residents/{resident.id}/home", follow_redirects=True))
    assert "Recorded: 孙桂芝 is home again." in back.get_text()
    assert back.select_one(f"a[href='/admin/residents/{resident.id}/pin']")
    assert not back.select(f"form[action='/admin/residents/{resident.id}/home']")
    again = html(client.post(f"/admin/residents/{resident.id}/home", follow_redirects=True))
    assert "is not recorded as in hospital" in again.get_text()


@pytest.mark.parametrize(
    ("reason", "words"),
    [
        ("moved_out", "has recorded that 周大爷 moved out on"),
        ("hospital", "周大爷 is in hospital since"),
        ("deceased", "With our deepest sympathy."),
    ],
)
def test_family_read_of_the_leaving_in_words_fit_for_its_reason(
    client, world, sign_in, reason, words
):
    resident = world.person(Role.RESIDENT, name="周大爷")
    son = world.person(Role.FAMILY, name="周强")
    decide_link(request_link(son, resident.resident_code, "son"), resident, approve=True)
    sign_in.password(world.person(Role.ADMIN))
    day = html(client.get(f"/admin/residents/{resident.id}/leaving")).select_one("#day")["value"]
    client.post(f"/admin/residents/{resident.id}/leaving", data={"reason": reason, "day": day})
    sign_in.out()
    sign_in.password(son)
    assert words in " ".join(html(client.get("/inbox")).get_text(" ").split())


def test_no_pin_is_issued_to_a_resident_who_moved_out(client, world, sign_in):
    resident = world.person(Role.RESIDENT, name="吴大妈")
    sign_in.password(world.person(Role.ADMIN))
    day = html(client.get(f"/admin/residents/{resident.id}/leaving")).select_one("#day")["value"]
    client.post(f"/admin/residents/{resident.id}/leaving", data={"reason": "moved_out", "day": day})
    page = html(client.get(f"/admin/residents/{resident.id}"))
    assert not page.select_one(f"a[href='/admin/residents/{resident.id}/pin']")
    assert not page.select_one(f"a[href='/admin/residents/{resident.id}/leaving']")
    assert client.get(f"/admin/residents/{resident.id}/pin").status_code == 404
    assert client.post(f"/admin/residents/{resident.id}/pin").status_code == 404
