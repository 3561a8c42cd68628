"""One resident as an admin sees them: the profile, whose reading is audited, and a new PIN shown
once on a slip."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.accounts import services as accounts
from portal.accounts.models import Role, SignIn
from portal.accounts.services import Device, request_link
from portal.administration import residents
from portal.audit.models import AuditEntry
from portal.community.models import Community
from portal.extensions import db
from portal.help import services as help_services
from tests.helpers import PIN, html


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("linli_lang", "en")


def _actions(subject) -> list[str]:
    query = select(AuditEntry.action).where(AuditEntry.subject_id == subject.id)
    return list(db.session.scalars(query.order_by(AuditEntry.id)))


def test_the_profile_holds_the_resident_in_one_place_and_its_reading_is_audited(
    client, world, sign_in
):
    resident = world.person(Role.RESIDENT, name="李秀英", care_colour="red", diet_notes="不吃辣")
    family = world.person(Role.FAMILY, name="李娜")
    request_link(family, resident.resident_code, "daughter")
    asked, _created = help_services.raise_request(resident, "repair", resident)
    admin = world.person(Role.ADMIN)
    sign_in.password(admin)
    page = html(client.get(f"/admin/residents/{resident.id}"))
    assert page.h1.get_text() == "李秀英"
    text = " ".join(page.get_text(" ").split())
    for fact in ("Red: visit daily", "不吃辣", "李娜 (Daughter)", "waiting for approval"):
        assert fact in text, fact
    assert page.select_one(f"a[href='/help/requests/{asked.id}']")
    assert "resident.profile_read" in _actions(resident)


def test_only_the_admins_of_the_resident_s_community_open_the_profile(client, world, sign_in):
    other = Community(street_office=world.community.street_office, name="春城社区", hotline="1")
    db.session.add(other)
    db.session.commit()
    theirs = world.person(Role.RESIDENT, community=other)
    family = world.person(Role.FAMILY)
    sign_in.password(world.person(Role.ADMIN))
    for url in (
        f"/admin/residents/{theirs.id}",
        f"/admin/residents/{family.id}",
        "/admin/residents/9999",
    ):
        assert client.get(url).status_code == 404
        assert client.post(f"{url}/pin").status_code == 404
    sign_in.out()
    sign_in.password(world.person(Role.GRID_WORKER))
    assert client.get(f"/admin/residents/{theirs.id}").status_code == 403
    assert _actions(theirs) == []


def test_a_new_pin_is_asked_for_shown_once_and_ends_every_sign_in(client, world, sign_in):
    resident = world.person(Role.RESIDENT, name="王桂兰")
    accounts.start_sign_in(resident, lasts=timedelta(days=30), remembered=True)
    sign_in.password(world.person(Role.ADMIN))
    url = f"/admin/residents/{resident.id}/pin"
    ask = html(client.get(url))
    assert ask.h1.get_text() == "Issue a new PIN for 王桂兰?"
    assert "resident.pin_issued" not in _actions(resident)
    response = client.post(url)
    assert response.headers["Cache-Control"] == "no-store"
    slip = html(response).select_one(".pin-slip")
    codes = [dd.get_text() for dd in slip.select("dd")]
    assert codes[0] == resident.resident_code and re.fullmatch(r"\d{6}", codes[1])
    assert "Call the community on" in slip.get_text()
    pin = codes[1]
    db.session.expire_all()
    assert accounts.authenticate_resident(resident.resident_code, pin, Device.at_address("y"))
    with pytest.raises(accounts.InvalidCredentials):
        accounts.authenticate_resident(resident.resident_code, PIN, Device.at_address("z"))
    open_ones = select(SignIn).where(SignIn.person_id == resident.id, SignIn.ended_at.is_(None))
    assert db.session.scalars(open_ones).all() == []
    assert "resident.pin_issued" in _actions(resident)


@pytest.mark.parametrize(
    ("pin", "easy"),
    [("111111", True), ("123456", True), ("654321", True), ("482916", False), ("112233", False)],
)
def test_a_new_pin_is_never_one_anyone_would_guess(pin, easy):
    assert residents._easy(pin) is easy
