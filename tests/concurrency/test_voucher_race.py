"""Vouchers got and spent at the same moment against the portal served by gunicorn: one person's
points never go below zero however many confirmations they send at once from several devices,
the last voucher in stock goes to one person, a double tap of one confirmation gets one voucher,
and one voucher pays for one booking."""

from collections import Counter
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from flask import url_for
from sqlalchemy import func, select

from portal.accounts.models import Role
from portal.canteen.models import Booking, MealDay
from portal.community.models import today_in
from portal.config import DEFAULT_TIMEZONE
from portal.extensions import db
from portal.points import services as points
from portal.points import vouchers
from portal.points.models import Voucher, VoucherKind
from tests.concurrency.test_booking_race import Browser, _all_at_once, _race
from tests.helpers import PASSWORD

pytestmark = pytest.mark.concurrency

DEVICES = 8


@pytest.fixture(autouse=True)
def paths_from_url_for(app):
    with app.test_request_context():
        yield


def _kind(world, **values) -> VoucherKind:
    today = today_in(DEFAULT_TIMEZONE)
    kind = VoucherKind(
        community_id=world.community.id,
        name="爱心午餐券",
        use="meal",
        value_fen=1500,
        valid_from=today - timedelta(days=1),
        valid_until=today + timedelta(days=30),
        **{"points": 40, **values},
    )
    db.session.add(kind)
    db.session.commit()
    return kind


def _volunteer(world, name: str, balance: int):
    person = world.person(Role.VOLUNTEER, name=name)
    points.earn(person, world.community.id, balance, f"race:{person.id}")
    return person


class Device:
    """A volunteer's phone, made here and signed in on a thread of its own later: url_for is
    only at hand here."""

    def __init__(self, server_url: str, person, kind: VoucherKind):
        self.browser = Browser(server_url)
        self.sign_in_path = url_for("accounts.sign_in")
        self.check_path = url_for("points.get", kind_id=kind.id)
        self.phone = person.phone

    def sign_in(self) -> Browser:
        token = self.browser.form_token(self.sign_in_path)
        answer = self.browser.submit(self.sign_in_path, token, phone=self.phone, password=PASSWORD)
        assert answer.status_code == 303
        return self.browser


def _confirmation(browser: Browser, path: str) -> tuple[str, str, str]:
    """The voucher's check page as the browser has it: its path, CSRF token and one-time key."""
    page = BeautifulSoup(browser.open(path).text, "html.parser")
    return (
        path,
        page.select_one("input[name=csrf_token]")["value"],
        page.select_one("input[name=key]")["value"],
    )


def _statuses(responses, server) -> Counter:
    statuses = Counter(response.status_code for response in responses)
    assert set(statuses) <= {303, 422}, f"{statuses}\n{server.log_tail()}"
    return statuses


def test_confirmations_from_many_devices_at_once_never_overspend(app, world, server):
    kind = _kind(world)
    volunteer = _volunteer(world, "志愿者小张", 100)

    def ready(device: Device):
        def prepare():
            browser = device.sign_in()
            path, token, key = _confirmation(browser, device.check_path)
            return lambda: browser.submit(path, token, key=key)

        return prepare

    devices = [Device(server.url, volunteer, kind) for _ in range(DEVICES)]
    responses = _race(_all_at_once([ready(device) for device in devices]))
    assert _statuses(responses, server) == {303: 2, 422: DEVICES - 2}
    for response in responses:
        if response.status_code == 422:
            assert "this voucher costs 40" in response.text
    db.session.expire_all()
    assert points.balance(volunteer, world.community.id) == 20
    assert db.session.scalar(select(func.count()).select_from(Voucher)) == 2
    assert points.unbalanced() == []


def test_the_last_voucher_goes_to_one_person_and_a_double_tap_gets_one(app, world, server):
    kind = _kind(world, stock=1, points=10)
    racers = [_volunteer(world, f"志愿者{n}", 50) for n in range(DEVICES)]

    def prepare(person):
        device, twin = Device(server.url, person, kind), Browser(server.url)

        def ready():
            browser = device.sign_in()
            path, token, key = _confirmation(browser, device.check_path)
            twin.http.cookies.update(browser.http.cookies)
            return [
                lambda: browser.submit(path, token, key=key),
                lambda: twin.submit(path, token, key=key),
            ]

        return ready

    taps = [tap for pair in _all_at_once([prepare(person) for person in racers]) for tap in pair]
    responses = _race(taps)
    statuses = _statuses(responses, server)
    # The winner's two taps both land on the one voucher; everyone else is told none are left.
    assert statuses[303] == 2 and statuses[422] == 2 * DEVICES - 2
    assert len({r.headers["Location"] for r in responses if r.status_code == 303}) == 1
    db.session.expire_all()
    assert db.session.get(VoucherKind, kind.id).issued == 1
    assert db.session.scalar(select(func.count()).select_from(Voucher)) == 1
    assert sorted(points.balance(person, world.community.id) for person in racers) == [40] + [
        50
    ] * (DEVICES - 1)
    assert points.unbalanced() == []


def test_one_voucher_pays_for_one_booking_when_two_meals_are_booked_at_once(app, world, server):
    today = today_in(DEFAULT_TIMEZONE)
    kind = _kind(world, per_person=None)
    place = world.canteen_serving([today + timedelta(days=days) for days in (1, 2)])
    lunches = sorted(
        (
            meal_day
            for meal_day in db.session.scalars(select(MealDay))
            if meal_day.service.kind == "lunch"
        ),
        key=lambda meal_day: meal_day.day,
    )
    assert [meal_day.service.canteen_id for meal_day in lunches] == [place.id] * 2
    resident = world.person(Role.RESIDENT, name="王秀英")
    points.earn(resident, world.community.id, 40, f"race:{resident.id}")
    voucher = vouchers.redeem(resident, db.session.get(VoucherKind, kind.id), "race")
    pay, code = f"voucher:{voucher.id}", resident.resident_code

    def prepare(meal_day):
        browser = Browser(server.url)
        path = url_for(
            "canteen.check",
            resident_id=resident.id,
            meal_day_id=meal_day.id,
            dish_id=meal_day.dishes[0].id,
        )

        def ready():
            browser.sign_in(code)
            token = browser.form_token(path)
            return lambda: browser.submit(path, token, mode="dine_in", pay=pay)

        return ready

    responses = _race(_all_at_once([prepare(meal_day) for meal_day in lunches]))
    assert all(response.status_code == 303 for response in responses), server.log_tail()
    db.session.expire_all()
    bookings = db.session.scalars(select(Booking)).all()
    assert [booking.paid_with for booking in bookings].count(voucher.reference) == 1
    assert len(bookings) <= 2
    assert points.unbalanced() == []
