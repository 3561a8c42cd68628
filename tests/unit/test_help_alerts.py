"""Who is told of a request for help: the grid's people on duty when it is made, the admins of
each level it is passed up to, and everyone told once somebody has taken it."""

from datetime import date, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from portal.accounts.models import Person, Role, RoleGrant
from portal.community.models import Building, Grid
from portal.extensions import db
from portal.help import services as help
from portal.help.models import Category, Level
from portal.model_base import utcnow
from portal.notifications import messages
from portal.notifications.models import Notification


def _told(kind: str) -> dict[int, Notification]:
    query = select(Notification).where(Notification.kind == kind).order_by(Notification.id)
    return {n.recipient_id: n for n in db.session.scalars(query)}


@pytest.fixture
def street_admin(world):
    admin = world.person(Role.ADMIN, name="街道值班员")
    admin.community_id = None
    db.session.commit()
    return admin


def test_an_urgent_tap_tells_every_worker_of_the_grid_on_duty_and_no_one_else(people, world):
    elsewhere = Grid(name="第二网格", community=world.community)
    db.session.add_all([elsewhere, Building(name="9号楼", grid=elsewhere)])
    db.session.commit()
    other_grid = world.person(Role.GRID_WORKER, name="赵敏", grid=elsewhere)
    backup_yesterday = world.person(Role.GRID_WORKER, name="钱伟", grid=elsewhere)
    backup_yesterday.grants.append(
        RoleGrant(role=Role.GRID_WORKER, grid=world.grid, ends_on=date(2000, 1, 1))
    )
    db.session.commit()
    request, _new = help.raise_request(people.resident, Category.UNWELL, people.resident)
    told = _told("help.urgent")
    assert set(told) == {people.worker.id, people.other_worker.id}
    assert other_grid.id not in told and backup_yesterday.id not in told
    assert all(n.urgent for n in told.values())
    assert told[people.worker.id].params["reference"] == request.reference


def test_errands_tell_the_grids_volunteers_too_but_repairs_do_not(people):
    help.raise_request(people.resident, Category.REPAIR, people.resident)
    assert set(_told("help.new")) == {people.worker.id, people.other_worker.id}
    help.raise_request(people.resident, Category.ERRAND, people.resident)
    assert people.volunteer.id in _told("help.new")
    assert not any(n.urgent for n in _told("help.new").values())


def test_a_request_a_worker_raises_for_a_resident_does_not_tell_that_worker(people):
    help.raise_for(people.resident, Category.REPAIR, people.worker, help.Source.PHONE_CALL)
    assert set(_told("help.new")) == {people.other_worker.id}


def test_a_double_tap_tells_nobody_twice(people):
    help.raise_request(people.resident, Category.UNWELL, people.resident)
    help.raise_request(people.resident, Category.UNWELL, people.resident)
    query = select(Notification).where(Notification.kind == "help.urgent")
    assert len(db.session.scalars(query).all()) == 2  # one for each of the grid's two workers


def test_taking_an_urgent_request_tells_the_others_it_is_handled(people):
    request, _new = help.raise_request(people.resident, Category.UNWELL, people.resident)
    help.take(request, people.worker)
    told = _told("help.taken")
    assert set(told) == {people.other_worker.id}
    assert told[people.other_worker.id].params["holder"] == "王芳"


def test_an_untaken_request_is_passed_to_the_community_then_the_street_and_each_is_told(
    people, street_admin
):
    now = utcnow()
    request, _new = help.raise_request(people.resident, Category.UNWELL, people.resident, now=now)
    help.escalate_overdue(now + timedelta(minutes=5, seconds=1))
    assert set(_told("help.escalated")) == {people.admin.id}
    reached = _told("help.escalated")[people.admin.id]
    assert reached.urgent and reached.params["level"] == Level.COMMUNITY
    help.escalate_overdue(now + timedelta(minutes=5, seconds=2))
    assert len(_told("help.escalated")) == 1  # the timer running again tells nobody again
    help.escalate_overdue(now + timedelta(hours=2, seconds=1))
    assert set(_told("help.escalated")) == {people.admin.id, street_admin.id}
    help.take(request, people.worker)
    assert set(_told("help.taken")) == {people.other_worker.id, people.admin.id, street_admin.id}


def test_passing_a_request_up_by_hand_tells_the_community(people):
    request, _new = help.raise_request(people.resident, Category.REPAIR, people.resident)
    help.take(request, people.worker)
    assert not _told("help.taken")  # a repair taken in the grid concerns nobody else
    help.escalate(request, people.worker, "需要物业配合")
    assert set(_told("help.escalated")) == {people.admin.id}


def test_staff_read_what_where_and_whose_and_the_message_opens_the_request(app, people):
    people.resident.room = "301"
    db.session.commit()
    request, _new = help.raise_request(people.resident, Category.UNWELL, people.resident)
    notification = _told("help.urgent")[people.worker.id]
    with app.test_request_context(), force_locale("en"):
        text, link = messages.describe(notification)
    assert (
        text
        == f"Urgent: Feeling unwell for 王桂兰, 1号楼 301. Take it if you can go ({request.reference})."
    )
    assert link == f"/help/requests/{request.id}"


def test_a_worker_who_left_is_not_told(people):
    people.other_worker.active = False
    db.session.commit()
    help.raise_request(people.resident, Category.REPAIR, people.resident)
    assert set(_told("help.new")) == {people.worker.id}
    assert db.session.get(Person, people.other_worker.id) is not None


def test_a_worker_away_is_not_told_and_when_everyone_is_the_community_is(people):
    today = people.resident.today()
    people.worker.away_until = today
    db.session.commit()
    help.raise_request(people.resident, Category.REPAIR, people.resident)
    assert set(_told("help.new")) == {people.other_worker.id}
    people.other_worker.away_until = today + timedelta(days=3)
    db.session.commit()
    help.raise_request(people.resident, Category.UNWELL, people.resident)
    assert set(_told("help.urgent")) == {people.admin.id}


def test_a_worker_back_from_leave_is_told_again(people):
    people.worker.away_until = people.worker.today() - timedelta(days=1)
    db.session.commit()
    help.raise_request(people.resident, Category.REPAIR, people.resident)
    assert people.worker.id in _told("help.new")
