"""Organiser rules: weekly series and their exceptions, clashes, capacity, birthday invitations,
cancelling, and series edits that leave changed weeks alone."""

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from portal.accounts.models import Role
from portal.activities import schedule, services
from portal.activities.models import Event, SignUpStatus, Venue
from portal.audit.models import AuditEntry
from portal.community.models import Community
from portal.extensions import db
from portal.notifications.models import Notification

# Sunday 1 March 2026, 10:00 in Shanghai.
NOW = datetime(2026, 3, 1, 2)
TUESDAY = date(2026, 3, 3)


@pytest.fixture
def organiser(world):
    return world.person(Role.ORGANISER, name="孙丽")


@pytest.fixture
def room(world):
    venue = Venue(community=world.community, name="活动室", capacity=30)
    db.session.add(venue)
    db.session.commit()
    return venue


def _values(room, **more):
    return {
        "title_zh_hans": "象棋",
        "category": "chess",
        "venue_id": room.id,
        "capacity": 10,
        "signup_required": True,
        "starts": time(14),
        "ends": time(16),
        "now": NOW,
        **more,
    }


def _chess(organiser, room, **more):
    values = {"first_day": TUESDAY, "last_day": date(2026, 4, 28), **_values(room, **more)}
    return schedule.create_series(organiser, room.community_id, **values)


def _occurrences(series):
    return list(
        db.session.scalars(
            select(Event).where(Event.series_id == series.id).order_by(Event.series_day)
        )
    )


def _kinds(person) -> list[str]:
    return list(
        db.session.scalars(select(Notification.kind).where(Notification.recipient_id == person.id))
    )


def _audit(action: str) -> int:
    return db.session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
    )


def test_a_weekly_series_runs_across_months_in_local_time(organiser, room):
    series = _chess(organiser, room)
    events = _occurrences(series)
    assert [e.series_day for e in events] == [TUESDAY + timedelta(weeks=n) for n in range(9)]
    assert events[-1].series_day == date(2026, 4, 28)
    # 14:00 in Shanghai is 06:00 UTC.
    assert events[0].starts_at == datetime(2026, 3, 3, 6)
    assert series.weekday == 1 and _audit("activity.series_created") == 1


def test_a_series_stops_at_the_horizon_and_extends_later(organiser, room):
    series = _chess(organiser, room, now=NOW)
    series.last_day = date(2027, 12, 31)
    db.session.commit()
    schedule.extend_series(NOW)
    assert len(_occurrences(series)) == 26  # the Tuesdays of the coming 26 weeks
    assert schedule.extend_series(NOW + timedelta(weeks=4)) == 4


def test_skipping_and_moving_one_week_are_exceptions_of_the_series(world, organiser, room):
    series = _chess(organiser, room)
    second, third = _occurrences(series)[1:3]
    resident = world.person(Role.RESIDENT, name="王桂兰")
    services.join(resident, second, resident, now=NOW)
    schedule.cancel_event(organiser, second, "老师生病", now=NOW)
    schedule.move_event(
        organiser, third, day=date(2026, 3, 18), starts=time(9), ends=time(11), now=NOW
    )
    assert second.cancelled_at is not None and second.cancel_reason == "老师生病"
    assert "activity.cancelled" in _kinds(resident)
    assert third.detached and third.series_day == date(2026, 3, 17)
    assert third.starts_at == datetime(2026, 3, 18, 1)
    # Making the series again neither brings back the skipped week nor repeats the moved one.
    schedule.extend_series(NOW)
    assert len(_occurrences(series)) == 9


def test_an_overlap_in_the_same_venue_is_refused_and_nothing_is_saved(organiser, room):
    _chess(organiser, room)
    with pytest.raises(schedule.Clash) as refused:
        schedule.create_event(
            organiser,
            room.community_id,
            day=date(2026, 3, 10),
            **_values(room, title_zh_hans="讲座", starts=time(15, 30), ends=time(17)),
        )
    assert refused.value.other.series_day == date(2026, 3, 10)
    # Touching ends do not overlap.
    schedule.create_event(
        organiser,
        room.community_id,
        day=date(2026, 3, 10),
        **_values(room, starts=time(16), ends=time(17)),
    )
    assert db.session.scalar(select(func.count()).select_from(Event)) == 10


def test_a_clashing_series_is_refused_whole(organiser, room):
    schedule.create_event(organiser, room.community_id, day=date(2026, 4, 7), **_values(room))
    with pytest.raises(schedule.Clash):
        _chess(organiser, room)
    assert db.session.scalar(select(func.count()).select_from(Event)) == 1


def test_bad_times_and_days_are_refused(organiser, room):
    with pytest.raises(schedule.BadTimes):
        schedule.create_event(
            organiser, room.community_id, day=TUESDAY, **_values(room, ends=time(13))
        )
    with pytest.raises(schedule.BadDays):
        schedule.create_series(
            organiser,
            room.community_id,
            first_day=TUESDAY,
            last_day=date(2026, 3, 1),
            **_values(room),
        )
    with pytest.raises(schedule.InPast):
        schedule.create_event(organiser, room.community_id, day=date(2026, 2, 27), **_values(room))


def test_capacity_cannot_fall_below_the_places_taken(world, organiser, room):
    event = schedule.create_event(organiser, room.community_id, day=TUESDAY, **_values(room))
    for n in range(3):
        resident = world.person(Role.RESIDENT, name=f"居民{n}")
        services.join(resident, event, resident, now=NOW)
    with pytest.raises(schedule.BelowSignedUp) as refused:
        schedule.update_event(
            organiser, event, day=TUESDAY, **_values(room, capacity=2, title_zh_hans="新")
        )
    assert refused.value.going == 3
    db.session.refresh(event)
    assert event.capacity == 10 and event.title_zh_hans == "象棋"
    schedule.update_event(organiser, event, day=TUESDAY, **_values(room, capacity=3))
    assert event.capacity == 3


def test_more_places_promote_the_waitlist(world, organiser, room):
    event = schedule.create_event(
        organiser, room.community_id, day=TUESDAY, **_values(room, capacity=1)
    )
    first, second = (world.person(Role.RESIDENT, name=n) for n in ("甲", "乙"))
    services.join(first, event, first, now=NOW)
    waiting, _ = services.join(second, event, second, now=NOW)
    schedule.update_event(organiser, event, day=TUESDAY, **_values(room, capacity=None))
    db.session.refresh(waiting)
    assert waiting.status == SignUpStatus.GOING and "activity.promoted" in _kinds(second)


def test_past_and_cancelled_events_cannot_change(organiser, room):
    event = schedule.create_event(organiser, room.community_id, day=TUESDAY, **_values(room))
    with pytest.raises(schedule.Closed):
        schedule.cancel_event(organiser, event, "x", now=datetime(2026, 3, 3, 7))
    schedule.cancel_event(organiser, event, "下雨", now=NOW)
    with pytest.raises(schedule.Closed):
        schedule.move_event(organiser, event, day=TUESDAY, starts=time(9), ends=time(10), now=NOW)


def test_cancelling_tells_everyone_going_and_waiting_and_frees_the_places(world, organiser, room):
    event = schedule.create_event(
        organiser, room.community_id, day=TUESDAY, **_values(room, capacity=1)
    )
    going, waiting = (world.person(Role.RESIDENT, name=n) for n in ("甲", "乙"))
    services.join(going, event, going, now=NOW)
    services.join(waiting, event, waiting, now=NOW)
    told = schedule.cancel_event(organiser, event, "场地维修", now=NOW)
    assert told == 2 and event.going == 0
    assert _kinds(going) == ["activity.cancelled"] and _kinds(waiting) == ["activity.cancelled"]
    note = db.session.scalar(select(Notification).where(Notification.recipient_id == going.id))
    assert note.params["reason"] == "场地维修" and note.params["starts"] == "14:00"
    assert services.place_of(going, event) is None
    assert _audit("activity.cancelled") == 1


def test_the_birthday_party_invites_that_months_birthdays_of_that_community(world, organiser, room):
    march = world.person(Role.RESIDENT, name="三月", birth_date=date(1950, 3, 9))
    world.person(Role.RESIDENT, name="四月", birth_date=date(1950, 4, 9))
    world.person(Role.RESIDENT, name="离开", birth_date=date(1950, 3, 2), active=False)
    other = Community(name="别的社区", hotline="1", street_office=world.street)
    db.session.add(other)
    world.person(Role.RESIDENT, name="别处", birth_date=date(1950, 3, 5), community=other)
    party = schedule.create_event(
        organiser,
        room.community_id,
        day=date(2026, 3, 27),
        **_values(room, category="birthday", title_zh_hans="3月集体生日会", capacity=30),
    )
    signup = services.place_of(march, party)
    assert signup.invited and signup.status == SignUpStatus.GOING and party.going == 1
    assert _kinds(march) == ["activity.birthday_invite"]
    assert [s.resident.name for s in schedule.attendees(party)[0]] == ["三月"]


def test_a_series_edit_leaves_changed_weeks_alone(organiser, room):
    series = _chess(organiser, room)
    events = _occurrences(series)
    schedule.update_event(
        organiser, events[2], day=events[2].series_day, **_values(room, title_zh_hans="象棋比赛")
    )
    changed = schedule.update_series(
        organiser,
        series,
        last_day=date(2026, 4, 14),
        **_values(room, starts=time(15), ends=time(17)),
    )
    assert changed == 6
    db.session.refresh(events[2])
    assert events[2].title_zh_hans == "象棋比赛" and events[2].starts_at == datetime(2026, 3, 17, 6)
    assert events[3].starts_at == datetime(2026, 3, 24, 7)
    # The two weeks after the new last day are cancelled.
    assert [e.cancelled_at is not None for e in events[-2:]] == [True, True]


def test_a_series_edit_that_would_clash_saves_nothing(organiser, room):
    series = _chess(organiser, room)
    schedule.create_event(
        organiser,
        room.community_id,
        day=date(2026, 3, 24),
        **_values(room, starts=time(17), ends=time(18)),
    )
    with pytest.raises(schedule.Clash):
        schedule.update_series(
            organiser,
            series,
            last_day=series.last_day,
            **_values(room, starts=time(16), ends=time(18)),
        )
    assert _occurrences(series)[0].starts_at == datetime(2026, 3, 3, 6)
    assert series.starts == time(14)


def test_another_communitys_venue_is_refused(world, organiser, room):
    other = Community(name="别的社区", hotline="1", street_office=world.street)
    hall = Venue(community=other, name="礼堂", capacity=100)
    db.session.add_all([other, hall])
    db.session.commit()
    with pytest.raises(schedule.UnknownVenue):
        schedule.create_event(
            organiser, room.community_id, day=TUESDAY, **_values(room, venue_id=hall.id)
        )
    assert schedule.organised(organiser, Venue, hall.id) is None
