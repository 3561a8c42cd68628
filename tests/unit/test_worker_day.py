"""The grid worker's day, on a calendar the test sets: what each feature asks of the worker,
merged, urgent first, then red, yellow and green, the longest waiting first; requests held by
someone else and residents not due are left out; the fingerprint changes when anything in it does."""

from datetime import date, datetime, timedelta

import pytest

from portal.accounts import day
from portal.accounts.models import Role
from portal.care import services as care
from portal.extensions import db
from portal.help import services as help
from portal.help.models import Category, Source

# Monday 2 March 2026, ten in the morning in Shanghai (02:00 UTC).
MONDAY = datetime(2026, 3, 2, 2, 0)


def at(hours: float) -> datetime:
    return MONDAY + timedelta(hours=hours)


@pytest.fixture
def worker(world):
    return world.person(Role.GRID_WORKER, name="王芳", grid=world.grid)


def _resident(world, worker, colour, name):
    resident = world.person(Role.RESIDENT, name=name, birth_date=date(1940, 1, 1))
    if colour:
        care.set_colour(worker, resident, colour, "独居", now=MONDAY - timedelta(days=60))
    return resident


def _keys(worker, now) -> list[str]:
    return [item.key for item in day.items(worker, now)]


def test_the_day_merges_features_urgent_first_then_by_colour_and_wait(world, worker):
    red = _resident(world, worker, "red", "陈红")
    yellow = _resident(world, worker, "yellow", "黄秀英")
    green = _resident(world, worker, "green", "林绿")
    plain = _resident(world, worker, None, "赵平")
    care.record_visit(worker, green, "well", now=MONDAY - timedelta(days=3))
    errand, _ = help.raise_request(plain, Category.ERRAND, plain, now=at(-2))
    unwell, _ = help.raise_request(plain, Category.UNWELL, plain, now=at(-1))
    company, _ = help.raise_request(yellow, Category.COMPANY, yellow, now=at(-3))
    check, _ = help.raise_alert(
        green, Category.WELFARE_CHECK, worker, now=at(-0.5), source=Source.CHECK_IN
    )
    # Urgent: the welfare check (green) before the unwell resident with no colour. Then red,
    # then yellow (the visit due since midnight before the request of seven o'clock), then the rest.
    assert _keys(worker, MONDAY) == [
        f"help-{check.id}",
        f"help-{unwell.id}",
        f"visit-{red.id}",
        f"visit-{yellow.id}",
        f"help-{company.id}",
        f"help-{errand.id}",
    ]
    assert unwell.urgent and check.urgent and not errand.urgent


def test_requests_someone_else_holds_leave_the_day_and_the_fingerprint_changes(world, worker):
    other = world.person(Role.GRID_WORKER, name="李强", grid=world.grid)
    resident = _resident(world, worker, None, "赵平")
    mine, _ = help.raise_request(resident, Category.REPAIR, resident, now=at(-2))
    theirs, _ = help.raise_request(resident, Category.ERRAND, resident, now=at(-1))
    before = day.version(worker, MONDAY)
    help.take(mine, worker, now=at(0))
    help.take(theirs, other, now=at(0))
    items = day.items(worker, MONDAY)
    assert [item.key for item in items] == [f"help-{mine.id}"]
    assert day.version(worker, MONDAY) != before
    assert day.version(worker, MONDAY) == day.version(worker, MONDAY)
    help.resolve(mine, worker, "修好了")
    assert _keys(worker, MONDAY) == []


def test_a_visit_leaves_the_day_until_the_resident_is_due_again(world, worker):
    yellow = _resident(world, worker, "yellow", "黄秀英")
    assert _keys(worker, MONDAY) == [f"visit-{yellow.id}"]
    care.record_visit(worker, yellow, "well", now=MONDAY)
    assert _keys(worker, at(24 * 6)) == []
    assert _keys(worker, at(24 * 7)) == [f"visit-{yellow.id}"]


def test_a_worker_of_another_grid_or_none_has_an_empty_day(world, worker):
    _resident(world, worker, "red", "陈红")
    volunteer = world.person(Role.VOLUNTEER, name="志愿者")
    assert day.items(volunteer, MONDAY) == []
    assert day.version(volunteer, MONDAY) == day.version(volunteer, MONDAY)


def test_the_fingerprint_holds_still_until_something_on_the_day_changes(world, worker):
    """A refresh answers "nothing new" from the fingerprint alone, so it must move with each
    thing the items are made of, and with nothing of another grid."""
    from portal.accounts.models import Kiosk
    from portal.accounts.services import start_sign_in
    from portal.community.models import Building, Grid
    from portal.paperwork import services as paperwork

    admin = world.person(Role.ADMIN, name="周海燕")
    red = _resident(world, worker, "red", "陈红")
    green = _resident(world, worker, "green", "林绿")
    elsewhere = Grid(name="第二网格", community=world.community)
    far = Building(name="9号楼", grid=elsewhere)
    db.session.add_all([elsewhere, far])
    db.session.commit()
    stranger = world.person(Role.RESIDENT, name="远方", building=far)
    seen = [day.version(worker, MONDAY)]

    def moved() -> bool:
        now = day.version(worker, MONDAY)
        seen.append(now)
        return seen[-1] != seen[-2]

    assert not moved()
    care.record_visit(worker, red, "well", now=MONDAY)
    assert moved()
    care.record_visit(worker, red, "by_phone", now=at(0.1))  # the same day, again
    assert moved()
    care.set_colour(worker, green, "yellow", "独居", now=MONDAY)
    assert moved()
    care.pause(worker, green, date(2026, 3, 2), date(2026, 3, 9), "住院")
    assert moved()
    care.check_in(red, red, now=MONDAY)
    assert moved()
    kiosk = Kiosk(community_id=world.community.id, location="活动室", token_hash="0" * 64)
    db.session.add(kiosk)
    db.session.commit()
    start_sign_in(red, lasts=timedelta(minutes=5), kiosk=kiosk, now=at(0.5))
    assert moved()
    care.set_cadence(admin, world.community, "yellow", 3)
    assert moved()
    care.set_other_contacts(admin, world.community, False)
    assert moved()
    help.raise_request(red, Category.ERRAND, red, now=at(0.6))
    assert moved()
    paperwork.start_kinds(world.community.id)
    pension = paperwork.kind_by_code(world.community.id, "pension")
    db.session.commit()
    assert moved()  # the community's kinds
    paperwork.set_due(worker, red, pension, date(2026, 3, 5), now=MONDAY)
    assert moved()
    help.raise_request(stranger, Category.ERRAND, stranger, now=at(0.7))
    care.check_in(stranger, stranger, now=MONDAY)
    assert not moved()
    assert day.version(worker, at(24)) != day.version(worker, MONDAY)
