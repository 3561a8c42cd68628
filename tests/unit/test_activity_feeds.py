"""Calendar feeds: secret addresses that can be replaced and switched off, and the iCalendar files
of a community and of a person, read back field by field."""

from datetime import UTC, datetime, timedelta

import pytest
from flask import url_for
from flask_babel import force_locale
from ical.calendar_stream import IcsCalendarStream
from icalendar import Calendar
from sqlalchemy import select

from portal.accounts.models import FamilyLink, Role
from portal.accounts.services import decide_link, end_link, request_link
from portal.activities import feeds
from portal.activities import services as activities
from portal.activities.labels import CATEGORIES
from portal.activities.models import CalendarFeed, Event, Venue
from portal.audit.models import AuditEntry
from portal.community.models import Community
from portal.extensions import db

# Sunday 1 March 2026, 10:00 in Shanghai.
NOW = datetime(2026, 3, 1, 2)


@pytest.fixture
def organiser(world):
    return world.person(Role.ORGANISER, name="孙丽")


@pytest.fixture
def room(world):
    venue = Venue(
        community=world.community, name="活动室", capacity=30, step_free=True, hearing_loop=True
    )
    db.session.add(venue)
    db.session.commit()
    return venue


@pytest.fixture
def make_event(world, organiser, room):
    def make(starts_at: datetime, title: str = "象棋", community=None, venue=None, **fields):
        event = Event(
            community=community or world.community,
            venue=venue or room,
            organiser=organiser,
            title_zh_hans=title,
            category="chess",
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=2),
            **fields,
        )
        db.session.add(event)
        db.session.commit()
        return event

    return make


@pytest.fixture
def chess(make_event):
    """Tuesday 3 March 2026, 14:00–16:00 in Shanghai: 06:00–08:00 UTC; two places."""
    return make_event(
        datetime(2026, 3, 3, 6),
        title_zh_hant="象棋（繁）",
        title_en="Chinese chess",
        description_zh_hans="楚河汉界，以棋会友。",
        description_en="Meet friends over the board.",
        access_notes="请从北门进",
        capacity=2,
    )


def _read(body: bytes) -> Calendar:
    """Parse the feed back, and check it also satisfies a second, stricter RFC 5545 reader."""
    IcsCalendarStream.calendar_from_ics(body.decode())
    return Calendar.from_ical(body)


def _events(calendar: Calendar) -> dict[str, object]:
    return {str(v["UID"]): v for v in calendar.walk("VEVENT")}


def _actions(person) -> list[str]:
    query = select(AuditEntry.action).where(AuditEntry.actor_id == person.id)
    return list(db.session.scalars(query.order_by(AuditEntry.id)))


# Addresses --------------------------------------------------------------------------------------


def test_a_feed_keeps_only_the_hash_of_its_token(world):
    resident = world.person(Role.RESIDENT)
    feed, token = feeds.create_feed(resident)
    assert len(token) == 43 and token not in feed.token_hash and len(feed.token_hash) == 64
    assert feeds.feed_for_token(token).id == feed.id
    assert feeds.active_feed(resident).id == feed.id
    assert _actions(resident) == ["calendar.feed_created"]


def test_a_new_address_switches_off_the_old_one(world):
    resident = world.person(Role.RESIDENT)
    old, old_token = feeds.create_feed(resident)
    new, new_token = feeds.create_feed(resident)
    assert feeds.feed_for_token(old_token) is None
    assert feeds.feed_for_token(new_token).id == new.id
    db.session.refresh(old)
    assert old.revoked_at is not None and feeds.active_feed(resident).id == new.id


def test_switching_off_leaves_no_working_address(world):
    resident = world.person(Role.RESIDENT)
    _, token = feeds.create_feed(resident)
    assert feeds.revoke_feed(resident) == 1
    assert feeds.feed_for_token(token) is None and feeds.active_feed(resident) is None
    assert feeds.revoke_feed(resident) == 0
    assert _actions(resident) == ["calendar.feed_created", "calendar.feed_revoked"]


@pytest.mark.parametrize("token", ["", "short", "a" * 42 + "/", "a" * 44, "a" * 42 + "."])
def test_malformed_tokens_find_nothing(world, token):
    feeds.create_feed(world.person(Role.RESIDENT))
    assert feeds.feed_for_token(token) is None


def test_a_deactivated_persons_address_stops_working(world):
    resident = world.person(Role.RESIDENT)
    _, token = feeds.create_feed(resident)
    resident.active = False
    db.session.commit()
    assert feeds.feed_for_token(token) is None


def test_tokens_are_never_stored(world):
    resident = world.person(Role.RESIDENT)
    _, token = feeds.create_feed(resident)
    stored = db.session.scalars(select(CalendarFeed.token_hash)).all()
    assert token not in stored


# The community's calendar -----------------------------------------------------------------------


def test_the_community_calendar_carries_every_field(world, chess):
    calendar = _read(feeds.community_calendar(world.community, NOW))
    assert str(calendar["PRODID"]) == feeds.PRODID
    assert str(calendar["VERSION"]) == "2.0" and str(calendar["CALSCALE"]) == "GREGORIAN"
    assert calendar["REFRESH-INTERVAL"].dt == timedelta(hours=1)
    assert str(calendar["X-PUBLISHED-TTL"]) == "PT1H"
    assert world.community.name in str(calendar["X-WR-CALNAME"])
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"event-{chess.id}@linli"
    assert event["DTSTART"].dt == datetime(2026, 3, 3, 6, tzinfo=UTC)
    assert event["DTEND"].dt == datetime(2026, 3, 3, 8, tzinfo=UTC)
    assert event["DTSTAMP"].dt == chess.updated_at.replace(microsecond=0, tzinfo=UTC)
    assert event["LAST-MODIFIED"].dt == event["DTSTAMP"].dt
    assert event["SEQUENCE"] == int((chess.updated_at - chess.created_at).total_seconds())
    assert str(event["SUMMARY"]) == "象棋"
    assert str(event["LOCATION"]) == "活动室"
    description = str(event["DESCRIPTION"])
    assert description.startswith("楚河汉界，以棋会友。") and description.endswith("请从北门进")
    with force_locale("zh_Hans"):
        assert event["CATEGORIES"].cats == [str(CATEGORIES["chess"])]
    assert str(event["STATUS"]) == "CONFIRMED" and str(event["TRANSP"]) == "OPAQUE"
    assert "URL" not in event  # the event pages are a resident's, not the public's


def test_times_are_written_in_utc(world, chess):
    body = feeds.community_calendar(world.community, NOW).decode()
    assert "DTSTART:20260303T060000Z" in body and "DTEND:20260303T080000Z" in body
    assert "TZID" not in body and "VTIMEZONE" not in body


@pytest.mark.parametrize(
    ("locale", "title", "words"),
    [
        ("en", "Chinese chess", "Meet friends over the board."),
        ("zh_Hant", "象棋（繁）", "楚河汉界，以棋会友。"),  # no Traditional description: Simplified
        ("xx", "象棋", "楚河汉界，以棋会友。"),  # an unknown language: the default
    ],
)
def test_the_calendar_speaks_the_language_asked_for(world, chess, locale, title, words):
    (event,) = _read(feeds.community_calendar(world.community, NOW, locale)).walk("VEVENT")
    assert str(event["SUMMARY"]) == title
    assert str(event["DESCRIPTION"]).startswith(words)
    if locale == "en":
        assert event["CATEGORIES"].cats == ["Chess and cards"]
        assert "Step-free access" in str(event["DESCRIPTION"])
        assert "Hearing loop" in str(event["DESCRIPTION"])


def test_only_this_communitys_events_from_a_month_ago_to_half_a_year_ahead(
    world, make_event, organiser
):
    other = Community(name="别的社区", hotline="0871-62222222", street_office=world.street)
    elsewhere = Venue(community=other, name="别处", capacity=10)
    db.session.add_all([other, elsewhere])
    shown = [
        make_event(NOW - timedelta(days=29), "上个月"),
        make_event(NOW + timedelta(weeks=25), "半年后"),
    ]
    make_event(NOW - timedelta(days=31), "太早")
    make_event(NOW + timedelta(weeks=27), "太晚")
    make_event(NOW + timedelta(days=1), "别的社区的", community=other, venue=elsewhere)
    calendar = _read(feeds.community_calendar(world.community, NOW))
    assert set(_events(calendar)) == {f"event-{e.id}@linli" for e in shown}


def test_a_cancelled_event_stays_marked_cancelled(world, chess):
    chess.cancelled_at = NOW
    db.session.commit()
    with force_locale("en"):
        expected = "Cancelled: Chinese chess"
    (event,) = _read(feeds.community_calendar(world.community, NOW, "en")).walk("VEVENT")
    assert str(event["STATUS"]) == "CANCELLED" and str(event["SUMMARY"]) == expected


def test_a_change_raises_the_sequence(world, chess):
    (before,) = _read(feeds.community_calendar(world.community, NOW)).walk("VEVENT")
    chess.updated_at = chess.updated_at + timedelta(minutes=5)
    chess.title_zh_hans = "中国象棋"
    db.session.commit()
    (after,) = _read(feeds.community_calendar(world.community, NOW)).walk("VEVENT")
    assert after["SEQUENCE"] > before["SEQUENCE"] and after["DTSTAMP"].dt > before["DTSTAMP"].dt
    assert str(after["UID"]) == str(before["UID"])


def test_an_empty_community_calendar_is_still_valid(world):
    calendar = _read(feeds.community_calendar(world.community, NOW))
    assert calendar.walk("VEVENT") == [] and str(calendar["VERSION"]) == "2.0"


# A person's own calendar ------------------------------------------------------------------------


def test_a_residents_calendar_holds_their_places_and_waitlist_places(app, world, chess, make_event):
    first, second, me = (world.person(Role.RESIDENT, name=n) for n in ("甲", "乙", "王桂兰"))
    for resident in (first, second, me):
        activities.join(resident, chess, resident, now=NOW)
    talk = make_event(NOW + timedelta(days=3), "防诈讲座")
    activities.join(me, talk, me, now=NOW)
    left = make_event(NOW + timedelta(days=4), "书法")
    activities.leave(activities.join(me, left, me, now=NOW)[0], me, now=NOW)
    make_event(NOW + timedelta(days=5), "没报名")
    calendar = _read(feeds.person_calendar(me, NOW))
    assert str(calendar["X-WR-CALNAME"])
    found = _events(calendar)
    assert set(found) == {f"event-{chess.id}@linli", f"event-{talk.id}@linli"}
    assert str(found[f"event-{chess.id}@linli"]["STATUS"]) == "TENTATIVE"
    assert str(found[f"event-{talk.id}@linli"]["STATUS"]) == "CONFIRMED"
    assert str(found[f"event-{talk.id}@linli"]["SUMMARY"]) == "防诈讲座"  # one's own: no name
    if "activities.event" in app.view_functions:
        page = url_for("activities.event", resident_id=me.id, event_id=talk.id, _external=True)
        assert str(found[f"event-{talk.id}@linli"]["URL"]) == page


def test_a_promotion_shows_as_confirmed_with_a_higher_sequence(world, chess):
    first, second, me = (world.person(Role.RESIDENT, name=n) for n in ("甲", "乙", "王桂兰"))
    places = [activities.join(r, chess, r, now=NOW)[0] for r in (first, second, me)]
    for row in (chess, places[2]):  # all this happened ten minutes ago
        row.created_at -= timedelta(minutes=10)
        row.updated_at -= timedelta(minutes=10)
    db.session.commit()
    (waiting,) = _read(feeds.person_calendar(me, NOW)).walk("VEVENT")
    activities.leave(places[0], first, now=NOW)
    (going,) = _read(feeds.person_calendar(me, NOW)).walk("VEVENT")
    assert (str(waiting["STATUS"]), str(going["STATUS"])) == ("TENTATIVE", "CONFIRMED")
    assert going["SEQUENCE"] > waiting["SEQUENCE"]


def test_a_family_calendar_holds_only_actively_linked_residents_places(world, chess, make_event):
    mother, father, stranger, pending = (
        world.person(Role.RESIDENT, name=n) for n in ("王桂兰", "李建国", "张三", "赵四")
    )
    family = world.person(Role.FAMILY, name="李娜")
    for resident in (mother, father):
        decide_link(request_link(family, resident.resident_code, "daughter"), resident, True)
    request_link(family, pending.resident_code, "daughter")  # never approved
    talk = make_event(NOW + timedelta(days=3), "防诈讲座", title_en="Anti-fraud talk")
    theirs = make_event(NOW + timedelta(days=4), "别人的")
    for resident in (mother, father):
        activities.join(resident, chess, resident, now=NOW)
    activities.join(mother, talk, mother, now=NOW)
    activities.join(stranger, theirs, stranger, now=NOW)
    activities.join(pending, theirs, pending, now=NOW)

    calendar = _read(feeds.person_calendar(family, NOW, "en"))
    found = _events(calendar)
    assert set(found) == {f"event-{chess.id}@linli", f"event-{talk.id}@linli"}
    assert str(found[f"event-{talk.id}@linli"]["SUMMARY"]) == "王桂兰: Anti-fraud talk"
    # Both parents at one activity: one entry that names them both.
    assert str(found[f"event-{chess.id}@linli"]["SUMMARY"]) == "王桂兰 and 李建国: Chinese chess"

    end_link(
        db.session.scalar(select(FamilyLink).where(FamilyLink.resident_id == mother.id)), family
    )
    assert set(_events(_read(feeds.person_calendar(family, NOW)))) == {f"event-{chess.id}@linli"}


def test_a_cancelled_activity_in_ones_own_calendar(world, chess):
    me = world.person(Role.RESIDENT)
    activities.join(me, chess, me, now=NOW)
    chess.cancelled_at = NOW
    db.session.commit()
    (event,) = _read(feeds.person_calendar(me, NOW)).walk("VEVENT")
    assert str(event["STATUS"]) == "CANCELLED"


def test_communities_of_a_family_member_are_their_residents(world):
    other = Community(name="别的社区", hotline="0871-62222222", street_office=world.street)
    db.session.add(other)
    db.session.commit()
    resident = world.person(Role.RESIDENT, community=other)
    family = world.person(Role.FAMILY, community=None)
    assert feeds.communities_of(family) == []
    decide_link(request_link(family, resident.resident_code, "son"), resident, True)
    assert feeds.communities_of(family) == [other]
