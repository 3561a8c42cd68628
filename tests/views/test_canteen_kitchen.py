import csv
import io
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, select

from portal.accounts.models import Role
from portal.audit.models import AuditEntry
from portal.canteen import services as canteen
from portal.canteen.models import Booking, Canteen, Dish, MealDay
from portal.community.models import Community
from portal.extensions import db
from tests.helpers import html, text_of


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("linli_lang", "en")


@pytest.fixture
def place(world) -> Canteen:
    """The community canteen with today's lunch (pork and fish) and dinner (noodles)."""
    return world.canteen_serving(
        [world.community.today()],
        lunch=(
            {"name_zh_hans": "红烧肉", "name_en": "Braised pork", "price_fen": 1500},
            {"name_zh_hans": "清蒸鱼", "name_en": "Fish", "price_fen": 1800},
        ),
    )


def _meals(place) -> dict[str, MealDay]:
    return {m.service.kind: m for m in db.session.scalars(select(MealDay)).all()}


def _dish(place, name: str) -> Dish:
    return db.session.scalar(select(Dish).where(Dish.name_en == name))


def _early_morning(place) -> datetime:
    """06:00 today at the canteen, as naive UTC: every meal of the day can still be booked."""
    zone = ZoneInfo(place.community.timezone)
    local = datetime.combine(place.community.today(), time(6), tzinfo=zone)
    return local.astimezone(UTC).replace(tzinfo=None)


def _book(place, resident, name: str, mode: str = "dine_in") -> Booking:
    dish = _dish(place, name)
    if mode == "delivery":
        # Delivery bookings come from delivery enrolments, not from the booking pages.
        booking = Booking(
            meal_day_id=dish.meal_day_id,
            dish_id=dish.id,
            resident_id=resident.id,
            booked_by_id=resident.id,
            mode=mode,
            price_fen=dish.price_fen,
            active_key=Booking.key_for(resident.id, dish.meal_day_id),
        )
        dish.booked += 1
        dish.meal_day.booked += 1
        db.session.add(booking)
        db.session.commit()
        return booking
    booking, _ = canteen.book(resident, dish, mode, resident, now=_early_morning(place))
    return booking


@pytest.fixture
def staff(world):
    return world.person(Role.CANTEEN_STAFF, name="张师傅")


def _cells(row) -> list[str]:
    return [" ".join(cell.get_text(" ").split()) for cell in row.select("th, td")]


# The kitchen sheet ---------------------------------------------------------------------------


def test_kitchen_counts_each_way_of_eating_and_leaves_out_cancelled(
    client, world, sign_in, place, staff
):
    eaters = [world.person(Role.RESIDENT) for _ in range(5)]
    _book(place, eaters[0], "Braised pork")
    _book(place, eaters[1], "Braised pork")
    _book(place, eaters[2], "Braised pork", "pick_up")
    _book(place, eaters[3], "Fish", "delivery")
    cancelled = _book(place, eaters[4], "Braised pork", "pick_up")
    canteen.cancel(cancelled, eaters[4], now=_early_morning(place))
    sign_in.password(staff)
    page = html(client.get(f"/canteen/staff/{place.id}/kitchen"))
    lunch, dinner = page.select("section.kitchen-meal")
    assert [_cells(r) for r in lunch.select("table")[0].select("thead tr, tbody tr, tfoot tr")] == [
        ["Dish", "Eat in", "Pick up", "Delivery", "Total"],
        ["Braised pork", "2", "1", "0", "3"],
        ["Fish", "0", "0", "1", "1"],
        ["All dishes", "2", "1", "1", "4"],
    ]
    assert "4 of 80 portions booked" in lunch.get_text()
    assert "Lunch 11:00–13:00" in lunch.h2.get_text() and "Dinner" in dinner.h2.get_text()
    assert _cells(dinner.select_one("tfoot tr")) == ["All dishes", "0", "0", "0", "0"]


def test_kitchen_lists_diet_notes_with_dish_and_way_of_eating(client, world, sign_in, place, staff):
    careful = world.person(Role.RESIDENT, name="王桂兰", diet_notes="diabetic, no sugar")
    world.person(Role.RESIDENT, name="李淑珍", diet_notes="no pork")  # booked nothing
    plain = world.person(Role.RESIDENT, name="赵建国")
    _book(place, careful, "Fish", "pick_up")
    _book(place, plain, "Braised pork")
    sign_in.password(staff)
    lunch = html(client.get(f"/canteen/staff/{place.id}/kitchen")).select("section.kitchen-meal")[0]
    notes = lunch.select("table")[1]
    assert [_cells(r) for r in notes.select("tbody tr")] == [
        [f"王桂兰 {careful.resident_code}", "Fish", "Pick up", "diabetic, no sugar"]
    ]


def test_kitchen_moves_between_days_and_says_when_there_are_no_meals(client, sign_in, place, staff):
    sign_in.password(staff)
    today = place.community.today()
    page = html(client.get(f"/canteen/staff/{place.id}/kitchen"))
    nav = [a["href"] for a in page.select(".day-nav a")]
    assert nav == [
        f"/canteen/staff/{place.id}/kitchen?day={today - timedelta(days=1)}",
        f"/canteen/staff/{place.id}/kitchen?day={today + timedelta(days=1)}",
    ]
    tomorrow = client.get(nav[1])
    assert "There are no meals on this day." in text_of(tomorrow)
    assert html(tomorrow).select_one(f".day-nav a[href='/canteen/staff/{place.id}/kitchen']")


@pytest.mark.parametrize("day", ["2026-02-30", "tomorrow", "2026-3-2x"])
def test_a_day_that_is_not_a_date_is_explained(client, sign_in, place, staff, day):
    sign_in.password(staff)
    for page in ("kitchen", "counter"):
        response = client.get(f"/canteen/staff/{place.id}/{page}", query_string={"day": day})
        body = html(response)
        assert response.status_code == 422
        assert body.title.get_text().startswith("Error:")
        assert "Enter a date like 2026-03-01." in body.select_one(".error-summary").get_text()
    csv_response = client.get(f"/canteen/staff/{place.id}/kitchen.csv", query_string={"day": day})
    assert csv_response.status_code == 422


def test_kitchen_csv_opens_in_excel_with_chinese_names(client, world, sign_in, place, staff):
    _book(place, world.person(Role.RESIDENT), "Braised pork", "pick_up")
    _book(place, world.person(Role.RESIDENT), "Fish", "delivery")
    sign_in.password(staff)
    client.set_cookie("linli_lang", "zh_Hans")
    today = place.community.today()
    response = client.get(f"/canteen/staff/{place.id}/kitchen.csv", query_string={"day": today})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        f"attachment; filename=kitchen-{today.isoformat()}.csv"
    )
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows[0]) == 7 and len(rows) == 4
    assert rows[1][0] == today.isoformat() and rows[1][2:] == ["红烧肉", "0", "1", "0", "1"]
    assert rows[2][2:] == ["清蒸鱼", "0", "0", "1", "1"]
    assert rows[3][2:] == ["牛肉面", "0", "0", "0", "0"]


# Who may see them -------------------------------------------------------------------------------


def test_staff_of_another_community_residents_and_strangers_are_kept_out(
    client, world, sign_in, place
):
    elsewhere = Community(name="别的社区", hotline="0871-62222222", street_office=world.street)
    db.session.add(elsewhere)
    db.session.commit()
    outsider = world.person(Role.CANTEEN_STAFF)
    outsider.community = elsewhere
    db.session.commit()
    resident = world.person(Role.RESIDENT)
    booking = _book(place, resident, "Fish")
    pages = [
        f"/canteen/staff/{place.id}/kitchen",
        f"/canteen/staff/{place.id}/kitchen.csv",
        f"/canteen/staff/{place.id}/counter",
    ]
    mark = f"/canteen/staff/{place.id}/counter/bookings/{booking.id}/mark"
    for url in pages:
        response = client.get(url)
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    # Another community's canteen is not found; a resident may open no staff page at all.
    for person, status in ((outsider, 404), (resident, 403)):
        sign_in.as_(person)
        assert [client.get(url).status_code for url in pages] == [status] * 3
        assert client.post(mark, data={"status": "served"}).status_code == status
        sign_in.out()
    sign_in.password(world.person(Role.ADMIN))
    assert client.get(pages[0]).status_code == 200
    assert client.get("/canteen/staff/99999/kitchen").status_code == 404
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status == "booked"


# The counter ---------------------------------------------------------------------------------


@pytest.fixture
def counter_day(world, place):
    """Today's bookings: two at lunch, one at dinner, and one cancelled."""
    wang = world.person(Role.RESIDENT, name="王桂兰", special_support=True)  # over 80: free
    li = world.person(Role.RESIDENT, name="李淑珍")
    zhao = world.person(Role.RESIDENT, name="赵建国")
    qian = world.person(Role.RESIDENT, name="钱秀英")
    bookings = {
        "wang": _book(place, wang, "Fish", "pick_up"),
        "li": _book(place, li, "Braised pork"),
        "zhao": _book(place, zhao, "Beef noodles", "delivery"),
        "qian": _book(place, qian, "Braised pork"),
    }
    canteen.cancel(bookings["qian"], qian, now=_early_morning(place))
    return bookings


def _names(page) -> list[str]:
    return sorted(
        row.select_one("th").get_text(" ").split()[0] for row in page.select("tr.counter-row")
    )


def _figures(page) -> list[tuple[str, str]]:
    return [
        (d.dt.get_text(strip=True), d.dd.get_text(strip=True))
        for d in page.select("#counter-totals div")
    ]


def test_counter_lists_the_days_standing_bookings_by_meal(
    client, sign_in, place, staff, counter_day
):
    sign_in.password(staff)
    page = html(client.get(f"/canteen/staff/{place.id}/counter"))
    assert [h.get_text(" ", strip=True) for h in page.select("main h2")] == [
        "Lunch 11:00–13:00",
        "Dinner 17:00–19:00",
    ]
    lunch, dinner = page.select("table.counter-table")
    assert (_names(lunch), _names(dinner)) == (["李淑珍", "王桂兰"], ["赵建国"])
    li, wang = counter_day["li"], counter_day["wang"]
    assert _cells(page.select_one(f"#booking-{li.id}"))[:6] == [
        f"李淑珍 {li.resident.resident_code}",
        li.reference,
        "Braised pork",
        "Eat in",
        "¥15.00",
        "Booked",
    ]
    assert _cells(page.select_one(f"#booking-{wang.id}"))[3:5] == ["Pick up", "Free"]
    # The delivered dinner has a table of its own, without the counter's buttons.
    assert page.select_one("main h3").get_text() == "Delivered to the door"
    zhao = page.select_one(f"#booking-{counter_day['zhao'].id}")
    assert _cells(zhao)[-1] == "Not yet delivered" and not zhao.select("form")
    assert _figures(page) == [
        ("Booked", "2"),
        ("Served", "0"),
        ("Not collected", "0"),
        ("Still to serve", "2"),
        ("Deliveries", "1"),
        ("Delivered", "0"),
        ("No answer", "0"),
    ]


def test_a_door_that_did_not_open_is_not_a_meal_left_at_the_counter(
    client, htmx, sign_in, place, staff, counter_day
):
    zhao = counter_day["zhao"]
    zhao.status = "no_show"  # as its round marks a door that did not open
    db.session.commit()
    sign_in.password(staff)
    page = html(client.get(f"/canteen/staff/{place.id}/counter"))
    assert ("Not collected", "0") in _figures(page) and ("No answer", "1") in _figures(page)
    assert _cells(page.select_one(f"#booking-{zhao.id}"))[-1] == "No answer"
    # Nor can the counter mark it: the round does.
    url = f"/canteen/staff/{place.id}/counter/bookings/{zhao.id}/mark"
    refused = htmx("post", url, target=f"booking-{zhao.id}", data={"status": "served"})
    message = f"Booking {zhao.reference} is delivered: the volunteer marks it on the round."
    assert refused.status_code == 422 and message in html(refused).select_one("#status").get_text()
    db.session.expire_all()
    assert db.session.get(Booking, zhao.id).status == "no_show"


@pytest.mark.parametrize(
    ("search", "found"),
    [
        ("桂兰", ["王桂兰"]),
        ("RESIDENT_CODE", ["赵建国"]),
        ("REFERENCE", ["李淑珍"]),
        ("NUMBER", ["李淑珍"]),
        ("钱秀英", []),  # cancelled
        ("%", []),
    ],
)
def test_counter_finds_by_name_code_or_reference(
    client, sign_in, place, staff, counter_day, search, found
):
    search = {
        "RESIDENT_CODE": counter_day["zhao"].resident.resident_code,
        "REFERENCE": counter_day["li"].reference,
        "NUMBER": str(counter_day["li"].id),
    }.get(search, search)
    sign_in.password(staff)
    response = client.get(f"/canteen/staff/{place.id}/counter", query_string={"q": search})
    page = html(response)
    assert _names(page) == found
    assert page.select_one("input#q")["value"] == search
    if not found:
        assert f"No booking of this day matches “{search}”." in text_of(response)


def test_served_without_javascript_goes_back_to_the_same_search(
    client, sign_in, place, staff, counter_day
):
    wang = counter_day["wang"]
    sign_in.password(staff)
    response = client.post(
        f"/canteen/staff/{place.id}/counter/bookings/{wang.id}/mark",
        data={"status": "served", "q": "王"},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == (
        f"/canteen/staff/{place.id}/counter?day={place.community.today()}&q=%E7%8E%8B"
    )
    page = html(client.get(response.headers["Location"]))
    assert f"Served: 王桂兰, {wang.reference}" in page.select_one("#status").get_text()
    assert page.select_one(f"#booking-{wang.id} .tag").get_text(strip=True) == "Served"
    assert page.select_one(f"#mark-served-{wang.id}")["aria-pressed"] == "true"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "canteen.served"))
    assert entry.actor_id == staff.id and entry.subject_id == wang.resident_id
    assert entry.detail == {"booking": wang.reference}


@pytest.mark.parametrize(
    ("status", "word", "served", "not_collected"),
    [("served", "Served", "1", "0"), ("no_show", "Not collected", "0", "1")],
)
def test_marking_with_htmx_swaps_the_row_and_tells_the_status_region(
    htmx, sign_in, place, staff, counter_day, status, word, served, not_collected
):
    li = counter_day["li"]
    sign_in.password(staff)
    response = htmx(
        "post",
        f"/canteen/staff/{place.id}/counter/bookings/{li.id}/mark",
        target=f"booking-{li.id}",
        data={"status": status, "q": ""},
    )
    assert response.status_code == 200 and "HX-Target" in response.headers["Vary"]
    fragment = html(response)
    assert not fragment.select("html, h1")
    row = fragment.select_one(f"tr#booking-{li.id}")
    assert row.select_one(".tag").get_text(strip=True) == word
    assert row.select_one(f"#mark-{status}-{li.id}")["aria-pressed"] == "true"
    assert fragment.select_one("#counter-totals")["data-hx-swap-oob"] == "true"
    assert [n for _, n in _figures(fragment)] == ["2", served, not_collected, "1", "1", "0", "0"]
    region = fragment.select_one("#status[data-hx-swap-oob='innerHTML']")
    assert region.get_text(" ", strip=True) == f"{word}: 李淑珍, {li.reference}"
    db.session.expire_all()
    assert db.session.get(Booking, li.id).status == status


def test_a_no_show_can_be_corrected_and_marking_twice_changes_nothing(
    client, sign_in, place, staff, counter_day
):
    li = counter_day["li"]
    url = f"/canteen/staff/{place.id}/counter/bookings/{li.id}/mark"
    sign_in.password(staff)
    for status in ("no_show", "served", "served"):
        client.post(url, data={"status": status})
    actions = db.session.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.subject_id == li.resident_id)
        .order_by(AuditEntry.id)
    ).all()
    assert actions == ["canteen.no_show", "canteen.served"]


def test_cancelled_foreign_and_unknown_bookings_and_statuses_are_refused(
    client, htmx, world, sign_in, place, staff, counter_day
):
    qian = counter_day["qian"]
    sign_in.password(staff)
    url = f"/canteen/staff/{place.id}/counter/bookings/{qian.id}/mark"
    response = client.post(url, data={"status": "served"}, follow_redirects=True)
    message = f"Booking {qian.reference} was cancelled, so it cannot be marked."
    assert message in html(response).select_one("#status").get_text()
    refused = htmx("post", url, target=f"booking-{qian.id}", data={"status": "served"})
    fragment = html(refused)
    assert refused.status_code == 422 and message in fragment.select_one("#status").get_text()
    assert fragment.select_one(f"#booking-{qian.id} .tag").get_text(strip=True) == "Cancelled"
    assert not fragment.select(f"#booking-{qian.id} form")
    assert db.session.get(Booking, qian.id).status == "cancelled"

    other = Canteen(community=world.community, name="别的食堂")
    db.session.add(other)
    db.session.commit()
    li = counter_day["li"]
    elsewhere = f"/canteen/staff/{other.id}/counter/bookings/{li.id}/mark"
    assert client.post(elsewhere, data={"status": "served"}).status_code == 404
    missing = f"/canteen/staff/{place.id}/counter/bookings/99999/mark"
    assert client.post(missing, data={"status": "served"}).status_code == 404
    mine = f"/canteen/staff/{place.id}/counter/bookings/{li.id}/mark"
    assert client.post(mine, data={"status": "cancelled"}).status_code == 400
    db.session.expire_all()
    assert db.session.get(Booking, li.id).status == "booked"
    assert db.session.scalar(select(AuditEntry.id)) is None


# Queries -------------------------------------------------------------------------------------


def _queries(client, url: str) -> int:
    statements = []

    def count(*args):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def test_pages_ask_the_database_the_same_number_of_times_however_many_bookings(
    client, world, sign_in, place, staff
):
    sign_in.password(staff)
    urls = [f"/canteen/staff/{place.id}/kitchen", f"/canteen/staff/{place.id}/counter"]
    _book(place, world.person(Role.RESIDENT, diet_notes="no pork"), "Fish")
    few = [_queries(client, url) for url in urls]
    for index in range(6):
        resident = world.person(Role.RESIDENT, diet_notes="soft food" if index % 2 else None)
        _book(place, resident, ["Fish", "Braised pork", "Beef noodles"][index % 3], "pick_up")
    many = [_queries(client, url) for url in urls]
    assert many == few


def test_the_counter_and_the_diet_notes_list_names_by_pinyin(client, world, sign_in, place, staff):
    """傅, 刘, 吴, 周 as a Chinese reader looks for them (fu, liu, wu, zhou), not by code point."""
    for name in ("周海燕", "傅强", "刘芳", "吴磊"):
        _book(place, world.person(Role.RESIDENT, name=name, diet_notes="少盐"), "Braised pork")
    sign_in.password(staff)
    counter = html(client.get(f"/canteen/staff/{place.id}/counter"))
    rows = [
        row.select_one("th").get_text(" ").split()[0] for row in counter.select("tr.counter-row")
    ]
    assert rows == ["傅强", "刘芳", "吴磊", "周海燕"]
    kitchen = text_of(client.get(f"/canteen/staff/{place.id}/kitchen"))
    assert [kitchen.index(name) for name in ("傅强", "刘芳", "吴磊", "周海燕")] == sorted(
        kitchen.index(name) for name in ("傅强", "刘芳", "吴磊", "周海燕")
    )


def test_diet_notes_tell_two_residents_of_one_name_apart(client, world, sign_in, place, staff):
    first, second = (
        world.person(Role.RESIDENT, name="王芳", diet_notes=notes) for notes in ("不吃辣", "少糖")
    )
    _book(place, first, "Braised pork")
    _book(place, second, "Fish")
    sign_in.password(staff)
    page = html(client.get(f"/canteen/staff/{place.id}/kitchen"))
    rows = {
        row.select_one("td.kitchen-table__note").get_text(strip=True): row.th.get_text(
            " ", strip=True
        )
        for row in page.select(".kitchen-table tbody tr")
        if row.select_one("td.kitchen-table__note")
    }
    assert rows == {
        "不吃辣": f"王芳 {first.resident_code}",
        "少糖": f"王芳 {second.resident_code}",
    }
