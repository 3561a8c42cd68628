from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from flask import url_for
from sqlalchemy import select

from portal.accounts.models import Role
from portal.canteen import services as canteen
from portal.canteen.models import Canteen, MealDay
from portal.community.models import Building, Community, Grid
from portal.delivery import rounds as delivery_rounds
from portal.delivery import services as delivery
from portal.delivery.models import DeliveryEnrolment, DeliveryPause
from portal.extensions import db
from portal.notifications.models import Notification
from tests.helpers import html, text_of

# 08:00 on Monday 15 June 2026 in Shanghai, before the lunch cut-off. Tests set at this instant
# build their canteen in the test itself, so that its meals are served on that day.
JUNE_15_MORNING = datetime(2026, 6, 15, 8, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("linli_lang", "en")


def canteen_with_meals(world, lunch_capacity: int = 80) -> Canteen:
    """The community's canteen, serving lunch (pork) and dinner (noodles) today and tomorrow."""
    today = world.community.today()
    return world.canteen_serving(
        [today, today + timedelta(days=1)],
        lunch_capacity=lunch_capacity,
        dinner=({"name_zh_hans": "牛肉面", "name_en": "Beef noodles", "price_fen": 1500},),
    )


def early_morning(place) -> datetime:
    """06:00 today at the canteen, as naive UTC: every meal of the day can still be booked."""
    local = datetime.combine(
        place.community.today(), time(6), tzinfo=ZoneInfo(place.community.timezone)
    )
    return local.astimezone(UTC).replace(tzinfo=None)


def answers(start: date, **changes) -> delivery.Application:
    values = {
        "lunch": True,
        "weekdays": list(range(7)),
        "start_day": start,
        "floor": 3,
        "has_lift": False,
        "access_notes": "Ring twice, she is slow to the door",
        "diet_tags": ["soft", "low_salt"],
        "diet_notes": "Cut the meat small",
        "contact_phone": "13800138000",
    }
    return delivery.Application(**{**values, **changes})


def application(place, resident, applicant=None, now=None, **changes) -> DeliveryEnrolment:
    """resident's application for lunch every day from today, as applicant (the resident)."""
    now = now or early_morning(place)
    enrolment, _created = delivery.apply(
        resident, applicant or resident, answers(place.community.today(now), **changes), now=now
    )
    return enrolment


def enrol(place, resident, staff, **changes) -> DeliveryEnrolment:
    """An approved enrolment from today, whose deliveries of today and tomorrow are booked."""
    now = early_morning(place)
    enrolment = application(place, resident, now=now, **changes)
    return delivery.approve(enrolment, staff, place.community.today(now), now=now)


def meals_today(place) -> dict[str, MealDay]:
    return {m.service.kind: m for m in delivery_rounds.meals_of_day(place, place.community.today())}


@pytest.fixture
def place(world) -> Canteen:
    return canteen_with_meals(world)


@pytest.fixture
def staff(world):
    return world.person(Role.CANTEEN_STAFF, name="张师傅")


def other_community(world) -> Community:
    """A second community of the street, with a grid and a building, and no canteen."""
    other = Community(name="别的社区", hotline="0871-62222222", street_office=world.street)
    grid = Grid(name="别的网格", community=other)
    db.session.add_all([other, grid, Building(name="9号楼", grid=grid)])
    db.session.commit()
    return other


def _cells(row) -> list[str]:
    return [" ".join(cell.get_text(" ").split()) for cell in row.select("th, td")]


def _notifications(kind: str) -> list[int]:
    query = select(Notification.recipient_id).where(Notification.kind == kind)
    return sorted(db.session.scalars(query))


# Applications and enrolments -------------------------------------------------------------------


def test_home_goes_to_the_first_managed_canteen(client, sign_in, place, staff):
    sign_in.password(staff)
    response = client.get("/delivery/staff/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/delivery/staff/canteens/{place.id}")


def test_staff_without_a_canteen_are_told_so(client, world, sign_in):
    other = other_community(world)
    sign_in.password(world.person(Role.CANTEEN_STAFF, community=other))
    page = client.get("/delivery/staff/")
    assert page.status_code == 200 and "no canteen for you to manage" in text_of(page)


@time_machine.travel(JUNE_15_MORNING, tick=False)
def test_index_lists_waiting_applications_oldest_first_and_active_ones_with_pauses(
    client, world, people, sign_in, staff
):
    place = canteen_with_meals(world)
    # 86 on the day of the 86th birthday itself.
    first = world.person(
        Role.RESIDENT, name="赵建国", unit="2单元", room="301", birth_date=date(1940, 6, 15)
    )
    oldest = application(place, first)
    application(place, people.resident, applicant=people.family, dinner=True, weekdays=[0, 2, 4])
    active = enrol(place, world.person(Role.RESIDENT, name="孙秀英"), staff)
    today = place.community.today()
    assert today == date(2026, 6, 15)
    delivery.pause(active, staff, today + timedelta(days=3), today + timedelta(days=5))
    sign_in.password(staff)
    page = html(client.get(f"/delivery/staff/canteens/{place.id}"))
    waiting, running = page.select("table.delivery-table")
    rows = [_cells(row) for row in waiting.select("tbody tr")]
    assert rows[0][:-1] == [
        f"赵建国 {first.resident_code}",
        "86",
        "1号楼, 2单元, room 301",
        "Lunch",
        "Every day",
        "Jun 15",
    ]
    assert rows[0][-1].startswith("The resident, ")
    assert rows[1][0].startswith("王桂兰") and rows[1][3] == "Lunch, Dinner"
    assert rows[1][4] == "Monday, Wednesday, and Friday" and rows[1][6].startswith("李娜, ")
    assert waiting.select_one("tbody a")["href"] == f"/delivery/staff/enrolments/{oldest.id}"
    [row] = [_cells(row) for row in running.select("tbody tr")]
    assert row[0].startswith("孙秀英")
    assert row[-1] == "Jun 18 to Jun 20"


def test_other_communities_staff_and_volunteers_are_kept_out(client, world, people, sign_in, place):
    other = other_community(world)
    enrolment = application(place, people.resident)
    sign_in.password(world.person(Role.CANTEEN_STAFF, community=other))
    for url in (
        f"/delivery/staff/canteens/{place.id}",
        f"/delivery/staff/enrolments/{enrolment.id}",
        f"/delivery/staff/canteens/{place.id}/rounds",
    ):
        response = client.get(url)
        # Another community's canteen is not found; its enrolment is not theirs to open.
        assert response.status_code in (403, 404), url
        assert "王桂兰" not in response.get_data(as_text=True)
    assert client.get("/delivery/staff/canteens/9999").status_code == 404
    sign_in.out()
    sign_in.password(people.volunteer)
    assert client.get(f"/delivery/staff/canteens/{place.id}").status_code == 403


def test_apply_for_a_resident_by_code_goes_to_the_journey(
    client, world, people, sign_in, place, staff
):
    sign_in.password(staff)
    response = client.post(
        f"/delivery/staff/canteens/{place.id}/apply-for",
        data={"code": f" {people.resident.resident_code} "},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == url_for(
        "delivery.apply", resident_id=people.resident.id, step="meals", _external=False
    )


def test_apply_for_an_unknown_code_or_a_resident_elsewhere_says_so(
    client, world, sign_in, place, staff
):
    other = other_community(world)
    elsewhere = world.person(Role.RESIDENT, community=other)
    sign_in.password(staff)
    for code in ("999999", elsewhere.resident_code):
        response = client.post(
            f"/delivery/staff/canteens/{place.id}/apply-for", data={"code": code}
        )
        page = html(response)
        assert response.status_code == 422
        assert page.title.get_text().startswith("Error:")
        assert (
            f"No resident you look after has the code {code}"
            in page.select_one("#code-error").get_text()
        )
        assert page.select_one(".error-summary a[href='#code']")
    response = client.post(f"/delivery/staff/canteens/{place.id}/apply-for", data={"code": ""})
    assert "Enter the resident's code." in text_of(response)


@time_machine.travel(JUNE_15_MORNING, tick=False)
def test_enrolment_page_shows_every_answer_age_special_support_and_price(
    client, world, people, sign_in, staff
):
    place = canteen_with_meals(world)
    # Still 85 on the day before the 86th birthday.
    people.resident.birth_date = date(1940, 6, 16)
    people.resident.special_support = True
    people.resident.diet_notes = "No spicy food"
    db.session.commit()
    enrolment = application(place, people.resident, applicant=people.family)
    sign_in.password(staff)
    page = html(client.get(f"/delivery/staff/enrolments/{enrolment.id}"))
    facts = {
        " ".join(dt.get_text(" ").split()): " ".join(
            dt.find_next_sibling("dd").get_text(" ").split()
        )
        for dt in page.select("dl.facts dt")
    }
    assert facts["Name"] == "王桂兰" and facts["Resident code"] == people.resident.resident_code
    assert facts["Age on Jun 15"] == "85"
    assert facts["Special-support status"] == "Has special support"
    assert facts["Price"] == "Free of charge"
    assert facts["Meals"] == "Lunch" and facts["Days"] == "Every day"
    assert facts["Floor"] == "Floor 3 · No lift: stairs"
    assert facts["Getting in"] == "Ring twice, she is slow to the door"
    assert (
        facts["Diet needs"].replace(" ;", ";") == "Soft Low salt Cut the meat small; No spicy food"
    )
    assert "13800138000" in facts["Contact phone"]
    assert facts["Applied by"].startswith("李娜")
    assert page.select_one("input#start_day")["value"] == "2026-06-15"
    reasons = [i["value"] for i in page.select("input[name=reason]")]
    assert reasons == ["outside_area", "no_places", "not_eligible", "can_come", "other"]


def test_the_start_offered_is_tomorrow_once_the_asked_day_has_passed(
    client, people, sign_in, place, staff
):
    enrolment = application(place, people.resident)
    enrolment.start_day = place.community.today() - timedelta(days=2)
    db.session.commit()
    sign_in.password(staff)
    page = html(client.get(f"/delivery/staff/enrolments/{enrolment.id}"))
    tomorrow = place.community.today() + timedelta(days=1)
    assert page.select_one("input#start_day")["value"] == tomorrow.isoformat()


def test_price_tier_says_the_senior_discount(client, world, sign_in, place, staff):
    place.senior_discount_percent = 20
    db.session.commit()
    resident = world.person(Role.RESIDENT, birth_date=date(1958, 1, 1))
    enrolment = application(place, resident)
    sign_in.password(staff)
    page = html(client.get(f"/delivery/staff/enrolments/{enrolment.id}"))
    assert "The senior price: 20% off each meal" in page.get_text()


def test_approve_activates_and_tells_the_resident_and_family(client, people, sign_in, place, staff):
    enrolment = application(place, people.resident)
    start = place.community.today() + timedelta(days=1)
    sign_in.password(staff)
    response = client.post(
        f"/delivery/staff/enrolments/{enrolment.id}/approve",
        data={"start_day": start.isoformat()},
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/delivery/staff/canteens/{place.id}")
    db.session.refresh(enrolment)
    assert (enrolment.status, enrolment.start_day, enrolment.decided_by_id) == (
        "active",
        start,
        staff.id,
    )
    assert _notifications("delivery.approved") == sorted([people.resident.id, people.family.id])
    page = client.get(response.headers["Location"])
    assert "Approved: meals for 王桂兰 start on" in text_of(page)


@pytest.mark.parametrize(
    ("days", "message"),
    [
        (-1, "The first delivery cannot be before today."),
        (91, "The first delivery must be within 90 days from today."),
    ],
)
def test_approve_refuses_a_start_in_the_past_or_too_far(
    client, people, sign_in, place, staff, days, message
):
    enrolment = application(place, people.resident)
    sign_in.password(staff)
    start = place.community.today() + timedelta(days=days)
    response = client.post(
        f"/delivery/staff/enrolments/{enrolment.id}/approve", data={"start_day": start.isoformat()}
    )
    page = html(response)
    assert response.status_code == 422 and page.title.get_text().startswith("Error:")
    assert message in page.select_one("#start_day-error").get_text()
    assert page.select_one(".error-summary").get_text().count(message) == 1
    db.session.refresh(enrolment)
    assert enrolment.status == "applied" and _notifications("delivery.approved") == []


def test_approve_without_a_date_says_so(client, people, sign_in, place, staff):
    enrolment = application(place, people.resident)
    sign_in.password(staff)
    response = client.post(
        f"/delivery/staff/enrolments/{enrolment.id}/approve", data={"start_day": "soon"}
    )
    assert response.status_code == 422
    assert "Enter a date like 2026-03-01." in text_of(response)


def test_decline_with_a_reason_and_note(client, people, sign_in, place, staff):
    enrolment = application(place, people.resident)
    sign_in.password(staff)
    response = client.post(
        f"/delivery/staff/enrolments/{enrolment.id}/decline",
        data={"reason": "can_come", "note": "  We saw her at the canteen on Monday.  "},
    )
    assert response.status_code == 303
    db.session.refresh(enrolment)
    assert (enrolment.status, enrolment.decline_reason, enrolment.decline_note) == (
        "declined",
        "can_come",
        "We saw her at the canteen on Monday.",
    )
    assert _notifications("delivery.declined") == sorted([people.resident.id, people.family.id])
    assert "Declined. 王桂兰 and their family have been told why." in text_of(
        client.get(response.headers["Location"])
    )
    page = html(client.get(f"/delivery/staff/enrolments/{enrolment.id}"))
    assert "Able to come to the canteen" in page.get_text()
    assert not page.select("form[action$='/approve'], form[action$='/decline']")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose why the application is declined."),
        ({"reason": "rocket"}, "Choose one of the reasons listed."),
        ({"reason": "other", "note": "x" * 301}, "Please keep it under 300 characters."),
    ],
)
def test_decline_problems_are_explained_and_nothing_is_saved(
    client, people, sign_in, place, staff, data, message
):
    enrolment = application(place, people.resident)
    sign_in.password(staff)
    response = client.post(f"/delivery/staff/enrolments/{enrolment.id}/decline", data=data)
    assert response.status_code == 422 and message in text_of(response)
    db.session.refresh(enrolment)
    assert enrolment.status == "applied" and _notifications("delivery.declined") == []


def test_deciding_twice_is_refused_with_a_message(client, people, sign_in, place, staff):
    enrolment = application(place, people.resident)
    delivery.decline(enrolment, staff, "no_places", now=early_morning(place))
    sign_in.password(staff)
    for action, data in (
        ("approve", {"start_day": place.community.today().isoformat()}),
        ("decline", {"reason": "other"}),
    ):
        response = client.post(f"/delivery/staff/enrolments/{enrolment.id}/{action}", data=data)
        assert response.status_code == 303
        page = client.get(response.headers["Location"])
        assert "This application was already decided: Not approved. Nothing was changed." in (
            text_of(page)
        )
    db.session.refresh(enrolment)
    assert (enrolment.status, enrolment.decline_reason) == ("declined", "no_places")
    assert _notifications("delivery.approved") == []


# The day's rounds ------------------------------------------------------------------------------


@pytest.fixture
def two_buildings(world):
    """A second building in the grid, and a grid of its own with a building."""
    east = Building(name="2号楼", grid=world.grid)
    grid = Grid(name="第二网格", community=world.community)
    west = Building(name="8号楼", grid=grid)
    db.session.add_all([east, grid, west])
    db.session.commit()
    return east, west


def test_rounds_page_shows_each_meals_rounds_and_their_progress(
    client, world, people, sign_in, place, staff, two_buildings
):
    east, west = two_buildings
    enrol(place, people.resident, staff)
    enrol(place, world.person(Role.RESIDENT, name="赵建国", building=east), staff)
    enrol(place, world.person(Role.RESIDENT, name="钱多多", building=west), staff, dinner=True)
    [round_, *_] = [
        r.round
        for r in delivery_rounds.progress([meals_today(place)["lunch"]])[
            meals_today(place)["lunch"].id
        ]
    ]
    delivery_rounds.take_round(round_, people.volunteer)
    sign_in.password(staff)
    response = client.get(f"/delivery/staff/canteens/{place.id}/rounds")
    page = html(response)
    assert response.status_code == 200 and page.select_one("h1").get_text() == "Delivery rounds"
    lunch, dinner = page.select("#progress section.round-meal")
    assert [_cells(row) for row in lunch.select("tbody tr")] == [
        ["第一网格", "志愿者小张", "0", "0", "0", "2"],
        ["第二网格", "Nobody yet", "0", "0", "0", "1"],
    ]
    sheets = [a.get_text() for a in lunch.select("a[href*='round=']")]
    assert sheets == ["Sheet for 第一网格", "Sheet for 第二网格"]
    assert [_cells(row)[:2] for row in dinner.select("tbody tr")] == [["第二网格", "Nobody yet"]]
    sheet_link = lunch.select_one("a[href*='round=']")["href"]
    assert f"/delivery/staff/meals/{meals_today(place)['lunch'].id}/sheet?round=" in sheet_link
    assert not page.select(".panel--urgent")
    assert "Cache-Control" in response.headers and response.headers["Cache-Control"] == "no-store"
    assert {"HX-Request", "HX-Target", "If-None-Match", "Cookie"} <= set(response.vary)


def test_rounds_fragment_and_etag_304_until_a_drop_is_marked(
    client, people, sign_in, htmx, place, staff
):
    enrol(place, people.resident, staff)
    sign_in.password(staff)
    url = f"/delivery/staff/canteens/{place.id}/rounds"
    fragment = htmx("get", url, target="progress")
    assert fragment.status_code == 200 and fragment.headers["ETag"]
    body = html(fragment)
    assert body.select_one("div#progress[data-etag-poll]") and not body.select("h1, html")
    assert body.select_one("#progress")["data-hx-trigger"] == "every 10s"
    etag = fragment.headers["ETag"]
    unchanged = htmx("get", url, target="progress", headers={"If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.get_data() == b""
    assert unchanged.headers["ETag"] == etag and "If-None-Match" in unchanged.vary
    [drop] = delivery_rounds.drops_of(meals_today(place)["lunch"])
    delivery_rounds.mark(drop, staff, "delivered")
    changed = htmx("get", url, target="progress", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert _cells(html(changed).select_one("tbody tr"))[2] == "1"


def test_rounds_etag_changes_when_a_resident_cancels_a_delivered_meal(
    client, people, sign_in, htmx, place, staff
):
    enrol(place, people.resident, staff)
    sign_in.password(staff)
    url = f"/delivery/staff/canteens/{place.id}/rounds"
    etag = htmx("get", url, target="progress").headers["ETag"]
    [drop] = delivery_rounds.drops_of(meals_today(place)["lunch"])
    canteen.cancel(drop.booking, people.resident, now=early_morning(place))
    changed = htmx("get", url, target="progress", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert "No deliveries for this meal." in html(changed).select("section")[0].get_text()


def test_rounds_etag_differs_by_person_and_language(client, people, world, sign_in, htmx, place):
    first, second = (world.person(Role.CANTEEN_STAFF) for _ in range(2))
    url = f"/delivery/staff/canteens/{place.id}/rounds"
    sign_in.password(first)
    mine = htmx("get", url, target="progress").headers["ETag"]
    client.set_cookie("linli_lang", "zh_Hans")
    assert htmx("get", url, target="progress").headers["ETag"] != mine
    sign_in.out()
    client.set_cookie("linli_lang", "en")
    sign_in.password(second)
    assert htmx("get", url, target="progress").headers["ETag"] != mine


def test_a_malformed_day_shows_today_with_a_message(client, sign_in, place, staff):
    sign_in.password(staff)
    response = client.get(f"/delivery/staff/canteens/{place.id}/rounds?day=31-02-2026")
    page = html(response)
    assert response.status_code == 200
    assert "“31-02-2026” is not a date like 2026-03-01, so today is shown." in (
        page.select_one("#status").get_text()
    )
    assert page.select_one(".lead").get_text().endswith(place.community.today().strftime("%Y"))
    assert "Today" in page.select_one(".lead").get_text()


def test_another_day_is_shown_when_asked(client, people, sign_in, place, staff):
    enrol(place, people.resident, staff)
    tomorrow = place.community.today() + timedelta(days=1)
    sign_in.password(staff)
    page = html(client.get(f"/delivery/staff/canteens/{place.id}/rounds?day={tomorrow}"))
    assert "Today" not in page.select_one(".lead").get_text()
    assert [_cells(r)[0] for r in page.select("#progress tbody tr")] == ["第一网格"]


def test_shortfall_warning_names_those_not_booked(client, world, people, sign_in, staff):
    place = canteen_with_meals(world, lunch_capacity=1)
    enrol(place, people.resident, staff)
    enrol(place, world.person(Role.RESIDENT, name="赵建国"), staff, contact_phone="13900001111")
    sign_in.password(staff)
    page = html(client.get(f"/delivery/staff/canteens/{place.id}/rounds"))
    warning = page.select_one(".panel--urgent")
    assert "1 delivery could not be booked: the meal is full" in warning.h2.get_text()
    assert [
        " ".join(li.get_text(" ").split()) for li in warning.select("ul:not(.link-list) li")
    ] == ["赵建国 · Lunch · 13900001111"]
    lunch = meals_today(place)["lunch"]
    assert warning.select_one(
        f"a[href='/canteen/staff/{place.id}/services/{lunch.service_id}/{lunch.day}']"
    )


# The round sheet ------------------------------------------------------------------------------


def test_round_sheet_groups_by_grid_building_and_floor(
    client, world, people, sign_in, place, staff, two_buildings
):
    east, west = two_buildings
    people.resident.unit, people.resident.room = "1单元", "302"
    people.resident.diet_notes = "No spicy food"
    db.session.commit()
    enrol(place, people.resident, staff)
    enrol(
        place,
        world.person(Role.RESIDENT, name="周玉兰", unit="1单元", room="101"),
        staff,
        floor=1,
        has_lift=True,
        diet_tags=[],
        diet_notes="",
        access_notes="",
    )
    enrol(place, world.person(Role.RESIDENT, name="赵建国", building=east), staff, floor=5)
    enrol(place, world.person(Role.RESIDENT, name="钱多多", building=west), staff)
    lunch = meals_today(place)["lunch"]
    sign_in.password(staff)
    response = client.get(f"/delivery/staff/meals/{lunch.id}/sheet")
    page = html(response)
    assert response.status_code == 200 and "4 deliveries" in page.select_one(".lead").get_text()
    grids = page.select("section.round-sheet__grid")
    assert [g.h2.get_text() for g in grids] == ["第一网格", "第二网格"]
    assert [h.get_text() for h in grids[0].select("h3")] == ["1号楼", "2号楼"]
    first_building = grids[0].select("table")[0]
    assert [
        [row.get_text(" ", strip=True) for row in body.select("tr.round-sheet__floor")]
        for body in first_building.select("tbody")
    ] == [["Floor 1"], ["Floor 3"]]
    rows = [_cells(row) for row in first_building.select("tbody tr:not(.round-sheet__floor)")]
    assert rows == [
        [
            "周玉兰",
            "1号楼, 1单元, room 101 · Floor 1 · Lift",
            "",
            "None",
            "Braised pork",
            "13800138000",
            "",
            "",
            "",
        ],
        [
            "王桂兰",
            "1号楼, 1单元, room 302 · Floor 3 · No lift: stairs",
            "Ring twice, she is slow to the door",
            "Soft Low salt Cut the meat small ; No spicy food",
            "Braised pork",
            "13800138000",
            "",
            "",
            "",
        ],
    ]
    assert [th.get_text() for th in first_building.select("thead th")][-3:] == [
        "Delivered",
        "No answer",
        "Refused",
    ]
    assert len(first_building.select(".tick-box")) == 6
    assert page.select_one("[data-print]") and page.select_one("script[src*='/js/print']")


def test_round_sheet_for_one_round_and_refusals(
    client, world, people, sign_in, place, staff, two_buildings
):
    east, west = two_buildings
    enrol(place, people.resident, staff)
    enrol(place, world.person(Role.RESIDENT, name="钱多多", building=west), staff)
    meals = meals_today(place)
    rows = delivery_rounds.progress([meals["lunch"]])[meals["lunch"].id]
    west_round = next(r.round for r in rows if r.round.grid.name == "第二网格")
    sign_in.password(staff)
    url = f"/delivery/staff/meals/{meals['lunch'].id}/sheet"
    page = html(client.get(f"{url}?round={west_round.id}"))
    assert [g.h2.get_text() for g in page.select("section.round-sheet__grid")] == ["第二网格"]
    assert "王桂兰" not in page.get_text() and "钱多多" in page.get_text()
    assert client.get(f"{url}?round=9999").status_code == 404
    assert client.get(f"{url}?round=abc").status_code == 404
    dinner_sheet = f"/delivery/staff/meals/{meals['dinner'].id}/sheet?round={west_round.id}"
    assert client.get(dinner_sheet).status_code == 404
    assert client.get("/delivery/staff/meals/9999/sheet").status_code == 404


# The kitchen sheet's warning ------------------------------------------------------------------


def test_kitchen_sheet_warns_of_deliveries_not_booked(client, world, people, sign_in, staff):
    place = canteen_with_meals(world, lunch_capacity=1)
    sign_in.password(staff)
    assert not html(client.get(f"/canteen/staff/{place.id}/kitchen")).select(".kitchen-shortfall")
    enrol(place, people.resident, staff)
    enrol(place, world.person(Role.RESIDENT, name="赵建国"), staff)
    enrol(place, world.person(Role.RESIDENT, name="钱多多"), staff)
    page = html(client.get(f"/canteen/staff/{place.id}/kitchen"))
    warning = page.select_one(".kitchen-shortfall")
    assert "2 deliveries could not be booked because the meal is full." in warning.get_text()
    assert warning.select_one("a")["href"] == (
        f"/delivery/staff/canteens/{place.id}/rounds?day={place.community.today()}"
    )


def test_pauses_show_on_the_enrolment_page(client, people, sign_in, place, staff):
    enrolment = enrol(place, people.resident, staff)
    today = place.community.today()
    delivery.pause(enrolment, staff, today + timedelta(days=2), today + timedelta(days=4))
    assert db.session.scalar(select(DeliveryPause.id))
    sign_in.password(staff)
    page = html(client.get(f"/delivery/staff/enrolments/{enrolment.id}"))
    assert "Meals are delivered" in page.select_one(".tag").get_text()
    assert not page.select("form[action$='/approve']")
