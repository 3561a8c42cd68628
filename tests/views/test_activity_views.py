"""Residents and their families on the activity calendar: the big list, week and month views with
htmx, joining and the waitlist, leaving, "I'm here" at the kiosk, and bad input."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import func, select

from portal.accounts.models import Role
from portal.accounts.services import enrol_kiosk
from portal.activities import services as activities
from portal.activities.models import Event, SignUp, SignUpStatus, Venue
from portal.community.models import Community
from portal.extensions import db
from portal.model_base import utcnow
from tests.helpers import html, text_of

ZONE = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("linli_lang", "en")


def _today() -> date:
    return datetime.now(ZONE).date()


def _utc(day: date, moment: time) -> datetime:
    return (
        datetime.combine(day, moment, tzinfo=ZONE).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)
    )


@pytest.fixture
def venue(world):
    room = Venue(
        community=world.community, name="活动室", capacity=30, step_free=True, hearing_loop=True
    )
    db.session.add(room)
    db.session.commit()
    return room


@pytest.fixture
def make_event(world, venue, people):
    """make_event(days=1, capacity=10, …): a committed event of the world's community."""

    def make(days=1, start=time(14), hours=2, community=None, **fields):
        day = _today() + timedelta(days=days)
        values = {
            "community_id": (community or world.community).id,
            "venue_id": venue.id,
            "organiser_id": people.admin.id,
            "category": "chess",
            "title_zh_hans": "象棋",
            "title_en": "Chess",
            "starts_at": _utc(day, start),
            "ends_at": _utc(day, start) + timedelta(hours=hours),
            "capacity": 10,
            **fields,
        }
        made = Event(**values)
        db.session.add(made)
        db.session.commit()
        return made

    return make


def _signups(event) -> list[SignUp]:
    db.session.expire_all()
    return list(
        db.session.scalars(select(SignUp).where(SignUp.event_id == event.id).order_by(SignUp.id))
    )


def _list_url(resident, view="", **params) -> str:
    url = f"/activities/residents/{resident.id}" + (f"/{view}" if view else "")
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


# The calendar views --------------------------------------------------------------------------


@pytest.mark.clock_at(9)  # so "Late chess" is still to come today
def test_the_big_list_shows_today_then_the_week_with_places(client, people, sign_in, make_event):
    make_event(days=0, start=time(23, 59), hours=0.5, title_en="Late chess")
    make_event(days=2, capacity=2, going=2, category="crafts", title_en="Paper cutting")
    make_event(
        days=3, capacity=None, signup_required=False, category="exercise", title_en="Tai chi"
    )
    make_event(days=9, title_en="Too far")
    sign_in.resident(people.resident)
    page = html(client.get(_list_url(people.resident)))
    days = [h.get_text(" ", strip=True) for h in page.select(".activity-day__title")]
    assert len(days) == 7 and days[0].startswith("Today") and days[1].startswith("Tomorrow")
    titles = [a.get_text(strip=True) for a in page.select(".activity__title a")]
    assert titles == ["Late chess", "Paper cutting", "Tai chi"]
    cards = page.select("li.activity")
    assert "10 places left" in cards[0].get_text() and cards[0].select_one("a.button--primary")
    assert "Full: waitlist" in cards[1].get_text()
    assert cards[1].select_one("a.button--primary").get_text(strip=True) == "Join the waitlist"
    assert "Crafts" in cards[1].get_text() and cards[1].select_one("svg use")
    assert "no need to sign up" in cards[2].get_text() and not cards[2].select("a.button")
    assert page.select_one("nav a[aria-current=page]").get_text(strip=True) == "Today and this week"


def test_week_view_page_and_fragment_with_previous_and_next(
    client, htmx, people, sign_in, make_event
):
    make_event(days=7, title_en="Next week's chess")
    sign_in.resident(people.resident)
    page = html(client.get(_list_url(people.resident, "week")))
    assert page.h1 and page.select_one("#activities-panel")
    later = page.select_one("a.pager__link[href*='week=']:-soup-contains('Next week')")
    assert later["data-hx-get"] == later["href"] and later["data-hx-target"] == "#activities-panel"
    response = htmx("get", later["href"], target="activities-panel")
    assert response.status_code == 200 and "HX-Target" in response.headers["Vary"]
    fragment = html(response)
    assert fragment.h1 is None and fragment.select_one("div#activities-panel")
    assert "Next week's chess" in fragment.get_text()
    assert fragment.select_one("[data-announce]")["data-announce"].startswith("Week of")
    assert len(fragment.select(".activity-day")) == 7
    # The same address without htmx is the whole page.
    assert html(client.get(later["href"])).h1


def test_month_view_and_a_category_filter_swap_in_place(client, htmx, people, sign_in, make_event):
    make_event(days=1, title_en="Chess")
    make_event(days=1, category="calligraphy", title_en="Calligraphy")
    sign_in.resident(people.resident)
    month = (_today() + timedelta(days=1)).strftime("%Y-%m")  # the events' month
    full = html(client.get(_list_url(people.resident, "month", month=month)))
    assert full.select_one("nav a[aria-current=page][href$='/month']")
    link = full.select_one("a.pick-links__link[href*='category=calligraphy']")
    assert f"month={month}" in link["href"]
    fragment = html(htmx("get", link["href"], target="activities-panel"))
    assert fragment.h1 is None
    assert [a.get_text(strip=True) for a in fragment.select(".activity__title a")] == [
        "Calligraphy"
    ]
    assert fragment.select_one("a[aria-current=true]")["href"] == link["href"]
    assert "Calligraphy and painting" in fragment.select_one("[data-announce]")["data-announce"]


@pytest.mark.parametrize(
    ("view", "query", "message"),
    [
        ("week", "week=2026-02-30", "That date could not be read"),
        ("week", "week=tuesday", "That date could not be read"),
        ("week", "week=1900-01-01", "two years"),
        ("month", "month=2026-13", "That date could not be read"),
        ("month", "month=9999-01", "two years"),
        ("month", "month=2026-1", "That date could not be read"),
        ("", "category=rockets", "no kind of activity called that"),
        ("week", "category=x%00", "no kind of activity called that"),
    ],
)
def test_malformed_parameters_give_a_clear_message(
    client, htmx, people, sign_in, view, query, message
):
    sign_in.resident(people.resident)
    url = _list_url(people.resident, view) + "?" + query
    for response in (client.get(url), htmx("get", url, target="activities-panel")):
        assert response.status_code == 200
        assert message in html(response).select_one("#activities-panel .notice").get_text()


def test_pages_ask_the_database_the_same_number_of_times_however_many_activities(
    client, world, people, sign_in, make_event
):
    sign_in.resident(people.resident)
    urls = [_list_url(people.resident, view) for view in ("", "week", "month")] + [
        f"/activities/residents/{people.resident.id}/mine"
    ]
    first = make_event(days=1, capacity=1)
    ahead = world.person(Role.RESIDENT)
    activities.join(ahead, first, ahead)
    activities.join(people.resident, first, people.family)
    few = [_queries(client, url) for url in urls]
    for n in range(6):
        extra = make_event(days=1 + n % 3, start=time(9 + n), capacity=1 if n % 2 else 5)
        other = world.person(Role.RESIDENT)
        activities.join(other, extra, other)
        activities.join(people.resident, extra, people.resident if n % 3 else people.family)
    many = [_queries(client, url) for url in urls]
    assert many == few, (few, many)


def _queries(client, url: str) -> int:
    statements = []

    def count(*args):
        statements.append(args[2])

    sa_event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


# Joining, the waitlist, leaving ---------------------------------------------------------------


def test_join_checks_the_details_then_confirms_the_place(client, people, sign_in, make_event):
    chess = make_event(access_notes="Enter by the garden door")
    sign_in.resident(people.resident)
    url = f"/activities/residents/{people.resident.id}/events/{chess.id}"
    check = html(client.get(url))
    assert check.h1.get_text(strip=True) == "Join Chess?"
    facts = check.select_one("dl.facts").get_text(" ", strip=True)
    for expected in ("活动室", "Step-free access Yes", "Hearing loop Yes", "garden door", "14:00"):
        assert expected in facts
    assert len(check.select("main form button.button--primary")) == 1
    response = client.post(url)
    assert response.status_code == 303
    confirmation = html(client.get(response.headers["Location"]))
    assert "You're going" in confirmation.h1.get_text()
    assert "Reference A" in confirmation.get_text()
    assert [s.status for s in _signups(chess)] == ["going"]


def test_joining_twice_shows_the_place_already_held(client, people, sign_in, make_event):
    chess = make_event()
    sign_in.resident(people.resident)
    url = f"/activities/residents/{people.resident.id}/events/{chess.id}"
    first = client.post(url).headers["Location"]
    again = client.post(url)
    assert again.status_code == 303 and again.headers["Location"] == first
    page = html(client.get(first))
    assert "already have this place" in page.select_one("#status").get_text()
    assert len(_signups(chess)) == 1
    assert "You're going" in text_of(client.get(url))


def test_a_full_activity_offers_the_waitlist_and_gives_the_position(
    client, world, people, sign_in, make_event
):
    craft = make_event(capacity=1, category="crafts", title_en="Paper cutting")
    first, second = world.person(Role.RESIDENT), world.person(Role.RESIDENT)
    activities.join(first, craft, first)
    activities.join(second, craft, second)
    sign_in.resident(people.resident)
    url = f"/activities/residents/{people.resident.id}/events/{craft.id}"
    check = html(client.get(url))
    assert "waitlist" in check.h1.get_text()
    assert (
        check.select_one("main form button.button--huge").get_text(strip=True)
        == "Join the waitlist"
    )
    confirmation = html(client.get(client.post(url).headers["Location"]))
    assert "You're number 2 on the waitlist" in confirmation.h1.get_text()
    mine = html(client.get(f"/activities/residents/{people.resident.id}/mine"))
    assert "You're number 2 on the waitlist" in mine.get_text()


def test_leaving_frees_the_place_for_the_first_on_the_waitlist(
    client, world, people, sign_in, make_event
):
    craft = make_event(capacity=1, title_en="Paper cutting")
    activities.join(people.resident, craft, people.resident)
    waiting = world.person(Role.RESIDENT)
    activities.join(waiting, craft, waiting)
    sign_in.resident(people.resident)
    mine = f"/activities/residents/{people.resident.id}/mine"
    page = html(client.get(mine))
    link = page.select_one(f"a[href*='/events/{craft.id}/leave']")
    # One tap asks first, and nothing has changed yet.
    ask = html(client.get(link["href"]))
    assert ask.select_one("h1").get_text() == "Give up your place?"
    assert "Paper cutting" in ask.select_one("dl").get_text()
    assert [s.status for s in _signups(craft)] == ["going", "waiting"]
    assert ask.select_one("a.button--secondary")["href"] == mine
    form = ask.select_one(f"form[action$='/events/{craft.id}/leave']")
    response = client.post(form["action"], data={"next": form.select_one("[name=next]")["value"]})
    assert response.status_code == 303 and response.headers["Location"] == mine
    assert "You have left Paper cutting" in text_of(client.get(mine))
    assert [s.status for s in _signups(craft)] == ["left", "going"]
    # Asking again, once the place is given up, says so instead of asking.
    again = client.get(link["href"])
    assert again.status_code == 303
    assert "no place at Paper cutting to give up" in text_of(client.get(again.headers["Location"]))
    sign_in.out()
    # The one promoted is told, sees the place, and can still leave.
    sign_in.resident(waiting)
    page = html(client.get(f"/activities/residents/{waiting.id}/mine"))
    assert "moved up from the waitlist" in page.get_text()
    assert page.select_one(f"a[href*='/events/{craft.id}/leave']")


def test_leaving_an_activity_one_is_not_in_says_so(client, people, sign_in, make_event):
    chess = make_event()
    sign_in.resident(people.resident)
    response = client.post(f"/activities/residents/{people.resident.id}/events/{chess.id}/leave")
    assert response.status_code == 303
    assert "no place at Chess to give up" in text_of(client.get(response.headers["Location"]))


@pytest.mark.parametrize("state", ["past", "cancelled", "started"])
def test_no_sign_up_to_a_past_started_or_cancelled_activity(
    client, people, sign_in, make_event, state
):
    fields = {
        "past": {"days": -1},
        "cancelled": {"cancelled_at": utcnow()},
        "started": _soon(-5),
    }[state]
    chosen = make_event(**fields)
    sign_in.resident(people.resident)
    url = f"/activities/residents/{people.resident.id}/events/{chosen.id}"
    page = html(client.get(url))
    assert not page.select("main form button.button--huge")
    response = client.post(url)
    assert response.status_code == 303 and response.headers["Location"].endswith(url)
    words = {"past": "too late", "started": "too late", "cancelled": "cancelled"}[state]
    assert words in html(client.get(url)).select_one("#status").get_text()
    assert _signups(chosen) == []


def test_another_communitys_activity_is_not_found(client, world, people, sign_in, make_event):
    elsewhere = Community(name="别的社区", hotline="0871-62222222", street_office=world.street)
    db.session.add(elsewhere)
    db.session.commit()
    theirs = make_event(community=elsewhere)
    sign_in.resident(people.resident)
    base = f"/activities/residents/{people.resident.id}/events"
    for response in (
        client.get(f"{base}/{theirs.id}"),
        client.post(f"{base}/{theirs.id}"),
        client.post(f"{base}/{theirs.id}/leave"),
        client.get(f"{base}/999999"),
    ):
        assert response.status_code == 404 and "Page not found" in text_of(response)
    assert _signups(theirs) == []
    other = db.session.scalar(select(func.count()).select_from(SignUp))
    assert other == 0


def test_a_confirmation_of_someone_else_is_not_shown(client, world, people, sign_in, make_event):
    chess = make_event()
    stranger = world.person(Role.RESIDENT)
    signup, _ = activities.join(stranger, chess, stranger)
    sign_in.resident(people.resident)
    own_url = f"/activities/residents/{people.resident.id}/signups/{signup.id}"
    assert client.get(own_url).status_code == 404
    assert client.get(f"/activities/residents/{stranger.id}/signups/{signup.id}").status_code == 403


# Family --------------------------------------------------------------------------------------


def test_family_signs_up_their_parent_who_sees_who_did(client, people, sign_in, make_event):
    chess = make_event()
    sign_in.password(people.family)
    home = html(client.get("/family"))
    assert home.select_one(f"main a[href^='/activities/residents/{people.resident.id}']")
    url = f"/activities/residents/{people.resident.id}/events/{chess.id}"
    assert f"Sign {people.resident.name} up for Chess?" in html(client.get(url)).h1.get_text()
    confirmation = html(client.get(client.post(url).headers["Location"]))
    assert f"{people.resident.name} is going" in confirmation.h1.get_text()
    assert [s.signed_up_by_id for s in _signups(chess)] == [people.family.id]
    sign_in.out()
    sign_in.resident(people.resident)
    page = text_of(client.get(_list_url(people.resident)))
    assert "Signed up by your daughter 李娜" in page


def test_family_cannot_act_for_someone_they_are_not_linked_to(
    client, world, people, sign_in, make_event
):
    chess = make_event()
    stranger = world.person(Role.RESIDENT)
    sign_in.password(people.family)
    base = f"/activities/residents/{stranger.id}"
    for response in (
        client.get(base),
        client.get(f"{base}/week"),
        client.get(f"{base}/mine"),
        client.post(f"{base}/events/{chess.id}"),
        client.post(f"{base}/events/{chess.id}/leave"),
    ):
        assert response.status_code == 403
    assert _signups(chess) == []


def test_family_leaves_for_their_parent(client, people, sign_in, make_event):
    chess = make_event()
    activities.join(people.resident, chess, people.resident)
    sign_in.password(people.family)
    response = client.post(f"/activities/residents/{people.resident.id}/events/{chess.id}/leave")
    assert response.status_code == 303
    assert [s.status for s in _signups(chess)] == [SignUpStatus.LEFT]


# "I'm here" at the kiosk ---------------------------------------------------------------------


@pytest.fixture
def kiosk_token(world, people):
    _, token = enrol_kiosk(world.community, "活动室", people.admin)
    return token


def _soon(minutes: int) -> dict:
    """Fields for a two-hour activity that starts in minutes (negative: started that long ago)."""
    starts = utcnow() + timedelta(minutes=minutes)
    return {"starts_at": starts, "ends_at": starts + timedelta(hours=2)}


def test_im_here_shows_during_the_activity_and_checks_in(
    client, people, sign_in, make_event, kiosk_token
):
    chess = make_event(**_soon(20))
    later = make_event(**_soon(120))
    activities.join(people.resident, chess, people.resident)
    activities.join(people.resident, later, people.resident)
    sign_in.resident(people.resident, kiosk_token=kiosk_token)
    page = html(client.get(_list_url(people.resident)))
    buttons = page.select("form[action$='/arrive']")
    assert [form["action"].split("/")[-2] for form in buttons] == [str(chess.id)]
    response = client.post(buttons[0]["action"], data={"next": _list_url(people.resident)})
    assert response.status_code == 303
    assert "You are checked in" in text_of(client.get(response.headers["Location"]))
    assert _signups(chess)[0].checked_in_at is not None
    too_early = client.post(f"/activities/residents/{people.resident.id}/events/{later.id}/arrive")
    assert "30 minutes before the start" in text_of(client.get(too_early.headers["Location"]))


def test_im_here_needs_the_kiosk_and_a_place(
    client, world, people, sign_in, make_event, kiosk_token
):
    chess = make_event(**_soon(-10))
    sign_in.resident(people.resident)
    url = f"/activities/residents/{people.resident.id}/events/{chess.id}/arrive"
    assert "on the kiosk" in text_of(client.get(client.post(url).headers["Location"]))
    sign_in.out()
    sign_in.resident(people.resident, kiosk_token=kiosk_token)
    assert "You have no place" in text_of(client.get(client.post(url).headers["Location"]))
    other = world.person(Role.RESIDENT)
    assert (
        client.post(f"/activities/residents/{other.id}/events/{chess.id}/arrive").status_code == 403
    )
    assert _signups(chess) == []


def test_family_never_sees_im_here(client, people, sign_in, make_event):
    chess = make_event(**_soon(-10))
    activities.join(people.resident, chess, people.resident, now=utcnow() - timedelta(hours=1))
    sign_in.password(people.family)
    assert not html(client.get(_list_url(people.resident))).select("form[action$='/arrive']")
    url = f"/activities/residents/{people.resident.id}/events/{chess.id}/arrive"
    assert client.post(url).status_code == 403


# The resident's home -------------------------------------------------------------------------


@pytest.mark.clock_at(9)  # so "Late chess" is still to come today
def test_home_tile_shows_today_and_tomorrow(client, people, sign_in, make_event):
    make_event(days=0, start=time(23, 30), hours=0.25, title_en="Late chess")
    make_event(days=1, title_en="Paper cutting")
    make_event(days=2, title_en="Not yet")
    sign_in.resident(people.resident)
    tile = html(client.get("/resident")).select_one(
        f"a.tile[href$='/activities/residents/{people.resident.id}']"
    )
    text = tile.get_text(" ", strip=True)
    assert "Late chess" in text and "Paper cutting" in text and "Not yet" not in text


def test_a_full_activity_held_by_the_resident_does_not_offer_them_its_waitlist(
    client, world, people, sign_in, make_event
):
    craft = make_event(capacity=1, category="crafts", title_en="Paper cutting")
    activities.join(people.resident, craft, people.resident)
    sign_in.resident(people.resident)
    page = html(client.get(f"/activities/residents/{people.resident.id}/events/{craft.id}"))
    facts = {dt.get_text(strip=True): dt.find_next_sibling("dd") for dt in page.select("dt")}
    assert facts["Places"].get_text(strip=True) == "Full"
    assert "waitlist" not in page.select_one("main").get_text()
