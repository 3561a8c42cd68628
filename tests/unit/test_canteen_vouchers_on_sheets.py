"""Meals paid by voucher on the canteen's sheets: the kitchen counts them per dish (and its
spreadsheet gains a column for them on a day that has any), and the counter counts them. The
canteen knows only that a booking was paid with something (Booking.paid_with), never by what."""

from datetime import date

import pytest

from portal.accounts.models import Role
from portal.canteen import services as canteen
from portal.canteen.models import Booking, Dish
from portal.extensions import db

DAY = date(2026, 3, 2)


@pytest.fixture
def lunch(world):
    return world.lunch(
        DAY,
        {"name_zh_hans": "红烧肉套餐", "price_fen": 1500},
        {"name_zh_hans": "清蒸鱼", "price_fen": 1800},
    )


def _booked(world, dish: Dish, mode="dine_in", paid_with=None, status="booked") -> Booking:
    """A booking of dish, paid with the voucher paid_with (for ¥10.00) if given."""
    resident = world.person(Role.RESIDENT)
    booking = Booking(
        meal_day_id=dish.meal_day_id,
        dish_id=dish.id,
        resident_id=resident.id,
        booked_by_id=resident.id,
        mode=mode,
        price_fen=dish.price_fen,
        paid_with=paid_with,
        paid_with_fen=1000 if paid_with else 0,
        status=status,
    )
    db.session.add(booking)
    db.session.commit()
    return booking


@pytest.fixture
def paid(world, lunch):
    """Pork: two eaten in (one paid by voucher) and one delivered paid by voucher; fish: one
    eaten in; and a cancelled pork paid by voucher, which counts nowhere."""
    pork, fish = lunch.dishes
    _booked(world, pork, paid_with="Q000001")
    _booked(world, pork)
    _booked(world, pork, "delivery", paid_with="Q000002")
    _booked(world, fish)
    _booked(world, pork, paid_with="Q000003", status="cancelled")
    return lunch


def test_the_kitchen_counts_meals_paid_by_voucher_per_dish(paid):
    (meal,) = canteen.kitchen_counts(paid.service.canteen, DAY)
    rows = {row["dish"].name_zh_hans: row for row in meal["dishes"]}
    assert (rows["红烧肉套餐"]["total"], rows["红烧肉套餐"]["paid_with"]) == (3, 2)
    assert (rows["清蒸鱼"]["total"], rows["清蒸鱼"]["paid_with"]) == (1, 0)
    assert (meal["total"], meal["paid_with"]) == (4, 2)


def test_the_kitchen_spreadsheet_has_a_column_for_vouchers_on_a_day_with_any(app, paid):
    from flask_babel import force_locale

    with app.test_request_context(), force_locale("en"):
        text = canteen.kitchen_csv(canteen.kitchen_counts(paid.service.canteen, DAY), DAY, "en")
    assert text.splitlines() == [
        "\ufeffDate,Lunch or dinner,Dish,Eat in,Pick up,Delivery,Total,Paid by voucher",
        "2026-03-02,Lunch,红烧肉套餐,2,0,1,3,2",
        "2026-03-02,Lunch,清蒸鱼,1,0,0,1,0",
    ]


def test_the_counter_counts_standing_meals_paid_by_voucher(world, paid):
    place = paid.service.canteen
    assert canteen.counter_paid_with(place, DAY) == 2
    assert canteen.counter_paid_with(place, date(2026, 3, 3)) == 0


def test_a_booking_paid_by_voucher_leaves_the_rest_to_pay(world, lunch):
    booking = _booked(world, lunch.dishes[1], paid_with="Q000004")
    assert booking.to_pay_fen == 800
