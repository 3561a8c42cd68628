"""A partner's people: an admin gives the property company's repairman an account; a request
handed to the property company tells him what, where and whom to call, and he sees it, and only
what was handed to his partner."""

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from portal.accounts.models import Role
from portal.administration import staff
from portal.audit.models import AuditEntry
from portal.community.models import Community
from portal.extensions import db
from portal.help import services as help
from portal.help.messages import describe
from portal.help.models import Category
from portal.notifications.models import Notification

REPAIRMAN = "13912340001"


def _handed(people, partner, category=Category.REPAIR):
    request, _new = help.raise_request(people.resident, category, people.resident)
    help.take(request, people.worker)
    help.hand_off(request, people.worker, partner, "厨房水管漏水")
    return request


def _told(kind: str = "help.handed_to_partner") -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.kind == kind)))


def test_an_admin_gives_a_partner_s_person_an_account(people, partners):
    property_company, _water = partners
    person, code = staff.add_partner_person(people.admin, property_company, " 张师傅 ", REPAIRMAN)
    assert person.name == "张师傅" and person.has_role(Role.PARTNER) and len(code) >= 8
    assert staff.people_of(property_company) == [person]
    assert person.must_set_password
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "account.created"))
    assert entry.subject_id == person.id and "物业服务中心" in entry.detail["roles"]
    with pytest.raises(staff.PhoneTaken):
        staff.add_partner_person(people.admin, property_company, "李师傅", REPAIRMAN)


def test_an_admin_of_another_community_cannot(world, people, partners):
    other = Community(
        name="别的社区", hotline="0871-2", street_office=world.community.street_office
    )
    db.session.add(other)
    db.session.commit()
    outsider = world.person(Role.ADMIN, name="外人", community=other)
    with pytest.raises(staff.NotAdministered):
        staff.add_partner_person(outsider, partners[0], "张师傅", REPAIRMAN)


def test_a_hand_off_tells_the_partner_s_people_what_where_and_whom_to_call(app, people, partners):
    property_company, water = partners
    repairman, _code = staff.add_partner_person(people.admin, property_company, "张师傅", REPAIRMAN)
    closed, _code = staff.add_partner_person(
        people.admin, property_company, "走了的", "13912340002"
    )
    staff.close(people.admin, closed)
    staff.add_partner_person(people.admin, water, "水务小王", "13912340003")
    people.resident.phone, people.resident.room = "13700001111", "502"
    db.session.commit()
    request = _handed(people, property_company)
    (told,) = _told()
    assert told.recipient_id == repairman.id and not told.urgent
    with app.test_request_context(), force_locale("en"):
        text, link = describe(told.kind, told.params)
    assert link == f"/partner/requests/{request.id}"
    assert text.startswith(f"王芳 hands you {request.reference}: ")
    assert "王桂兰" in text and "502" in text and "13700001111" in text
    assert people.worker.phone in text


def test_an_urgent_request_handed_over_is_urgent_for_the_partner(people, partners):
    property_company, _water = partners
    staff.add_partner_person(people.admin, property_company, "张师傅", REPAIRMAN)
    _handed(people, property_company, Category.UNWELL)
    (told,) = _told()
    assert told.urgent


def test_a_partner_with_nobody_in_linli_tells_nobody(people, partners):
    _handed(people, partners[0])
    assert _told() == []


def test_a_partner_s_person_sees_only_what_was_handed_to_their_partner(people, partners):
    property_company, water = partners
    repairman, _code = staff.add_partner_person(people.admin, property_company, "张师傅", REPAIRMAN)
    plumber, _code = staff.add_partner_person(people.admin, water, "水务小王", "13912340003")
    ours = _handed(people, property_company)
    theirs = _handed(people, water, Category.ERRAND)
    kept, _new = help.raise_request(people.resident, Category.COMPANY, people.resident)
    assert [r.id for r in help.handed_to(repairman)] == [ours.id]
    assert help.handed_request(repairman, ours.id).id == ours.id
    assert help.handed_request(repairman, theirs.id) is None
    assert help.handed_request(repairman, kept.id) is None
    assert [r.id for r in help.handed_to(plumber)] == [theirs.id]
    assert list(help.handed_to(people.worker)) == []
