"""The organiser's calendar pages: venues, events and series, attendees and check-in, attendance;
with every bad input refused clearly and other communities' ids not found."""

from datetime import time, timedelta

import pytest
from sqlalchemy import func, select

from portal.accounts.models import Role
from portal.activities import schedule, services
from portal.activities.models import Event, SignUp, Venue
from portal.audit.models import AuditEntry
from portal.community.models import Community, today_in
from portal.config import DEFAULT_TIMEZONE
from portal.extensions import db
from portal.model_base import utcnow
from portal.notifications.models import Notification
from tests.helpers import html, text_of


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("linli_lang", "en")


@pytest.fixture
def organiser(world, sign_in):
    person = world.person(Role.ORGANISER, name="孙丽")
    sign_in.password(person)
    return person


@pytest.fixture
def room(world):
    venue = Venue(community=world.community, name="活动室", capacity=30)
    db.session.add(venue)
    db.session.commit()
    return venue


@pytest.fixture
def next_week(app):
    with app.test_request_context():
        return today_in(DEFAULT_TIMEZONE) + timedelta(days=7)


def _form(room, day, **more) -> dict:
    return {
        "title_zh_hans": "象棋",
        "category": "chess",
        "venue": str(room.id),
        "repeat": "once",
        "day": day.isoformat(),
        "starts": "14:00",
        "ends": "16:00",
        "capacity": "10",
        "signup_required": "y",
        **more,
    }


def _event(organiser, room, day, **more) -> Event:
    values = {
        "title_zh_hans": "象棋",
        "category": "chess",
        "venue_id": room.id,
        "capacity": 2,
        "starts": time(14),
        "ends": time(16),
        **more,
    }
    return schedule.create_event(organiser, room.community_id, day=day, **values)


def _elsewhere(world):
    """A venue and an event of another community."""
    other = Community(name="别的社区", hotline="1", street_office=world.street)
    hall = Venue(community=other, name="礼堂", capacity=100)
    start = utcnow() + timedelta(days=3)
    event = Event(
        community=other,
        venue=hall,
        organiser=world.person(Role.ORGANISER, name="别人", community=other),
        title_zh_hans="讲座",
        category="health_talk",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
    )
    db.session.add_all([other, hall, event])
    db.session.commit()
    return hall, event


def _errors(response) -> list[str]:
    return [a.get_text(" ", strip=True) for a in html(response).select(".error-summary__list a")]


def test_signed_out_people_are_sent_to_sign_in_and_residents_refused(client, world, sign_in):
    response = client.get("/activities/organise/")
    assert response.status_code == 302 and "/sign-in" in response.location
    sign_in.as_(world.person(Role.RESIDENT, name="王桂兰"))
    assert client.get(f"/activities/organise/{world.community.id}/").status_code == 403


def test_the_organiser_lands_on_the_weeks_calendar_with_counts(
    client, world, organiser, room, next_week
):
    event = _event(organiser, room, next_week, capacity=1)
    for name in ("甲", "乙"):
        resident = world.person(Role.RESIDENT, name=name)
        services.join(resident, event, resident)
    response = client.get("/activities/organise/")
    assert response.status_code == 303
    response = client.get(response.location + f"?week={next_week.isoformat()}")
    item = " ".join(html(response).select_one(".organise-item").get_text().split())
    assert "象棋" in item and "1 of 1 places taken" in item and "1 on the waitlist" in item


def test_a_street_office_admin_chooses_the_community(client, world, sign_in):
    db.session.add(Community(name="别的社区", hotline="1", street_office=world.street))
    db.session.commit()
    sign_in.password(world.person(Role.ADMIN, community=None))
    response = client.get("/activities/organise/")
    assert [a.get_text() for a in html(response).select(".link-list a")] == ["别的社区", "测试社区"]


def test_venues_are_added_and_changed_with_errors_at_the_fields(client, organiser, room):
    base = f"/activities/organise/{room.community_id}/venues"
    response = client.post(f"{base}/new", data={"name": "", "capacity": "0"})
    assert response.status_code == 422 and len(_errors(response)) == 2
    response = client.post(
        f"{base}/new", data={"name": "阅览角", "capacity": "12", "step_free": "y"}
    )
    assert response.status_code == 303
    assert "阅览角" in text_of(client.get(base))
    response = client.post(
        f"/activities/organise/venues/{room.id}", data={"name": "大活动室", "capacity": "40"}
    )
    db.session.refresh(room)
    assert response.status_code == 303 and room.name == "大活动室"


def test_a_one_off_and_a_weekly_activity_are_added(client, organiser, room, next_week):
    url = f"/activities/organise/{room.community_id}/events/new"
    assert client.get(url).status_code == 200
    response = client.post(url, data=_form(room, next_week))
    assert response.status_code == 303 and "/events/" in response.location
    response = client.post(
        url,
        data=_form(
            room,
            next_week,
            title_zh_hans="书法",
            repeat="weekly",
            starts="09:00",
            ends="11:00",
            last_day=(next_week + timedelta(weeks=3)).isoformat(),
        ),
    )
    assert response.status_code == 303
    assert db.session.scalar(select(func.count()).select_from(Event)) == 5
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"activity.created", "activity.series_created"} <= actions


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"ends": "13:00"}, "The end must be after the start."),
        ({"repeat": "weekly", "last_day": "2020-01-01"}, "The last date must be on or after"),
        ({"repeat": "weekly"}, "Enter the last date"),
        ({"title_zh_hans": ""}, "Enter the title in Simplified Chinese."),
        ({"capacity": "31"}, "活动室 holds only 30 people."),
        ({"day": "2020-01-07"}, "That time has already passed."),
        ({"starts": "25:00"}, "Enter a time like 14:00."),
    ],
)
def test_bad_activities_are_refused_clearly(client, organiser, room, next_week, changes, message):
    url = f"/activities/organise/{room.community_id}/events/new"
    response = client.post(url, data={**_form(room, next_week), **changes})
    assert response.status_code == 422
    assert any(message in error for error in _errors(response)), _errors(response)
    assert db.session.scalar(select(func.count()).select_from(Event)) == 0


def test_an_overlapping_booking_names_the_other_activity(client, organiser, room, next_week):
    _event(organiser, room, next_week, title_zh_hans="健康讲座")
    url = f"/activities/organise/{room.community_id}/events/new"
    response = client.post(url, data=_form(room, next_week, starts="15:00", ends="17:00"))
    assert response.status_code == 422
    assert "活动室 is already booked" in _errors(response)[0] and "健康讲座" in _errors(response)[0]


def test_another_communitys_ids_are_not_found(client, world, organiser, room, next_week):
    hall, event = _elsewhere(world)
    for url in (
        f"/activities/organise/{hall.community_id}/",
        f"/activities/organise/venues/{hall.id}",
        f"/activities/organise/events/{event.id}",
        f"/activities/organise/events/{event.id}/edit",
        f"/activities/organise/events/{event.id}/cancel",
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(
            f"/activities/organise/events/{event.id}/cancel", data={"reason": "x"}
        ).status_code
        == 404
    )
    response = client.post(
        f"/activities/organise/{room.community_id}/events/new",
        data=_form(room, next_week, venue=str(hall.id)),
    )
    assert response.status_code == 422
    assert _errors(response) == ["Choose one of this community's venues."]


def test_capacity_below_the_places_taken_is_refused_with_the_count(
    client, world, organiser, room, next_week
):
    event = _event(organiser, room, next_week, capacity=5)
    for name in ("甲", "乙", "丙"):
        resident = world.person(Role.RESIDENT, name=name)
        services.join(resident, event, resident)
    url = f"/activities/organise/events/{event.id}/edit"
    response = client.post(url, data=_form(room, next_week, capacity="2", title_zh_hans="新象棋"))
    assert response.status_code == 422
    assert "3 people already have a place" in _errors(response)[0]
    db.session.refresh(event)
    assert event.capacity == 5 and event.title_zh_hans == "象棋"


def test_a_series_is_edited_and_one_week_moved(client, organiser, room, next_week):
    series = schedule.create_series(
        organiser,
        room.community_id,
        first_day=next_week,
        last_day=next_week + timedelta(weeks=2),
        title_zh_hans="太极",
        category="exercise",
        venue_id=room.id,
        capacity=None,
        starts=time(8),
        ends=time(9),
    )
    first = db.session.scalars(
        select(Event).where(Event.series_id == series.id).order_by(Event.starts_at)
    ).first()
    url = f"/activities/organise/series/{series.id}/edit"
    assert client.get(url).status_code == 200
    data = _form(room, next_week, title_zh_hans="太极拳", starts="08:30", ends="09:30", capacity="")
    data["last_day"] = (next_week + timedelta(weeks=2)).isoformat()
    response = client.post(url, data=data)
    assert response.status_code == 303
    db.session.refresh(first)
    assert first.title_zh_hans == "太极拳" and first.capacity is None
    move = f"/activities/organise/events/{first.id}/move"
    assert client.get(move).status_code == 200
    response = client.post(
        move, data={"day": next_week.isoformat(), "starts": "10:00", "ends": "09:00"}
    )
    assert response.status_code == 422
    response = client.post(
        move,
        data={
            "day": (next_week + timedelta(days=1)).isoformat(),
            "starts": "10:00",
            "ends": "11:00",
        },
    )
    assert response.status_code == 303
    db.session.refresh(first)
    assert first.detached


def test_cancelling_needs_a_reason_and_tells_residents(client, world, organiser, room, next_week):
    event = _event(organiser, room, next_week)
    resident = world.person(Role.RESIDENT, name="王桂兰")
    services.join(resident, event, resident)
    url = f"/activities/organise/events/{event.id}/cancel"
    assert client.get(url).status_code == 200
    response = client.post(url, data={"reason": ""})
    assert response.status_code == 422 and _errors(response) == [
        "Enter the reason residents will read."
    ]
    response = client.post(url, data={"reason": "老师生病"})
    assert response.status_code == 303
    kinds = db.session.scalars(
        select(Notification.kind).where(Notification.recipient_id == resident.id)
    )
    assert list(kinds) == ["activity.cancelled"]
    page = client.get(f"/activities/organise/events/{event.id}")
    assert "老师生病" in text_of(page)
    # A cancelled event can no longer change.
    response = client.get(f"/activities/organise/events/{event.id}/edit")
    assert response.status_code == 303
    assert "can no longer change" in text_of(client.get(response.location))


def _today_event(world, organiser, room):
    """An activity that started a minute ago, with one person going and one waiting; the tests
    that use it start at 10:31, as check-in is open on the day, so it cannot begin yesterday."""
    start = utcnow() - timedelta(minutes=1)
    event = Event(
        community=world.community,
        venue=room,
        organiser=organiser,
        title_zh_hans="手工课",
        category="crafts",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        capacity=1,
    )
    db.session.add(event)
    db.session.commit()
    going, waiting = (world.person(Role.RESIDENT, name=n) for n in ("王桂兰", "李建国"))
    earlier = start - timedelta(days=1)
    services.join(going, event, going, now=earlier)
    services.join(waiting, event, waiting, now=earlier)
    return event, db.session.scalar(select(SignUp).where(SignUp.resident_id == going.id))


@pytest.mark.clock_at(10, 31)
def test_the_attendee_list_and_check_in_without_javascript(client, world, organiser, room):
    event, signup = _today_event(world, organiser, room)
    page = html(client.get(f"/activities/organise/events/{event.id}"))
    assert [row.th.get_text(" ", strip=True) for row in page.select(".attendee")] == ["王桂兰"]
    assert [li.get_text(" ", strip=True).split()[0] for li in page.select(".waitlist li")] == [
        "李建国"
    ]
    response = client.post(f"/activities/organise/events/{event.id}/attendees/{signup.id}/check-in")
    assert response.status_code == 303
    db.session.refresh(signup)
    assert signup.checked_in_at is not None
    assert "Checked in: 王桂兰" in text_of(client.get(response.location))


@pytest.mark.clock_at(10, 31)
def test_check_in_with_htmx_swaps_the_row_and_announces_it(client, world, organiser, room, htmx):
    event, signup = _today_event(world, organiser, room)
    url = f"/activities/organise/events/{event.id}/attendees/{signup.id}/check-in"
    response = htmx("post", url, target=f"signup-{signup.id}")
    page = html(response)
    assert response.status_code == 200 and "HX-Target" in response.headers["Vary"]
    assert page.select_one(f"tr#signup-{signup.id}.attendee--came")
    assert page.select_one("#status").get_text(strip=True) == "Checked in: 王桂兰"
    assert page.select_one("h1") is None
    # Aimed at something else, the same request gets the whole page.
    full = html(htmx("post", url, target="main"))
    assert full.select_one("h1").get_text() == "手工课"


@pytest.mark.clock_at(10, 31)
def test_check_in_before_the_day_is_refused(client, world, organiser, room, next_week, htmx):
    event = _event(organiser, room, next_week)
    resident = world.person(Role.RESIDENT, name="王桂兰")
    signup, _ = services.join(resident, event, resident)
    page = html(client.get(f"/activities/organise/events/{event.id}"))
    assert page.select_one(".attendee__check-in") is None
    check_in = f"/activities/organise/events/{event.id}/attendees/{signup.id}/check-in"
    response = client.post(check_in, follow_redirects=True)
    assert "Check-in is open only on the day" in text_of(response)
    refused = htmx("post", check_in, target=f"signup-{signup.id}")
    assert refused.status_code == 422
    assert "Check-in is open only on the day" in html(refused).select_one("#status").get_text()
    other, _ = _today_event(world, organiser, room)
    url = f"/activities/organise/events/{other.id}/attendees/{signup.id}/check-in"
    assert client.post(url).status_code == 404


@pytest.mark.clock_at(10, 31)
def test_attendance_per_month(client, world, organiser, room):
    event, signup = _today_event(world, organiser, room)
    services.check_in(signup, organiser, organiser=True)
    with client.application.test_request_context():
        year = today_in(DEFAULT_TIMEZONE).year
    response = client.get(f"/activities/organise/{room.community_id}/attendance?year={year}")
    rows = html(response).select(".attendance-table tbody tr")
    assert len(rows) == 1 and [td.get_text() for td in rows[0].select("td")] == ["1", "1"]
    response = client.get(f"/activities/organise/{room.community_id}/attendance?year=1800")
    assert response.status_code == 404


def test_attendees_are_listed_by_pinyin(client, world, organiser, room, next_week):
    event = _event(organiser, room, next_week, capacity=10)
    for name in ("周海燕", "傅强", "刘芳", "吴磊"):
        resident = world.person(Role.RESIDENT, name=name)
        services.join(resident, event, resident)
    page = html(client.get(f"/activities/organise/events/{event.id}"))
    names = [row.th.get_text(" ", strip=True) for row in page.select(".attendee")]
    assert names == ["傅强", "刘芳", "吴磊", "周海燕"]


def test_a_long_waitlist_comes_a_page_at_a_time_with_how_many(
    client, world, organiser, room, next_week
):
    event = _event(organiser, room, next_week, capacity=1)
    people = [world.person(Role.RESIDENT, name=f"居民{index:02d}") for index in range(56)]
    for person in people:
        services.join(person, event, person)
    first = html(client.get(f"/activities/organise/events/{event.id}"))
    assert first.select_one("#waiting-title").get_text() == "Waitlist: 55 people"
    assert len(first.select(".waitlist li")) == 50
    assert first.select_one(".pager__count").get_text() == "1 to 50 of 55"
    second = html(client.get(f"/activities/organise/events/{event.id}?page=2"))
    waiting = second.select(".waitlist li")
    assert second.select_one(".waitlist")["start"] == "51" and len(waiting) == 5
    assert waiting[-1].get_text(" ", strip=True).startswith("居民55")
    assert len(second.select(".attendee")) == 1
