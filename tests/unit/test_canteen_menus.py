"""Staff rules for canteens: who manages what, services, capacities, dishes, copying a week."""

from datetime import date, time, timedelta

import pytest
from sqlalchemy import select

from portal.accounts.models import Role
from portal.audit.models import AuditEntry
from portal.canteen import menus
from portal.canteen import services as canteen
from portal.canteen.models import Canteen, Dish, MealService
from portal.community.models import Community
from portal.extensions import db
from tests.clock import shanghai_today

MONDAY = date(2026, 11, 23)


@pytest.fixture
def place(world):
    place = Canteen(community=world.community, name="幸福食堂", senior_discount_percent=20)
    db.session.add(place)
    db.session.commit()
    return place


@pytest.fixture
def staff(world):
    return world.person(Role.CANTEEN_STAFF, name="刘师傅")


@pytest.fixture
def lunch(place, staff):
    return menus.save_service(
        staff,
        place,
        None,
        kind="lunch",
        serving_start=time(11),
        serving_end=time(13),
        cutoff=time(9, 30),
        capacity=50,
    )


def _dish(staff, service, day, name="红烧肉", **values):
    fields = {"name_zh_hans": name, "price_fen": 1500, "category": "rice", "tags": "soft"}
    return menus.add_dish(staff, service, day, **{**fields, **values})


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_staff_manage_their_own_community_and_admins_every_one(world, place, staff):
    other = Community(name="别的社区", hotline="0871-2", street_office=world.street)
    db.session.add(other)
    db.session.commit()
    outsider = world.person(Role.CANTEEN_STAFF, community=other)
    admin = world.person(Role.ADMIN)
    resident = world.person(Role.RESIDENT)
    assert menus.may_manage(staff, place)
    assert not menus.may_manage(outsider, place)
    assert menus.may_manage(admin, place)
    assert not menus.may_manage(resident, place)
    assert menus.managed_canteens(staff) == [place]
    assert menus.managed_canteens(outsider) == []
    assert menus.managed_canteens(resident) == []


def test_saving_price_tiers_audits_what_changed(place, staff):
    menus.save_canteen(
        staff, place, name="幸福食堂", senior_price_fen=800, senior_discount_percent=20
    )
    assert place.senior_price_fen == 800
    assert place.senior_discount_percent is None  # a fixed price replaces the percentage
    entry = db.session.scalars(select(AuditEntry)).one()
    assert entry.action == "canteen.changed"
    assert entry.detail["senior_price_fen"] == " → 800"
    menus.save_canteen(staff, place, name="幸福食堂", senior_price_fen=800)
    assert _actions() == ["canteen.changed"]  # nothing changed, nothing recorded


def test_a_canteen_has_one_lunch_and_sane_times(place, staff, lunch):
    with pytest.raises(menus.ServiceTaken):
        menus.save_service(
            staff,
            place,
            None,
            kind="lunch",
            serving_start=time(11),
            serving_end=time(12),
            cutoff=time(9),
            capacity=10,
        )
    for start, end, cutoff in ((time(13), time(11), time(9)), (time(11), time(13), time(11, 30))):
        with pytest.raises(menus.BadTimes):
            menus.save_service(
                staff,
                place,
                lunch,
                kind="lunch",
                serving_start=start,
                serving_end=end,
                cutoff=cutoff,
                capacity=10,
            )
    assert (lunch.serving_start, lunch.cutoff) == (time(11), time(9, 30))
    assert _actions() == ["canteen.service_added"]


def test_a_first_dish_makes_the_meal_hidden_with_the_usual_capacity(staff, lunch):
    dish = _dish(staff, lunch, MONDAY)
    meal_day = dish.meal_day
    assert (meal_day.published, meal_day.capacity, meal_day.booked) == (False, 50, 0)
    assert meal_day.dishes == [dish]
    assert _actions()[-1] == "canteen.dish_added"


def test_publishing_needs_a_dish(staff, lunch):
    dish = _dish(staff, lunch, MONDAY)
    meal_day = dish.meal_day
    menus.publish(staff, meal_day, True)
    assert meal_day.published
    menus.remove_dish(staff, dish)
    assert not meal_day.published  # nothing left to offer
    with pytest.raises(menus.NothingToPublish):
        menus.publish(staff, meal_day, True)


def _booked_meal(world, staff, lunch, number: int):
    """Today's lunch, published, with number residents booked on its one dish."""
    day = shanghai_today() + timedelta(days=1)
    dish = _dish(staff, lunch, day)
    menus.publish(staff, dish.meal_day, True)
    for index in range(number):
        resident = world.person(Role.RESIDENT, name=f"居民{index}")
        canteen.book(resident, dish, "dine_in", resident, now=_early(day))
    db.session.refresh(dish)
    return dish


def _early(day: date):
    from datetime import datetime

    return datetime.combine(day - timedelta(days=1), time(0))


def test_capacity_cannot_go_below_what_is_booked(world, staff, lunch):
    dish = _booked_meal(world, staff, lunch, 3)
    with pytest.raises(menus.BelowBooked) as refused:
        menus.set_capacity(staff, dish.meal_day, 2)
    assert refused.value.booked == 3
    assert dish.meal_day.capacity == 50
    menus.set_capacity(staff, dish.meal_day, 3)
    assert dish.meal_day.capacity == 3
    assert _actions()[-1] == "canteen.capacity"


def test_portions_cannot_go_below_what_is_booked(world, staff, lunch):
    dish = _booked_meal(world, staff, lunch, 2)
    values = {"name_zh_hans": "红烧肉", "price_fen": 1500, "category": "rice", "tags": ""}
    with pytest.raises(menus.BelowBooked) as refused:
        menus.update_dish(staff, dish, portions=1, **values)
    assert refused.value.booked == 2
    assert dish.portions is None
    menus.update_dish(staff, dish, portions=2, **{**values, "price_fen": 1800})
    assert (dish.portions, dish.price_fen) == (2, 1800)
    entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry.detail["portions"] == " → 2"
    assert entry.detail["price_fen"] == "1500 → 1800"


def test_a_price_change_leaves_bookings_at_their_price(world, staff, lunch):
    dish = _booked_meal(world, staff, lunch, 1)
    values = {"name_zh_hans": "红烧肉", "price_fen": 3000, "category": "rice", "tags": ""}
    menus.update_dish(staff, dish, portions=None, **values)
    booking = db.session.scalars(select(canteen.Booking)).one()
    assert booking.price_fen == 1200  # 20 % off 15.00, as it was when booked


def test_a_booked_dish_stays_and_a_withdrawn_one_keeps_its_history(world, staff, lunch):
    dish = _booked_meal(world, staff, lunch, 1)
    with pytest.raises(menus.DishBooked) as refused:
        menus.remove_dish(staff, dish)
    assert refused.value.booked == 1
    booking = db.session.scalars(select(canteen.Booking)).one()
    canteen.cancel(booking, booking.resident, now=_early(dish.meal_day.day))
    menus.remove_dish(staff, dish)
    assert db.session.get(Dish, dish.id).withdrawn_at is not None
    assert booking.dish.name_zh_hans == "红烧肉"
    place = lunch.canteen
    assert menus.get_dish(place, dish.id) is None
    with pytest.raises(canteen.WrongDish):
        canteen.book(
            booking.resident, dish, "dine_in", booking.resident, now=_early(dish.meal_day.day)
        )


def test_copying_last_week_fills_only_empty_meals_once(staff, lunch):
    place = lunch.canteen
    dinner = menus.save_service(
        staff,
        place,
        None,
        kind="dinner",
        serving_start=time(17),
        serving_end=time(18),
        cutoff=time(15),
        capacity=30,
    )
    earlier = MONDAY - timedelta(days=7)
    _dish(staff, lunch, earlier, "红烧肉", portions=20, photo=None)
    _dish(staff, lunch, earlier, "青菜", category="vegetables", tags="vegetarian,low_salt")
    _dish(staff, dinner, earlier + timedelta(days=2), "饺子", category="dumplings")
    planned = _dish(staff, dinner, MONDAY + timedelta(days=2), "面条", category="noodles")
    assert menus.copy_last_week(staff, place, MONDAY) == 1  # Wednesday's dinner was planned
    week = dict(menus.week_of_menus(place, MONDAY))
    monday_lunch = dict(week[MONDAY])[lunch]
    copied = monday_lunch.dishes
    assert [(d.name_zh_hans, d.portions, d.booked, d.category, d.tags) for d in copied] == [
        ("红烧肉", 20, 0, "rice", "soft"),
        ("青菜", None, 0, "vegetables", "vegetarian,low_salt"),
    ]
    assert not monday_lunch.published
    assert dict(week[MONDAY + timedelta(days=2)])[dinner].dishes == [planned]
    assert menus.copy_last_week(staff, place, MONDAY) == 0
    assert _actions().count("canteen.week_copied") == 1
    assert menus.publish_week(staff, place, MONDAY) == 2
    assert monday_lunch.published


def test_another_canteens_service_or_dish_is_not_found(world, staff, lunch):
    other = Canteen(community=world.community, name="第二食堂")
    db.session.add(other)
    db.session.commit()
    dish = _dish(staff, lunch, MONDAY)
    assert menus.get_service(other, lunch.id) is None
    assert menus.get_dish(other, dish.id) is None
    assert db.session.get(MealService, lunch.id).canteen_id == lunch.canteen_id
