"""Taking part in activities: places, the waitlist and its order, leaving, check-in, reminders."""

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from portal.accounts.models import Role
from portal.accounts.seams import latest_contacts
from portal.accounts.services import decide_link, request_link
from portal.activities import services as activities
from portal.activities.models import SignUpStatus
from portal.extensions import db
from portal.notifications.models import Notification

# 14:00–16:00 on Tuesday 3 March 2026 in Shanghai is 06:00–08:00 UTC.
STARTS = datetime(2026, 3, 3, 6)
BEFORE = datetime(2026, 3, 1, 2)


@pytest.fixture
def organiser(world):
    return world.person(Role.ORGANISER, name="孙丽")


@pytest.fixture
def chess(world, organiser):
    """Chess in the activity room, two places."""
    return world.event(
        STARTS, "象棋", "chess", hours=2, organiser=organiser, title_en="Chinese chess", capacity=2
    )


def _residents(world, number):
    return [world.person(Role.RESIDENT, name=f"居民{n}") for n in range(number)]


def _kinds(person) -> list[str]:
    return list(
        db.session.scalars(select(Notification.kind).where(Notification.recipient_id == person.id))
    )


def test_places_then_the_waitlist_in_order(world, chess):
    first, second, third, fourth = _residents(world, 4)
    for resident in (first, second):
        signup, created = activities.join(resident, chess, resident, now=BEFORE)
        assert created and signup.status == SignUpStatus.GOING
    waiting = [activities.join(r, chess, r, now=BEFORE)[0] for r in (third, fourth)]
    assert [s.status for s in waiting] == [SignUpStatus.WAITING] * 2
    assert [activities.waitlist_position(s) for s in waiting] == [1, 2]
    assert chess.going == 2 and chess.places_left == 0


def test_joining_twice_returns_the_place_held(world, chess):
    resident = _residents(world, 1)[0]
    signup, _ = activities.join(resident, chess, resident, now=BEFORE)
    again, created = activities.join(resident, chess, resident, now=BEFORE)
    assert again.id == signup.id and not created and chess.going == 1


def test_leaving_promotes_the_first_on_the_waitlist_and_tells_them(world, chess):
    first, second, third, fourth = _residents(world, 4)
    family = world.person(Role.FAMILY, name="李娜")
    decide_link(request_link(family, third.resident_code, "daughter"), third, approve=True)
    places = [activities.join(r, chess, r, now=BEFORE)[0] for r in (first, second, third, fourth)]
    activities.leave(places[0], first, now=BEFORE)
    assert places[0].status == SignUpStatus.LEFT and places[0].active_key is None
    db.session.refresh(places[2])
    assert places[2].status == SignUpStatus.GOING and places[2].promoted_at == BEFORE
    assert activities.waitlist_position(places[3]) == 1
    assert chess.going == 2
    assert "activity.promoted" in _kinds(third) and "activity.promoted" in _kinds(family)
    # Someone promoted can still decline; the next one moves up.
    activities.leave(places[2], third, now=BEFORE)
    db.session.refresh(places[3])
    assert places[3].status == SignUpStatus.GOING and chess.going == 2


def test_leaving_the_waitlist_frees_no_place(world, chess):
    residents = _residents(world, 3)
    places = [activities.join(r, chess, r, now=BEFORE)[0] for r in residents]
    activities.leave(places[2], residents[2], now=BEFORE)
    assert chess.going == 2 and places[2].status == SignUpStatus.LEFT


def test_leaving_what_one_is_not_in_or_for_a_stranger_is_refused(world, chess):
    resident, stranger = _residents(world, 2)
    signup, _ = activities.join(resident, chess, resident, now=BEFORE)
    with pytest.raises(activities.NotAllowed):
        activities.leave(signup, stranger, now=BEFORE)
    activities.leave(signup, resident, now=BEFORE)
    with pytest.raises(activities.NotSignedUp):
        activities.leave(signup, resident, now=BEFORE)
    with pytest.raises(activities.NotAllowed):
        activities.join(resident, chess, stranger, now=BEFORE)


def test_past_started_and_cancelled_events_cannot_be_joined(world, chess):
    resident = _residents(world, 1)[0]
    with pytest.raises(activities.NotOpen):
        activities.join(resident, chess, resident, now=STARTS)
    chess.cancelled_at = BEFORE
    db.session.commit()
    with pytest.raises(activities.NotOpen):
        activities.join(resident, chess, resident, now=BEFORE)


def test_family_joins_for_a_linked_parent_only(world, chess):
    parent, other = _residents(world, 2)
    family = world.person(Role.FAMILY)
    decide_link(request_link(family, parent.resident_code, "son"), parent, approve=True)
    signup, _ = activities.join(parent, chess, family, now=BEFORE)
    assert signup.signed_up_by_id == family.id
    with pytest.raises(activities.NotAllowed):
        activities.join(other, chess, family, now=BEFORE)


def test_an_open_event_has_no_limit(world, chess):
    chess.capacity = None
    db.session.commit()
    for resident in _residents(world, 5):
        assert activities.join(resident, chess, resident, now=BEFORE)[0].status == "going"
    assert chess.going == 5 and chess.places_left is None


def test_check_in_by_the_resident_only_around_the_event(world, chess, organiser):
    resident = _residents(world, 1)[0]
    signup, _ = activities.join(resident, chess, resident, now=BEFORE)
    with pytest.raises(activities.NotNow):
        activities.check_in(signup, resident, now=STARTS - timedelta(hours=1))
    activities.check_in(signup, resident, now=STARTS - timedelta(minutes=10))
    assert signup.checked_in_at == STARTS - timedelta(minutes=10)
    # A sign the resident was well, for their care visits.
    assert latest_contacts([resident.id]) == {resident.id: STARTS - timedelta(minutes=10)}
    with pytest.raises(activities.NotAllowed):
        activities.check_in(signup, _residents(world, 1)[0], now=STARTS)


def test_organiser_checks_in_on_the_day_and_open_events_take_walk_ins(world, chess, organiser):
    resident, walk_in = _residents(world, 2)
    signup, _ = activities.join(resident, chess, resident, now=BEFORE)
    with pytest.raises(activities.NotNow):
        activities.check_in(signup, organiser, organiser=True, now=STARTS + timedelta(days=1))
    activities.check_in(signup, organiser, organiser=True, now=STARTS + timedelta(hours=3))
    assert signup.checked_in_by_id == organiser.id
    with pytest.raises(activities.NotSignedUp):
        activities.arrive(walk_in, chess, now=STARTS)
    chess.signup_required = False
    db.session.commit()
    came = activities.arrive(walk_in, chess, now=STARTS + timedelta(minutes=5))
    assert came.checked_in_at is not None and came.status == "going"


def test_reminders_go_the_day_before_once(world, chess):
    resident = _residents(world, 1)[0]
    activities.join(resident, chess, resident, now=BEFORE)
    # 09:00 on 2 March in Shanghai: the chess is tomorrow.
    assert activities.send_reminders(now=datetime(2026, 3, 2, 1)) == 1
    assert activities.send_reminders(now=datetime(2026, 3, 2, 2)) == 0
    assert _kinds(resident) == ["activity.reminder"]


def test_no_reminder_two_days_ahead(world, chess):
    resident = _residents(world, 1)[0]
    activities.join(resident, chess, resident, now=BEFORE)
    assert activities.send_reminders(now=datetime(2026, 3, 1, 1)) == 0


def test_attendance_counts_places_and_people_who_came_per_month(world, chess, organiser):
    residents = _residents(world, 2)
    places = [activities.join(r, chess, r, now=BEFORE)[0] for r in residents]
    activities.check_in(places[0], organiser, organiser=True, now=STARTS)
    assert activities.attendance_by_month(world.community.id, 2026) == [(3, 2, 1)]
    assert activities.signups_of(residents[0], date(2026, 3, 1))[0].event_id == chess.id
    assert time(14) == activities.local(chess.starts_at, activities.zone_of(chess)).time()
