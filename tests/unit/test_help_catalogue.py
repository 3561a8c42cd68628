"""A community's catalogue of services: the six categories until its admins change it, services
with questions asked one per page, and a service a partner does going straight to it."""

from datetime import datetime, time

import pytest

from portal.administration import staff
from portal.extensions import db
from portal.help import catalogue
from portal.help import services as help
from portal.help.models import Handler, Status
from tests.helpers import ask_where, catalogue_service


def test_the_six_categories_are_the_catalogue_until_admins_change_it(people, world):
    services = catalogue.services_of(world.community.id)
    assert [s.code for s in services] == [
        "repair",
        "errand",
        "paperwork",
        "unwell",
        "company",
        "other",
    ]
    assert all(s.id is None for s in services)
    assert catalogue.kiosk_buttons(world.community.id).more is False
    started = catalogue.start(people.admin, world.community.id)
    assert [s.code for s in started] == [s.code for s in services] and all(s.id for s in started)
    assert catalogue.start(people.admin, world.community.id) == started  # once
    # A request made through a default service is as before: its category, no service.
    request, _new = help.raise_request(
        people.resident, "", people.resident, service=catalogue.defaults(world.community.id)[0]
    )
    assert request.category == "repair" and request.service_id is None


def test_a_service_keeps_the_answers_to_its_questions(people, world):
    service = catalogue_service(world, people.admin)
    ask_where(people.admin, service)
    catalogue.add_question(
        people.admin,
        service,
        {"zh_Hans": "邻居也没水吗？", "en": "Neighbours too?"},
        "yes_no",
        [],
        False,
    )
    catalogue.add_question(people.admin, service, {"en": "Anything else?"}, "text", [], False)
    with pytest.raises(catalogue.BadAnswer) as missing:
        catalogue.answers_of(service, ["", "yes"])
    assert missing.value.index == 0 and missing.value.missing
    for bad in (["2"], ["-1"], ["１"], ["0", "maybe"], ["0", "", "x" * 501]):
        with pytest.raises(catalogue.BadAnswer):
            catalogue.answers_of(service, bad)
    kept = catalogue.answers_of(service, ["1", "", " 水压很低 "])
    assert kept == [
        {
            "question": {"zh_Hans": "哪里没水？", "en": "Where is there no water?"},
            "answer": {"zh_Hans": "卫生间", "en": "Bathroom"},
        },
        {"question": {"en": "Anything else?"}, "answer": {"text": "水压很低"}},
    ]
    request, created = help.raise_request(
        people.resident, "", people.resident, service=service, answers=kept
    )
    assert created and request.service_id == service.id and request.answers == kept
    # A second tap finds the same request; another service of the same category is another.
    again, created = help.raise_request(people.resident, "", people.resident, service=service)
    assert again.id == request.id and not created
    other = catalogue_service(world, people.admin, code="power")
    assert help.raise_request(people.resident, "", people.resident, service=other)[1]


def test_a_service_a_partner_does_goes_straight_to_it(people, world, partners):
    _property, water = partners
    plumber, _code = staff.add_partner_person(people.admin, water, "刘师傅", "13912340002")
    service = catalogue_service(world, people.admin, handler=Handler.PARTNER, partner_id=water.id)
    request, _new = help.raise_request(people.resident, "", people.resident, service=service)
    assert request.partner_id == water.id and request.awaiting_partner
    assert request.holder_id == people.worker.id and request.status == Status.IN_PROGRESS
    assert [e.kind for e in request.events] == ["created", "routed"]
    assert help.handed_request(plumber, request.id).id == request.id
    help.accept(request, plumber)
    assert request.accepted_at is not None


def test_a_service_is_open_at_its_hours(people, world):
    service = catalogue_service(
        world, people.admin, open_days="12345", opens=time(8, 30), closes=time(17, 30)
    )
    # Shanghai is 8 hours ahead of UTC: Friday 4 December 2026 at 09:00 there is 01:00 UTC.
    assert catalogue.is_open(service, world.community, datetime(2026, 12, 4, 1, 0))
    assert not catalogue.is_open(service, world.community, datetime(2026, 12, 4, 9, 30))
    assert not catalogue.is_open(service, world.community, datetime(2026, 12, 5, 2, 0))  # Saturday


def test_codes_are_unique_in_a_community_and_withdrawn_services_are_not_offered(people, world):
    catalogue_service(world, people.admin)
    with pytest.raises(catalogue.CodeTaken):
        catalogue_service(world, people.admin)
    service = catalogue.service_by_code(world.community.id, "water")
    catalogue.withdraw(people.admin, service)
    assert catalogue.service_by_code(world.community.id, "water") is None
    codes = [s.code for s in catalogue.services_of(world.community.id)]
    assert codes == ["water", "repair", "errand", "paperwork", "unwell", "company", "other"][1:]
    assert service in catalogue.services_of(world.community.id, withdrawn=True)
    db.session.expire_all()
