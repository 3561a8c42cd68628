import threading
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from portal.accounts.models import Person, Role
from portal.canteen import services as canteen
from portal.canteen.models import Booking, Canteen, Dish, MealDay, MealService
from portal.extensions import db

# 2026-03-02 in Shanghai; lunch books until 09:30 there, which is 01:30 UTC.
DAY = date(2026, 3, 2)
BEFORE_CUTOFF = datetime(2026, 3, 2, 1, 29, 59)
AT_CUTOFF = datetime(2026, 3, 2, 1, 30)


@pytest.fixture
def lunch(world):
    return world.lunch(
        DAY,
        {"name_zh_hans": "红烧肉套餐", "price_fen": 1500},
        {"name_zh_hans": "清蒸鱼", "price_fen": 1800, "portions": 1},
        capacity=3,
        senior_discount_percent=20,
    )


def _resident(world, born: date, special=False) -> Person:
    return world.person(Role.RESIDENT, birth_date=born, special_support=special)


@pytest.mark.parametrize(
    ("born", "special", "price"),
    [
        (date(1970, 1, 1), False, 1500),  # 56: standard
        (date(1966, 3, 3), False, 1500),  # turns 60 the day after the meal
        (date(1966, 3, 2), False, 1200),  # 60 on the meal date: 20 % off
        (date(1946, 3, 2), False, 1200),  # 80 without special support: still the discount
        (date(1946, 3, 2), True, 0),  # 80 and special support: free
        (date(1946, 3, 3), True, 1200),  # 79 until tomorrow
    ],
)
def test_price_by_age_on_the_meal_date(world, lunch, born, special, price):
    resident = _resident(world, born, special)
    dish = lunch.dishes[0]
    assert lunch.service.canteen.price_for(resident, dish, DAY) == price


def test_fixed_senior_price_wins_over_the_percentage(world, lunch):
    lunch.service.canteen.senior_price_fen = 800
    resident = _resident(world, date(1950, 1, 1))
    assert lunch.service.canteen.price_for(resident, lunch.dishes[0], DAY) == 800


def test_cutoff_is_local_time_on_the_day(lunch):
    assert lunch.cutoff_at == AT_CUTOFF


def test_booking_before_cutoff_fixes_the_price(world, lunch):
    resident = _resident(world, date(1950, 1, 1))
    booking, created = canteen.book(
        resident, lunch.dishes[0], "dine_in", resident, now=BEFORE_CUTOFF
    )
    assert created and booking.price_fen == 1200 and booking.reference.startswith("B")
    lunch.service.canteen.senior_discount_percent = 50
    db.session.commit()
    db.session.refresh(booking)
    assert booking.price_fen == 1200


def test_booking_at_or_after_cutoff_and_outside_the_window_is_refused(world, lunch):
    resident = _resident(world, date(1950, 1, 1))
    with pytest.raises(canteen.PastCutoff):
        canteen.book(resident, lunch.dishes[0], "dine_in", resident, now=AT_CUTOFF)
    with pytest.raises(canteen.NotOpen):  # seven days ahead is one too many
        canteen.book(
            resident, lunch.dishes[0], "dine_in", resident, now=BEFORE_CUTOFF - timedelta(days=7)
        )
    lunch.published = False
    with pytest.raises(canteen.NotOpen):
        canteen.book(resident, lunch.dishes[0], "dine_in", resident, now=BEFORE_CUTOFF)


def test_late_evening_utc_is_already_the_next_day_in_shanghai(world, lunch):
    """16:30 UTC on 1 March is 00:30 on 2 March in Shanghai: booking that day's lunch is fine."""
    resident = _resident(world, date(1950, 1, 1))
    booking, _ = canteen.book(
        resident, lunch.dishes[0], "pick_up", resident, now=datetime(2026, 3, 1, 16, 30)
    )
    assert booking.mode == "pick_up"


def test_a_second_booking_for_the_same_meal_returns_the_first(world, lunch):
    resident = _resident(world, date(1950, 1, 1))
    first, _ = canteen.book(resident, lunch.dishes[0], "dine_in", resident, now=BEFORE_CUTOFF)
    again, created = canteen.book(resident, lunch.dishes[1], "dine_in", resident, now=BEFORE_CUTOFF)
    assert again.id == first.id and not created
    db.session.refresh(lunch)
    assert lunch.booked == 1


def test_tampered_dish_mode_and_unlinked_family_are_refused(world, lunch):
    resident = _resident(world, date(1950, 1, 1))
    stranger = world.person(Role.FAMILY)
    other_day = MealDay(
        service=lunch.service, day=DAY + timedelta(days=1), published=True, capacity=5
    )
    db.session.add(other_day)
    db.session.commit()
    with pytest.raises(canteen.WrongDish):
        canteen.book(
            resident, lunch.dishes[0], "dine_in", resident, meal_day=other_day, now=BEFORE_CUTOFF
        )
    with pytest.raises(canteen.UnknownMode):
        canteen.book(resident, lunch.dishes[0], "teleport", resident, now=BEFORE_CUTOFF)
    with pytest.raises(canteen.NotAllowed):
        canteen.book(resident, lunch.dishes[0], "dine_in", stranger, now=BEFORE_CUTOFF)


def test_sold_out_dish_offers_the_alternatives(world, lunch):
    first, second = _resident(world, date(1950, 1, 1)), _resident(world, date(1951, 1, 1))
    fish = lunch.dishes[1]
    canteen.book(first, fish, "dine_in", first, now=BEFORE_CUTOFF)
    with pytest.raises(canteen.SoldOut) as sold_out:
        canteen.book(second, fish, "dine_in", second, now=BEFORE_CUTOFF)
    assert [d.name_zh_hans for d in sold_out.value.alternatives] == ["红烧肉套餐"]


def test_cancel_gives_the_portion_back_until_the_cutoff(world, lunch):
    resident = _resident(world, date(1950, 1, 1))
    booking, _ = canteen.book(resident, lunch.dishes[1], "dine_in", resident, now=BEFORE_CUTOFF)
    with pytest.raises(canteen.PastCutoff):
        canteen.cancel(booking, resident, now=AT_CUTOFF)
    canteen.cancel(booking, resident, now=BEFORE_CUTOFF)
    db.session.refresh(lunch)
    assert lunch.booked == 0 and lunch.dishes[1].booked == 0
    again, created = canteen.book(resident, lunch.dishes[1], "dine_in", resident, now=BEFORE_CUTOFF)
    assert created and again.id != booking.id


def test_concurrent_bookings_never_exceed_capacity(app, world, lunch):
    residents = [_resident(world, date(1950, 1, 1)).id for _ in range(10)]
    barrier = threading.Barrier(len(residents))
    outcomes = []

    def run(person_id):
        with app.app_context():
            person = db.session.get(Person, person_id)
            dish = db.session.get(Dish, lunch.dishes[0].id)
            barrier.wait()
            try:
                canteen.book(person, dish, "dine_in", person, now=BEFORE_CUTOFF)
                outcomes.append("booked")
            except canteen.SoldOut:
                outcomes.append("sold out")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in residents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("booked") == 3 and outcomes.count("sold out") == 7
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 3
    assert db.session.get(MealDay, lunch.id).booked == 3


def test_kitchen_counts_split_by_way_of_eating_and_skip_cancelled(world, lunch):
    residents = [_resident(world, date(1950, 1, 1)) for _ in range(3)]
    pork, fish = lunch.dishes
    canteen.book(residents[0], pork, "dine_in", residents[0], now=BEFORE_CUTOFF)
    canteen.book(residents[1], fish, "pick_up", residents[1], now=BEFORE_CUTOFF)
    cancelled, _ = canteen.book(residents[2], pork, "pick_up", residents[2], now=BEFORE_CUTOFF)
    canteen.cancel(cancelled, residents[2], now=BEFORE_CUTOFF)

    (meal,) = canteen.kitchen_counts(lunch.service.canteen, DAY)
    rows = {row["dish"].name_zh_hans: row for row in meal["dishes"]}
    assert (
        rows["红烧肉套餐"]["dine_in"],
        rows["红烧肉套餐"]["pick_up"],
        rows["红烧肉套餐"]["total"],
    ) == (1, 0, 1)
    assert (rows["清蒸鱼"]["pick_up"], rows["清蒸鱼"]["delivery"]) == (1, 0)
    assert meal["total"] == 2
    assert canteen.kitchen_counts(lunch.service.canteen, DAY + timedelta(days=1)) == []


def test_counter_marks_served_and_no_show_and_audits(world, lunch):
    from portal.audit.models import AuditEntry

    staff = world.person(Role.CANTEEN_STAFF)
    resident = _resident(world, date(1950, 1, 1))
    booking, _ = canteen.book(resident, lunch.dishes[0], "dine_in", resident, now=BEFORE_CUTOFF)
    canteen.mark(booking, staff, "no_show")
    assert booking.status == "no_show"
    canteen.mark(booking, staff, "served")
    assert booking.status == "served"
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "canteen.served")
        )
        == 1
    )
    with pytest.raises(canteen.NotAllowed):
        canteen.mark(booking, staff, "cancelled")


def test_today_at_the_canteen_is_the_date_in_its_community(lunch):
    place = lunch.service.canteen
    assert place.community.today(datetime(2026, 3, 1, 15, 59)) == date(2026, 3, 1)
    assert place.community.today(datetime(2026, 3, 1, 16, 0)) == DAY


def _dinner(lunch) -> MealDay:
    """Dinner on the same day as lunch, with one dish."""
    service = MealService(
        canteen=lunch.service.canteen,
        kind="dinner",
        serving_start=time(17),
        serving_end=time(18, 30),
        cutoff=time(15),
        capacity=3,
    )
    dinner = MealDay(service=service, day=DAY, published=True, capacity=3)
    db.session.add_all([service, dinner, Dish(meal_day=dinner, name_zh_hans="面条", price_fen=900)])
    db.session.commit()
    return dinner


def _delivered(resident: Person, dish: Dish) -> Booking:
    """A delivery booking, as delivery enrolments make them."""
    booking = Booking(
        meal_day_id=dish.meal_day_id,
        dish_id=dish.id,
        resident_id=resident.id,
        booked_by_id=resident.id,
        mode="delivery",
        price_fen=dish.price_fen,
    )
    db.session.add(booking)
    db.session.commit()
    return booking


def test_kitchen_counts_add_up_each_way_of_eating_over_the_dishes(world, lunch):
    residents = [_resident(world, date(1950, 1, 1)) for _ in range(3)]
    pork, fish = lunch.dishes
    canteen.book(residents[0], pork, "dine_in", residents[0], now=BEFORE_CUTOFF)
    canteen.book(residents[1], fish, "dine_in", residents[1], now=BEFORE_CUTOFF)
    _delivered(residents[2], pork)
    (meal,) = canteen.kitchen_counts(lunch.service.canteen, DAY)
    assert (meal["dine_in"], meal["pick_up"], meal["delivery"], meal["total"]) == (2, 0, 1, 3)


def _kitchen_csv_in_english(app, lunch) -> str:
    from flask_babel import force_locale

    with app.test_request_context(), force_locale("en"):
        return canteen.kitchen_csv(canteen.kitchen_counts(lunch.service.canteen, DAY), DAY, "en")


def test_kitchen_csv_has_a_byte_order_mark_a_heading_and_a_row_per_dish(app, world, lunch):
    resident = _resident(world, date(1950, 1, 1))
    canteen.book(resident, lunch.dishes[0], "pick_up", resident, now=BEFORE_CUTOFF)
    _dinner(lunch)
    text = _kitchen_csv_in_english(app, lunch)
    assert text.startswith("\ufeffDate,Lunch or dinner,Dish,Eat in,Pick up,Delivery,Total\r\n")
    assert text.splitlines()[1:] == [
        "2026-03-02,Lunch,红烧肉套餐,0,1,0,1",
        "2026-03-02,Lunch,清蒸鱼,0,0,0,0",
        "2026-03-02,Dinner,面条,0,0,0,0",
    ]


def test_kitchen_csv_never_hands_a_spreadsheet_a_formula(app, lunch):
    lunch.dishes[0].name_zh_hans = "=HYPERLINK(1)"
    db.session.commit()
    text = _kitchen_csv_in_english(app, lunch)
    assert ",'=HYPERLINK(1)," in text


def test_diet_notes_are_the_standing_bookings_of_residents_with_notes(world, lunch):
    careful = world.person(Role.RESIDENT, name="王桂兰", diet_notes="no pork")
    changed_mind = world.person(Role.RESIDENT, name="李淑珍", diet_notes="soft food")
    plain = world.person(Role.RESIDENT, name="赵建国", diet_notes="")
    for person in (careful, changed_mind, plain):
        canteen.book(person, lunch.dishes[0], "dine_in", person, now=BEFORE_CUTOFF)
    canteen.cancel(canteen.existing_booking(changed_mind, lunch), changed_mind, now=BEFORE_CUTOFF)
    notes = canteen.diet_notes(lunch.service.canteen, DAY)
    assert [(b.resident.name, b.dish.name_zh_hans) for b in notes] == [("王桂兰", "红烧肉套餐")]
    assert canteen.diet_notes(lunch.service.canteen, DAY + timedelta(days=1)) == []


def test_counter_bookings_come_by_meal_and_are_found_by_name_code_or_reference(world, lunch):
    dinner = _dinner(lunch)
    wang = world.person(Role.RESIDENT, name="王桂兰")
    zhao = world.person(Role.RESIDENT, name="赵建国")
    at_lunch, _ = canteen.book(wang, lunch.dishes[0], "dine_in", wang, now=BEFORE_CUTOFF)
    at_dinner = _delivered(zhao, dinner.dishes[0])
    place = lunch.service.canteen

    def found(search: str = "") -> list[tuple[str, list[int], list[int]]]:
        return [
            (
                meal.meal_day.service.kind,
                [b.id for b in meal.at_counter],
                [b.id for b in meal.deliveries],
            )
            for meal in canteen.counter_bookings(place, DAY, search)
        ]

    # The delivered dinner is apart from the meals served at the counter.
    assert found() == [("lunch", [at_lunch.id], []), ("dinner", [], [at_dinner.id])]
    assert found(" 桂兰 ") == [("lunch", [at_lunch.id], [])]
    assert found(zhao.resident_code) == [("dinner", [], [at_dinner.id])]
    assert found(at_dinner.reference) == found(f"b{at_dinner.id}") == found(str(at_dinner.id))
    assert found(str(at_dinner.id)) == [("dinner", [], [at_dinner.id])]
    assert found("B") == found("_") == found("B99999999999") == []


def test_counter_totals_count_each_standing_booking_once(world, lunch):
    staff = world.person(Role.CANTEEN_STAFF)
    people = [_resident(world, date(1950, 1, 1)) for _ in range(3)]
    bookings = [
        canteen.book(p, lunch.dishes[0], "dine_in", p, now=BEFORE_CUTOFF)[0] for p in people
    ]
    canteen.mark(bookings[0], staff, "served")
    canteen.cancel(bookings[1], people[1], now=BEFORE_CUTOFF)
    # Three delivered meals: one door did not open, which is not a meal left at the counter.
    delivered = [_delivered(_resident(world, date(1950, 1, 1)), lunch.dishes[0]) for _ in range(3)]
    delivered[0].status = "served"
    delivered[1].status = "no_show"
    db.session.commit()
    assert canteen.counter_totals(lunch.service.canteen, DAY) == {
        "standing": 2,
        "booked": 1,
        "served": 1,
        "no_show": 0,
        "deliveries": 3,
        "delivered": 1,
        "no_answer": 1,
    }
    # The counter cannot mark a delivered meal: its round does.
    with pytest.raises(canteen.OnARound):
        canteen.mark(delivered[2], staff, "no_show")


def test_counter_booking_is_only_one_of_the_canteens_own(world, lunch):
    resident = _resident(world, date(1950, 1, 1))
    booking, _ = canteen.book(resident, lunch.dishes[0], "dine_in", resident, now=BEFORE_CUTOFF)
    other = Canteen(community=world.community, name="别的食堂")
    db.session.add(other)
    db.session.commit()
    assert canteen.counter_booking(lunch.service.canteen, booking.id) is booking
    assert canteen.counter_booking(other, booking.id) is None


def test_marking_a_booking_as_it_stands_records_nothing_new(world, lunch):
    from portal.audit.models import AuditEntry

    staff = world.person(Role.CANTEEN_STAFF)
    resident = _resident(world, date(1950, 1, 1))
    booking, _ = canteen.book(resident, lunch.dishes[0], "dine_in", resident, now=BEFORE_CUTOFF)
    canteen.mark(booking, staff, "served")
    canteen.mark(booking, staff, "served")
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 1


def test_a_cancelled_booking_cannot_be_marked(world, lunch):
    staff = world.person(Role.CANTEEN_STAFF)
    resident = _resident(world, date(1950, 1, 1))
    booking, _ = canteen.book(resident, lunch.dishes[0], "dine_in", resident, now=BEFORE_CUTOFF)
    canteen.cancel(booking, resident, now=BEFORE_CUTOFF)
    with pytest.raises(canteen.NotAllowed):
        canteen.mark(booking, staff, "served")
    assert booking.status == "cancelled"
