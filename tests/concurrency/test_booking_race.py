"""Many residents book at the same moment against the portal served by gunicorn: a meal never takes
more bookings than its capacity, a dish never more than its portions, and a resident who taps twice
holds one booking."""

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import requests
from bs4 import BeautifulSoup
from flask import url_for
from sqlalchemy import select

from portal.accounts.models import Person, Role
from portal.canteen.models import Booking, BookingStatus, Dish, MealDay
from portal.community.models import today_in
from portal.config import DEFAULT_TIMEZONE
from portal.extensions import db
from tests.helpers import PIN

pytestmark = pytest.mark.concurrency

RACERS = 40
TIMEOUT_SECONDS = 20
SOLD_OUT = "Just sold out"

Booker = Callable[[], requests.Response]


@pytest.fixture(autouse=True)
def paths_from_url_for(app):
    """url_for gives paths on the server, as it does inside a request."""
    with app.test_request_context():
        yield


class Browser:
    """One resident's browser on their own device: its own cookies, pages in English, and forms
    sent with the CSRF token of the page they came from."""

    def __init__(self, server_url: str):
        self.server_url = server_url
        self.kiosk, self.kiosk_pin = url_for("accounts.kiosk_code"), url_for("accounts.kiosk_pin")
        self.http = requests.Session()
        self.http.cookies.set("linli_lang", "en")

    def open(self, path: str) -> requests.Response:
        return self.http.get(self.server_url + path, timeout=TIMEOUT_SECONDS)

    def form_token(self, path: str) -> str:
        """Open the page at path and return the CSRF token of its form."""
        page = self.open(path)
        assert page.status_code == 200, page.text
        return BeautifulSoup(page.text, "html.parser").select_one("input[name=csrf_token]")["value"]

    def submit(self, path: str, token: str, **fields: str) -> requests.Response:
        """Post a form and return the answer itself, without following a redirect."""
        return self.http.post(
            self.server_url + path,
            data={"csrf_token": token, **fields},
            allow_redirects=False,
            timeout=TIMEOUT_SECONDS,
        )

    def sign_in(self, code: str) -> None:
        """Sign in with the resident code, then the PIN, as on the keypad."""
        token = self.form_token(self.kiosk)
        assert self.submit(self.kiosk, token, code=code).status_code == 303
        assert self.submit(self.kiosk_pin, token, pin=PIN).status_code == 303

    def twin(self) -> "Browser":
        """The same browser once more, for another tap while the first is still on its way."""
        twin = Browser(self.server_url)
        twin.http.cookies.update(self.http.cookies)
        return twin


def _lunch(world, capacity: int, portions: int | None = None) -> MealDay:
    """Tomorrow's published lunch with capacity seats and two dishes, pork then fish; the fish
    has portions of its own when given."""
    return world.lunch(
        today_in(DEFAULT_TIMEZONE) + timedelta(days=1),
        {"name_zh_hans": "红烧肉", "name_en": "Braised pork", "price_fen": 1500},
        {
            "name_zh_hans": "清蒸鱼",
            "name_en": "Steamed fish",
            "price_fen": 1800,
            "portions": portions,
        },
        capacity=capacity,
        phone="0871-1234",
    )


def _residents(world, count: int) -> list[Person]:
    return [world.person(Role.RESIDENT, name=f"居民{n}") for n in range(count)]


def _check_path(resident: Person, dish: Dish) -> str:
    return url_for(
        "canteen.check", resident_id=resident.id, meal_day_id=dish.meal_day_id, dish_id=dish.id
    )


def _ready_to_book(server_url: str, resident: Person, dish: Dish) -> Callable[[], Booker]:
    """A task that signs the resident in and opens the dish's booking page, and returns the
    booking to send later."""
    browser, code, check = Browser(server_url), resident.resident_code, _check_path(resident, dish)

    def prepare() -> Booker:
        browser.sign_in(code)
        token = browser.form_token(check)
        return lambda: browser.submit(check, token, mode="dine_in")

    return prepare


def _all_at_once(tasks: list[Callable]) -> list:
    """Run every task in a thread of its own and return their results in order."""
    with ThreadPoolExecutor(max_workers=len(tasks)) as pool:
        return list(pool.map(lambda task: task(), tasks))


def _race(bookers: list[Booker]) -> list[requests.Response]:
    """Send every booking at the same moment, released together by a barrier."""
    start = threading.Barrier(len(bookers), timeout=TIMEOUT_SECONDS)

    def on_the_mark(book: Booker) -> Booker:
        def send() -> requests.Response:
            start.wait()
            return book()

        return send

    return _all_at_once([on_the_mark(book) for book in bookers])


def _statuses(responses: list[requests.Response], server) -> Counter:
    """How many answers of each status; anything but a redirect or a conflict fails, with the
    server's log."""
    statuses = Counter(response.status_code for response in responses)
    assert set(statuses) <= {303, 422}, f"{statuses}\n{server.log_tail()}"
    return statuses


def _booking_id(response: requests.Response) -> int:
    """The booking a success answer redirects to."""
    path = urlsplit(response.headers["Location"]).path
    booking_id = int(path.rsplit("/", 1)[1])
    assert path == url_for("canteen.booked", booking_id=booking_id)
    return booking_id


def _sold_out_page(response: requests.Response) -> BeautifulSoup:
    page = BeautifulSoup(response.text, "html.parser")
    assert page.select_one("[role=alert] h2").get_text(strip=True) == SOLD_OUT
    return page


def _standing(meal_day: MealDay) -> list[Booking]:
    """The meal's standing bookings as the database holds them now."""
    db.session.expire_all()
    query = select(Booking).where(
        Booking.meal_day_id == meal_day.id, Booking.status == BookingStatus.BOOKED
    )
    return list(db.session.scalars(query))


def _assert_counters_match(meal_day: MealDay, standing: list[Booking]) -> None:
    """The seats and portions counted as booked are exactly the standing bookings."""
    assert meal_day.booked == len(standing)
    per_dish = Counter(booking.dish_id for booking in standing)
    assert {dish.id: dish.booked for dish in meal_day.dishes} == {
        dish.id: per_dish[dish.id] for dish in meal_day.dishes
    }


def test_the_last_seats_go_to_exactly_as_many_residents_as_the_meal_holds(app, world, server):
    capacity = 8
    meal_day = _lunch(world, capacity)
    dishes = meal_day.dishes
    residents = _residents(world, RACERS)
    preparations = [
        _ready_to_book(server.url, resident, dishes[n % len(dishes)])
        for n, resident in enumerate(residents)
    ]
    responses = _race(_all_at_once(preparations))

    assert _statuses(responses, server) == {303: capacity, 422: RACERS - capacity}
    won = {
        _booking_id(response): resident.id
        for response, resident in zip(responses, residents, strict=True)
        if response.status_code == 303
    }
    for response in responses:
        if response.status_code == 422:
            assert "This meal is now full" in _sold_out_page(response).get_text(" ")
    standing = _standing(meal_day)
    assert {booking.id: booking.resident_id for booking in standing} == won
    _assert_counters_match(meal_day, standing)


def test_a_dish_with_portions_of_its_own_goes_to_exactly_that_many(app, world, server):
    portions, racers = 3, 20
    meal_day = _lunch(world, capacity=30, portions=portions)
    pork, fish = meal_day.dishes
    residents = _residents(world, racers)
    preparations = [_ready_to_book(server.url, resident, fish) for resident in residents]
    responses = _race(_all_at_once(preparations))

    assert _statuses(responses, server) == {303: portions, 422: racers - portions}
    for response, resident in zip(responses, residents, strict=True):
        if response.status_code == 422:
            offered = _sold_out_page(response).select("a.dish")
            assert [link["href"] for link in offered] == [_check_path(resident, pork)]
    standing = _standing(meal_day)
    assert {booking.dish_id for booking in standing} == {fish.id}
    _assert_counters_match(meal_day, standing)


@pytest.mark.parametrize("capacity", [8, 1], ids=["seats to spare", "the last seat"])
def test_a_resident_tapping_again_and_again_holds_one_booking(app, world, server, capacity):
    taps = 10
    meal_day = _lunch(world, capacity)
    (resident,) = _residents(world, 1)
    check = _check_path(resident, meal_day.dishes[0])
    browser = Browser(server.url)
    browser.sign_in(resident.resident_code)
    token = browser.form_token(check)
    tabs = [browser.twin() for _ in range(taps)]
    responses = _race([lambda tab=tab: tab.submit(check, token, mode="dine_in") for tab in tabs])

    assert _statuses(responses, server) == {303: taps}
    (booking_id,) = {_booking_id(response) for response in responses}
    standing = _standing(meal_day)
    assert [booking.id for booking in standing] == [booking_id]
    _assert_counters_match(meal_day, standing)
    assert standing[0].reference in browser.open(responses[0].headers["Location"]).text
