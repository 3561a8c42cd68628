import threading
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from portal.accounts.models import Role
from portal.accounts.services import decide_link, request_link
from portal.audit.models import AuditEntry
from portal.canteen import menus
from portal.canteen import services as canteen
from portal.canteen.models import Booking, BookingStatus, Canteen, MealDay, MealService
from portal.community.models import Building, Community, Grid
from portal.community.services import floor_of_room
from portal.delivery import bookings as delivery_bookings
from portal.delivery import rounds as delivery_rounds
from portal.delivery import services as delivery
from portal.delivery.models import Delivery, DeliveryEnrolment, DropMark, EnrolmentStatus
from portal.extensions import db
from portal.help.models import HelpRequest
from portal.notifications.models import Notification

# Sunday 1 March 2026, noon in Shanghai (04:00 UTC). Lunch books until 09:30 local (01:30 UTC),
# dinner until 15:00 local (07:00 UTC).
SUNDAY = date(2026, 3, 1)
NOW = datetime(2026, 3, 1, 4, 0)
MONDAY = date(2026, 3, 2)
TUESDAY = date(2026, 3, 3)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """day at hour:minute in Shanghai, as naive UTC."""
    return datetime.combine(day, time(hour, minute)) - timedelta(hours=8)


@pytest.fixture
def place(world):
    dishes = (
        {"name_zh_hans": "红烧肉套餐", "price_fen": 1500},
        {"name_zh_hans": "清蒸鱼", "price_fen": 1800, "tags": "soft,low_salt"},
    )
    return world.canteen_serving(
        [SUNDAY + timedelta(days=offset) for offset in range(14)],
        lunch_capacity=10,
        dinner_capacity=10,
        lunch=dishes,
        dinner=dishes,
        phone="0871-62222222",
        senior_discount_percent=20,
    )


@pytest.fixture
def staff(world):
    return world.person(Role.CANTEEN_STAFF, name="食堂张姐")


def _elder(world, **fields):
    return world.person(
        Role.RESIDENT, **{"name": "王秀英", "birth_date": date(1944, 6, 1), **fields}
    )


def _answers(**changes) -> delivery.Application:
    values = {
        "lunch": True,
        "weekdays": [0, 2, 4],
        "start_day": MONDAY,
        "floor": 5,
        "has_lift": False,
        "access_notes": "敲门大声一点",
        "contact_phone": "13800000001",
    }
    return delivery.Application(**{**values, **changes})


def _meal(place, day, kind="lunch") -> MealDay:
    return db.session.scalar(
        select(MealDay)
        .join(MealService)
        .where(MealService.canteen_id == place.id, MealService.kind == kind, MealDay.day == day)
    )


def _enrolled(world, place, staff, resident=None, **changes) -> DeliveryEnrolment:
    resident = resident or _elder(world)
    enrolment, _ = delivery.apply(resident, resident, _answers(**changes), now=NOW)
    delivery.approve(enrolment, staff, changes.get("start_day", MONDAY), now=NOW)
    return enrolment


def _standing(enrolment) -> list[date]:
    query = (
        select(MealDay.day)
        .join(Booking, Booking.meal_day_id == MealDay.id)
        .join(Delivery, Delivery.booking_id == Booking.id)
        .where(Delivery.enrolment_id == enrolment.id, Booking.status != BookingStatus.CANCELLED)
        .order_by(MealDay.day)
    )
    return list(db.session.scalars(query))


# Eligibility and applying ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"birth_date": date(1970, 1, 1)}, "too_young"),
        ({"birth_date": date(1966, 3, 2)}, "too_young"),  # 60 tomorrow
        ({"birth_date": date(1966, 3, 1)}, None),  # 60 today
    ],
)
def test_eligibility_is_sixty_and_over(world, place, fields, reason):
    resident = world.person(Role.RESIDENT, **fields)
    assert delivery.eligibility(resident, SUNDAY)[0] == reason


def test_ineligible_without_birthday_address_or_canteen(world, place):
    resident = _elder(world)
    resident.birth_date = None
    assert delivery.eligibility(resident, SUNDAY)[0] == "age_unknown"
    resident.birth_date = date(1940, 1, 1)
    resident.building = None
    resident.building_id = None
    assert delivery.eligibility(resident, SUNDAY)[0] == "no_address"
    resident.community = None
    resident.community_id = None
    assert delivery.eligibility(resident, SUNDAY) == ("no_canteen", None)


def test_an_ineligible_application_is_refused_and_nothing_saved(world, place):
    young = world.person(Role.RESIDENT, birth_date=date(1980, 1, 1))
    with pytest.raises(delivery.Ineligible) as refused:
        delivery.apply(young, young, _answers(), now=NOW)
    assert refused.value.reason == "too_young"
    assert db.session.scalar(select(func.count()).select_from(DeliveryEnrolment)) == 0


def test_applying_records_every_answer_and_tells_resident_and_family(world, place, people):
    family = world.person(Role.FAMILY, name="李娜")
    resident = _elder(world)
    decide_link(request_link(family, resident.resident_code, "daughter"), resident, approve=True)
    answers = _answers(dinner=True, diet_tags=["soft"], diet_notes="不吃辣", weekdays=[4, 0, 0])
    enrolment, created = delivery.apply(resident, family, answers, now=NOW)
    assert created and enrolment.status == EnrolmentStatus.APPLIED
    assert enrolment.meals == ["lunch", "dinner"] and enrolment.weekday_list == [0, 4]
    assert (enrolment.floor, enrolment.has_lift, enrolment.access_notes) == (
        5,
        False,
        "敲门大声一点",
    )
    assert enrolment.diet_tag_list == ["soft"] and enrolment.diet_notes == "不吃辣"
    assert enrolment.applied_by_id == family.id and enrolment.reference.startswith("D")
    told = db.session.scalars(
        select(Notification.recipient_id).where(Notification.kind == "delivery.applied")
    ).all()
    assert sorted(told) == sorted([resident.id, family.id])
    # A family member's application is theirs to make: not a staff change for the audit log.
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action.like("delivery.%"))) is None


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"lunch": False}, delivery.NoMeals),
        ({"weekdays": []}, delivery.NoWeekdays),
        ({"start_day": SUNDAY - timedelta(days=1)}, delivery.StartInPast),
        ({"start_day": None}, delivery.StartInPast),
        ({"start_day": SUNDAY + timedelta(days=91)}, delivery.StartTooFar),
    ],
)
def test_bad_answers_are_refused_and_nothing_saved(world, place, changes, error):
    resident = _elder(world)
    with pytest.raises(error):
        delivery.apply(resident, resident, _answers(**changes), now=NOW)
    assert db.session.scalar(select(func.count()).select_from(DeliveryEnrolment)) == 0


def test_a_meal_the_canteen_does_not_serve_cannot_be_delivered(world):
    lunch_only = Canteen(community=world.community, name="午餐食堂")
    db.session.add(
        MealService(
            canteen=lunch_only,
            kind="lunch",
            serving_start=time(11),
            serving_end=time(13),
            cutoff=time(9, 30),
            capacity=10,
        )
    )
    db.session.commit()
    resident = _elder(world)
    with pytest.raises(delivery.NoSuchMeal):
        delivery.apply(resident, resident, _answers(dinner=True), now=NOW)


def test_only_the_resident_linked_family_or_their_canteen_staff_may_apply(world, place, staff):
    resident = _elder(world)
    stranger = world.person(Role.FAMILY, name="陌生人")
    with pytest.raises(delivery.NotAllowed):
        delivery.apply(resident, stranger, _answers(), now=NOW)
    enrolment, created = delivery.apply(resident, staff, _answers(), now=NOW)
    assert created
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action.like("delivery.%")))
    assert (entry.action, entry.subject_id) == ("delivery.applied", resident.id)


def test_the_same_application_twice_is_one_and_a_second_for_the_same_meal_is_refused(world, place):
    resident = _elder(world)
    first, _ = delivery.apply(resident, resident, _answers(), now=NOW)
    again, created = delivery.apply(resident, resident, _answers(), now=NOW + timedelta(minutes=1))
    assert again.id == first.id and not created
    with pytest.raises(delivery.AlreadyEnrolled) as refused:
        delivery.apply(resident, resident, _answers(weekdays=[1]), now=NOW)
    assert refused.value.enrolment.id == first.id and refused.value.kind == "lunch"
    dinner, created = delivery.apply(
        resident, resident, _answers(lunch=False, dinner=True), now=NOW
    )
    assert created and dinner.id != first.id


def test_a_declined_or_stopped_enrolment_frees_the_meal_for_a_new_application(world, place, staff):
    resident = _elder(world)
    first, _ = delivery.apply(resident, resident, _answers(), now=NOW)
    delivery.decline(first, staff, "no_places", "下个月再申请", now=NOW)
    assert (first.status, first.decline_reason, first.decline_note) == (
        "declined",
        "no_places",
        "下个月再申请",
    )
    second, created = delivery.apply(
        resident, resident, _answers(weekdays=[1], start_day=TUESDAY), now=NOW
    )
    assert created
    delivery.stop(second, resident, now=NOW)
    third, created = delivery.apply(resident, resident, _answers(weekdays=[0]), now=NOW)
    assert created


def test_the_first_meal_comes_on_a_chosen_day_of_the_week(world, place):
    resident = _elder(world)
    with pytest.raises(delivery.StartNotOnADay):
        delivery.apply(resident, resident, _answers(weekdays=[0], start_day=TUESDAY), now=NOW)
    with pytest.raises(delivery.StartNotOnADay):
        delivery.apply(resident, resident, _answers(weekdays=[0], start_day=SUNDAY), now=NOW)
    enrolment, created = delivery.apply(
        resident, resident, _answers(weekdays=[1], start_day=TUESDAY), now=NOW
    )
    assert created and enrolment.start_day == TUESDAY


# Deciding --------------------------------------------------------------------------------------


def test_approving_books_the_coming_deliveries_once(world, place, staff):
    resident = _elder(world, special_support=True)  # 81 and special support: free
    enrolment = _enrolled(world, place, staff, resident=resident)
    # Mondays, Wednesdays and Fridays from Monday 2 March, within the next eight days.
    assert _standing(enrolment) == [date(2026, 3, 2), date(2026, 3, 4), date(2026, 3, 6)]
    booking = db.session.scalar(select(Booking).order_by(Booking.id))
    assert (booking.mode, booking.price_fen, booking.resident_id) == ("delivery", 0, resident.id)
    assert _meal(place, MONDAY).booked == 1
    assert delivery_bookings.book_deliveries(now=NOW) == {"booked": 0, "full": 0, "withdrawn": 0}
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 3
    told = db.session.scalar(select(Notification).where(Notification.kind == "delivery.approved"))
    assert told.params["start"] == "2026-03-02"


def test_deciding_twice_or_in_the_past_or_for_another_community_is_refused(world, place, staff):
    resident = _elder(world)
    enrolment, _ = delivery.apply(resident, resident, _answers(), now=NOW)
    with pytest.raises(delivery.StartInPast):
        delivery.approve(enrolment, staff, SUNDAY - timedelta(days=1), now=NOW)
    with pytest.raises(delivery.UnknownReason):
        delivery.decline(enrolment, staff, "because", now=NOW)
    outsider = world.person(Role.CANTEEN_STAFF, community=None)
    with pytest.raises(delivery.NotAllowed):
        delivery.approve(enrolment, outsider, MONDAY, now=NOW)
    assert enrolment.status == "applied"
    delivery.approve(enrolment, staff, MONDAY, now=NOW)
    with pytest.raises(delivery.AlreadyDecided):
        delivery.decline(enrolment, staff, "other", now=NOW)


def test_the_job_books_from_the_approved_start_and_the_resident_s_diet(world, place, staff):
    resident = _elder(world)
    enrolment, _ = delivery.apply(resident, resident, _answers(diet_tags=["soft"]), now=NOW)
    delivery.approve(enrolment, staff, date(2026, 3, 4), now=NOW)
    assert _standing(enrolment) == [date(2026, 3, 4), date(2026, 3, 6)]
    dish = db.session.scalar(select(Booking)).dish
    assert dish.name_zh_hans == "清蒸鱼"  # the soft dish first
    # A week later the job adds the days that came into reach, and nothing twice.
    delivery_bookings.book_deliveries(now=NOW + timedelta(days=7))
    delivery_bookings.book_deliveries(now=NOW + timedelta(days=7))
    assert _standing(enrolment)[-3:] == [date(2026, 3, 9), date(2026, 3, 11), date(2026, 3, 13)]
    assert len(_standing(enrolment)) == 5


def test_a_holiday_without_a_menu_has_no_delivery_and_the_rest_of_the_week_does(
    world, place, staff
):
    for kind in ("lunch", "dinner"):
        _meal(place, date(2026, 3, 4), kind).published = False  # the canteen is closed
    db.session.commit()
    enrolment = _enrolled(world, place, staff)
    assert _standing(enrolment) == [date(2026, 3, 2), date(2026, 3, 6)]
    assert delivery_bookings.book_deliveries(now=NOW)["booked"] == 0


def test_deliveries_take_places_before_residents_can_book_a_newly_published_menu(
    world, place, staff
):
    enrolment = _enrolled(world, place, staff)
    wednesday = _meal(place, date(2026, 3, 4))
    for booking in db.session.scalars(select(Booking).where(Booking.meal_day_id == wednesday.id)):
        canteen.release(booking, NOW)
    db.session.execute(db.delete(Delivery).where(Delivery.meal_day_id == wednesday.id))
    wednesday.published = False
    db.session.commit()
    assert date(2026, 3, 4) not in _standing(enrolment)
    menus.publish(staff, wednesday, True, now=NOW)
    assert date(2026, 3, 4) in _standing(enrolment)


# When the meal is full -------------------------------------------------------------------------


def test_a_full_meal_leaves_the_delivery_unbooked_for_staff_to_see_and_retries(world, place, staff):
    monday = _meal(place, MONDAY)
    monday.capacity = monday.booked = 0
    db.session.commit()
    enrolment = _enrolled(world, place, staff)
    assert MONDAY not in _standing(enrolment)
    (short,) = delivery_rounds.shortfall([monday])
    assert short.enrolment_id == enrolment.id and short.booking_id is None
    assert monday.booked == 0
    monday.capacity = 5
    db.session.commit()
    assert delivery_bookings.book_deliveries(now=NOW)["booked"] == 1
    assert MONDAY in _standing(enrolment) and delivery_rounds.shortfall([monday]) == []


def test_a_meal_the_resident_booked_themselves_is_not_delivered_as_well(world, place, staff):
    resident = _elder(world)
    monday = _meal(place, MONDAY)
    canteen.book(resident, monday.dishes[0], "dine_in", resident, now=NOW)
    enrolment = _enrolled(world, place, staff, resident=resident)
    assert MONDAY not in _standing(enrolment)
    assert (
        db.session.scalar(
            select(func.count()).select_from(Booking).where(Booking.meal_day_id == monday.id)
        )
        == 1
    )


def test_one_day_the_resident_cancelled_stays_cancelled(world, place, staff):
    resident = _elder(world)
    enrolment = _enrolled(world, place, staff, resident=resident)
    monday_booking = db.session.scalar(select(Booking).order_by(Booking.id))
    canteen.cancel(monday_booking, resident, now=NOW)
    delivery_bookings.book_deliveries(now=NOW)
    assert MONDAY not in _standing(enrolment)


# Living with it --------------------------------------------------------------------------------


def test_a_pause_gives_its_days_back_and_deliveries_resume_by_themselves(world, place, staff):
    enrolment = _enrolled(world, place, staff)
    resident = enrolment.resident
    delivery.pause(enrolment, resident, date(2026, 3, 3), date(2026, 3, 5), now=NOW)
    assert _standing(enrolment) == [date(2026, 3, 2), date(2026, 3, 6)]
    assert _meal(place, date(2026, 3, 4)).booked == 0
    assert enrolment.pause_on(date(2026, 3, 4)) is not None
    # After the pause the next Wednesday is booked again by the job.
    delivery_bookings.book_deliveries(now=NOW + timedelta(days=5))
    assert date(2026, 3, 11) in _standing(enrolment)


def test_a_change_counts_from_the_next_cut_off(world, place, staff):
    enrolment = _enrolled(world, place, staff)
    resident = enrolment.resident
    after_cutoff = at(MONDAY, 10)
    delivery.pause(enrolment, resident, MONDAY, date(2026, 3, 4), now=after_cutoff)
    # Monday's lunch was past its cut-off: it is still delivered.
    assert _standing(enrolment) == [date(2026, 3, 2), date(2026, 3, 6), date(2026, 3, 9)]
    before_cutoff = at(date(2026, 3, 6), 9)
    delivery.stop(enrolment, resident, now=before_cutoff)
    assert _standing(enrolment) == [date(2026, 3, 2)]


@pytest.mark.parametrize(
    ("first", "last", "error"),
    [
        (date(2026, 3, 5), date(2026, 3, 4), delivery.PauseEndsBeforeStart),
        (date(2026, 2, 28), date(2026, 3, 4), delivery.StartInPast),
        (date(2026, 3, 4), date(2027, 3, 10), delivery.PauseTooLong),
        (date(2026, 3, 9), date(2026, 3, 9), delivery.PauseOverlaps),  # the first day of the other
        (date(2026, 3, 1), date(2026, 3, 20), delivery.PauseOverlaps),  # around the other
    ],
)
def test_bad_pauses_are_refused_and_nothing_saved(world, place, staff, first, last, error):
    enrolment = _enrolled(world, place, staff)
    resident = enrolment.resident
    delivery.pause(enrolment, resident, date(2026, 3, 9), date(2026, 3, 12), now=NOW)
    with pytest.raises(error):
        delivery.pause(enrolment, resident, first, last, now=NOW)
    db.session.refresh(enrolment)
    assert len(enrolment.pauses) == 1


def test_a_pause_needs_an_approved_enrolment(world, place):
    resident = _elder(world)
    enrolment, _ = delivery.apply(resident, resident, _answers(), now=NOW)
    with pytest.raises(delivery.NotActive):
        delivery.pause(enrolment, resident, MONDAY, MONDAY, now=NOW)


def test_ending_a_pause_early_books_its_remaining_days_again(world, place, staff):
    enrolment = _enrolled(world, place, staff)
    resident = enrolment.resident
    paused = delivery.pause(enrolment, resident, MONDAY, date(2026, 3, 20), now=NOW)
    assert _standing(enrolment) == []
    delivery.end_pause(paused, resident, now=at(date(2026, 3, 4), 8))
    assert paused.last_day == date(2026, 3, 3)
    assert _standing(enrolment) == [
        date(2026, 3, 4),
        date(2026, 3, 6),
        date(2026, 3, 9),
        date(2026, 3, 11),
    ]


def test_changing_days_books_new_days_and_gives_old_ones_back(world, place, staff):
    enrolment = _enrolled(world, place, staff)
    resident = enrolment.resident
    delivery.change_days(enrolment, resident, [1, 3], now=NOW)
    assert _standing(enrolment) == [date(2026, 3, 3), date(2026, 3, 5)]
    with pytest.raises(delivery.NoWeekdays):
        delivery.change_days(enrolment, resident, [], now=NOW)
    assert enrolment.weekday_list == [1, 3]
    # Back to Monday: that day's delivery is booked again.
    delivery.change_days(enrolment, resident, [0, 1, 3], now=NOW)
    assert _standing(enrolment)[0] == MONDAY


def test_staff_changes_are_written_to_the_audit_log(world, place, staff):
    enrolment = _enrolled(world, place, staff)
    delivery.change_days(enrolment, staff, [1], now=NOW)
    delivery.stop(enrolment, staff, now=NOW)
    actions = db.session.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.action.like("delivery.%"))
        .order_by(AuditEntry.id)
    ).all()
    assert actions == ["delivery.approved", "delivery.days_changed", "delivery.stopped"]
    with pytest.raises(delivery.NotActive):
        delivery.stop(enrolment, staff, now=NOW)


def test_the_job_run_twice_at_once_books_each_delivery_once(app, world, place, staff):
    residents = [_elder(world) for _ in range(4)]
    for resident in residents:
        enrolment, _ = delivery.apply(resident, resident, _answers(), now=NOW)
        enrolment.status = EnrolmentStatus.ACTIVE
    db.session.commit()
    barrier = threading.Barrier(2)
    errors = []

    def run():
        with app.app_context():
            barrier.wait()
            try:
                delivery_bookings.book_deliveries(now=NOW)
            except Exception as error:  # noqa: BLE001  reported by the assertion below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 4 * 3
    assert _meal(place, MONDAY).booked == 4


# Rounds ----------------------------------------------------------------------------------------


@pytest.fixture
def round_world(world, place, staff):
    """Two residents of the first grid and one of a second grid, all delivered on Monday."""
    east = Grid(name="第二网格", community=world.community)
    tower = Building(name="9号楼", grid=east, has_lift=True)
    db.session.add_all([east, tower])
    db.session.commit()
    near = _enrolled(
        world, place, staff, resident=_elder(world, name="李秀兰", unit="1", room="502")
    )
    low = _enrolled(
        world, place, staff, resident=_elder(world, name="张大爷", unit="2", room="101"), floor=1
    )
    far = _enrolled(world, place, staff, resident=_elder(world, name="赵奶奶", building=tower))
    volunteer = world.person(Role.VOLUNTEER, name="志愿者小张")
    return {"near": near, "low": low, "far": far, "volunteer": volunteer, "east": east}


def test_the_round_sheet_groups_by_grid_building_and_floor(world, place, round_world):
    drops = delivery_rounds.drops_of(_meal(place, MONDAY))
    grouped = delivery_rounds.sheet(drops)
    assert [grid.name for grid, _ in grouped] == ["第一网格", "第二网格"]
    ((building, floors),) = grouped[0][1]
    assert building.name == "1号楼"
    assert [(floor, [d.enrolment.resident.name for d in on]) for floor, on in floors] == [
        (1, ["张大爷"]),
        (5, ["李秀兰"]),
    ]


def _round_of(place, resident_enrolment):
    drop = db.session.scalar(
        select(Delivery).where(
            Delivery.enrolment_id == resident_enrolment.id,
            Delivery.meal_day_id == _meal(place, MONDAY).id,
        )
    )
    return drop, drop.round


def test_a_volunteer_takes_their_grid_s_round_and_nobody_else_may(world, place, round_world):
    volunteer = round_world["volunteer"]
    drop, round_ = _round_of(place, round_world["near"])
    delivery_rounds.take_round(round_, volunteer)
    assert round_.runner_id == volunteer.id
    other = world.person(Role.VOLUNTEER, name="志愿者小李")
    with pytest.raises(delivery.NotYourRound) as refused:
        delivery_rounds.take_round(round_, other)
    assert refused.value.runner.id == volunteer.id
    with pytest.raises(delivery.NotYourRound):
        delivery_rounds.mark(drop, other, "delivered", now=at(MONDAY, 11))
    _far_drop, far_round = _round_of(place, round_world["far"])
    with pytest.raises(delivery.NotAllowed):
        delivery_rounds.take_round(far_round, volunteer)


def test_progress_counts_each_round_s_drops(world, place, round_world):
    volunteer = round_world["volunteer"]
    drop, round_ = _round_of(place, round_world["near"])
    monday = _meal(place, MONDAY)
    before = delivery_rounds.progress_version(place.id, MONDAY)
    # A door is marked by the one who took the round, not by whoever taps first.
    with pytest.raises(delivery.NotTaken):
        delivery_rounds.mark(drop, volunteer, "delivered", now=at(MONDAY, 11))
    assert drop.outcome is None and round_.runner_id is None
    delivery_rounds.take_round(round_, volunteer)
    delivery_rounds.mark(drop, volunteer, "delivered", now=at(MONDAY, 11))
    assert delivery_rounds.progress_version(place.id, MONDAY) != before
    rows = delivery_rounds.progress([monday])[monday.id]
    assert [(r.round.grid.name, r.total, r.delivered, r.to_go) for r in rows] == [
        ("第一网格", 2, 1, 1),
        ("第二网格", 1, 0, 1),
    ]
    assert drop.booking.status == BookingStatus.SERVED
    assert [row.round.id for row in delivery_rounds.rounds_to_run(volunteer, at(MONDAY, 10))] == [
        round_.id
    ]


def test_rounds_are_read_on_the_canteen_s_own_day(world, place, round_world):
    """A street office's admin (of no community, on Shanghai's date) reads the rounds of a
    community that keeps another time zone: the day shown, and its fingerprint, are that
    community's today. Another community's canteen staff learn nothing."""
    place.community.timezone = "America/Los_Angeles"
    db.session.commit()
    admin = world.person(Role.ADMIN, name="街道管理员", community=None)
    found, day, version = delivery_rounds.managed_rounds(admin, place.id, None)
    assert found is place and day == place.community.today()
    assert version == delivery_rounds.progress_version(place.id, day)
    asked = date(2026, 3, 2)
    assert delivery_rounds.managed_rounds(admin, place.id, asked)[1:] == (
        asked,
        delivery_rounds.progress_version(place.id, asked),
    )
    elsewhere = Community(name="锦绣园社区", hotline="0871-62222222", street_office=world.street)
    db.session.add(elsewhere)
    stranger = world.person(Role.CANTEEN_STAFF, community=elsewhere)
    assert delivery_rounds.managed_rounds(stranger, place.id, None)[0] is None
    assert delivery_rounds.managed_rounds(admin, 999999, None)[0] is None


def _daughter_of(world, resident):
    """A family member with an approved link to resident, told of what happens to them."""
    family = world.person(Role.FAMILY, name="李娜")
    decide_link(request_link(family, resident.resident_code, "daughter"), resident, approve=True)
    return family


def test_no_answer_opens_one_urgent_welfare_check_and_tells_the_family(world, place, round_world):
    volunteer = round_world["volunteer"]
    enrolment = round_world["near"]
    family = _daughter_of(world, enrolment.resident)
    drop, round_ = _round_of(place, enrolment)
    delivery_rounds.take_round(round_, volunteer)
    when = at(MONDAY, 11, 42)
    delivery_rounds.mark(drop, volunteer, "no_answer", "敲了三次门", now=when)
    delivery_rounds.mark(drop, volunteer, "no_answer", now=when + timedelta(minutes=1))
    (request,) = db.session.scalars(select(HelpRequest)).all()
    assert (request.category, request.urgent, request.status, request.grid_id) == (
        "welfare_check",
        True,
        "new",
        world.grid.id,
    )
    assert request.note == "敲了三次门" and drop.help_request_id == request.id
    assert drop.booking.status == BookingStatus.NO_SHOW
    (told,) = db.session.scalars(
        select(Notification).where(Notification.kind == "delivery.no_answer")
    ).all()
    assert told.recipient_id == family.id and told.params["time"] == "11:42"
    assert delivery_rounds.drop_for_request(request.id).id == drop.id


def test_a_drop_is_marked_on_its_own_day_only_and_not_once_withdrawn(world, place, round_world):
    volunteer = round_world["volunteer"]
    drop, round_ = _round_of(place, round_world["near"])
    delivery_rounds.take_round(round_, volunteer)
    with pytest.raises(delivery.NotToday):
        delivery_rounds.mark(drop, volunteer, "delivered", now=at(SUNDAY, 11))
    with pytest.raises(delivery_rounds.UnknownOutcome):
        delivery_rounds.mark(drop, volunteer, "lost", now=at(MONDAY, 11))
    canteen.cancel(drop.booking, drop.enrolment.resident, now=NOW)
    with pytest.raises(delivery.Withdrawn):
        delivery_rounds.mark(drop, volunteer, "delivered", now=at(MONDAY, 11))
    assert drop.outcome is None


def test_a_door_marked_without_signal_keeps_the_time_of_the_knock(world, place, round_world):
    """The volunteer marked the door at 11:42 in a stairwell; the phone sent it at 12:10."""
    volunteer = round_world["volunteer"]
    enrolment = round_world["near"]
    _daughter_of(world, enrolment.resident)
    drop, round_ = _round_of(place, enrolment)
    delivery_rounds.take_round(round_, volunteer)
    arrived = at(MONDAY, 12, 10)
    phone_clock = 1_700_000_000_000  # the phone's clock is wrong; only its differences count
    knocked = delivery_rounds.knock_time(arrived, phone_clock, phone_clock + 28 * 60 * 1000)
    assert knocked == at(MONDAY, 11, 42)
    key = "b6f1d0c4-6a0e-4b8e-9d55-0c5e6f7a8b9c"
    delivery_rounds.mark(
        drop, volunteer, "no_answer", "敲了三次门", arrived, key=key, knocked_at=knocked
    )
    assert drop.marked_at == at(MONDAY, 11, 42) and drop.outcome == "no_answer"
    (request,) = db.session.scalars(select(HelpRequest)).all()
    assert request.created_at == at(MONDAY, 11, 42)
    (told,) = db.session.scalars(
        select(Notification).where(Notification.kind == "delivery.no_answer")
    ).all()
    assert told.params["time"] == "11:42"
    # The phone did not hear the answer and sends it again: nothing changes, nothing doubles.
    later = at(MONDAY, 12, 11)
    delivery_rounds.mark(drop, volunteer, "delivered", "", later, key=key, knocked_at=knocked)
    assert drop.outcome == "no_answer" and drop.marked_at == at(MONDAY, 11, 42)
    assert len(db.session.scalars(select(HelpRequest)).all()) == 1
    assert db.session.scalar(select(func.count()).select_from(DropMark)) == 1


def test_an_older_knock_does_not_undo_a_newer_marking(world, place, round_world):
    volunteer = round_world["volunteer"]
    drop, round_ = _round_of(place, round_world["near"])
    delivery_rounds.take_round(round_, volunteer)
    delivery_rounds.mark(drop, volunteer, "delivered", now=at(MONDAY, 12, 0), key="k" * 20)
    delivery_rounds.mark(
        drop, volunteer, "refused", "", at(MONDAY, 12, 5), key="j" * 20, knocked_at=at(MONDAY, 11)
    )
    assert (drop.outcome, drop.marked_at) == ("delivered", at(MONDAY, 12, 0))
    assert db.session.scalar(select(func.count()).select_from(DropMark)) == 2


def test_a_knock_on_the_day_before_is_not_today(world, place, round_world):
    volunteer = round_world["volunteer"]
    drop, round_ = _round_of(place, round_world["near"])
    delivery_rounds.take_round(round_, volunteer)
    with pytest.raises(delivery.NotToday):
        delivery_rounds.mark(
            drop, volunteer, "delivered", "", at(MONDAY, 0, 5), knocked_at=at(SUNDAY, 23, 58)
        )
    assert drop.outcome is None


@pytest.mark.parametrize(
    ("knocked", "sent", "waited"),
    [
        (None, None, 0),
        (1000, None, 0),
        (5000, 1000, 0),  # sent before it was knocked: the phone's clock moved
        (0, 13 * 3600 * 1000, 0),  # longer than a phone keeps a round
        (0, 90 * 1000, 90),
    ],
)
def test_the_knock_time_trusts_only_sensible_differences(knocked, sent, waited):
    now = at(MONDAY, 12)
    assert delivery_rounds.knock_time(now, knocked, sent) == now - timedelta(seconds=waited)


@pytest.mark.parametrize(
    ("room", "floor"),
    [
        ("302", 3),
        ("1502", 15),
        ("3-302", 3),
        (" 501 ", 5),
        ("12", None),
        ("", None),
        (None, None),
        ("0302", 3),
        ("地下室", None),
        ("302室", 3),
    ],
)
def test_a_room_number_names_its_floor(room, floor):
    assert floor_of_room(room) == floor


def test_a_meal_handed_over_is_a_sign_the_resident_was_well(world, place, round_world):
    from portal.accounts.seams import latest_contacts

    volunteer = round_world["volunteer"]
    drop, round_ = _round_of(place, round_world["near"])
    other, _round = _round_of(place, round_world["low"])
    delivery_rounds.take_round(round_, volunteer)
    delivery_rounds.mark(drop, volunteer, "delivered", now=at(MONDAY, 11))
    delivery_rounds.mark(other, volunteer, "no_answer", now=at(MONDAY, 11, 5))
    near, low = round_world["near"].resident_id, round_world["low"].resident_id
    assert delivery.latest_deliveries([near, low]) == {near: at(MONDAY, 11)}
    assert latest_contacts([near, low])[near] == at(MONDAY, 11)


def test_the_grid_worker_s_day_holds_today_s_refused_and_unbooked_meals(
    world, place, staff, round_world
):
    worker = world.person(Role.GRID_WORKER, name="王芳")
    volunteer = round_world["volunteer"]
    refused, round_ = _round_of(place, round_world["near"])
    unanswered, _round = _round_of(place, round_world["low"])
    delivery_rounds.take_round(round_, volunteer)
    delivery_rounds.mark(refused, volunteer, "refused", "不想吃", now=at(MONDAY, 11))
    # No answer is a welfare check in the help queue, so the day has it there, not here.
    delivery_rounds.mark(unanswered, volunteer, "no_answer", now=at(MONDAY, 11, 5))
    monday = _meal(place, MONDAY)
    monday.capacity = monday.booked
    db.session.commit()
    full = _enrolled(world, place, staff, resident=_elder(world, name="孙阿姨", room="301"))
    unbooked, _round = _round_of(place, full)
    assert unbooked.booking_id is None
    found = delivery_rounds.exceptions(worker, at(MONDAY, 12))
    assert sorted(drop.id for drop in found) == sorted([refused.id, unbooked.id])
    # The second grid's resident is not this worker's; another day has its own exceptions.
    east_worker = world.person(Role.GRID_WORKER, name="李强", grid=round_world["east"])
    assert delivery_rounds.exceptions(east_worker, at(MONDAY, 12)) == []
    assert delivery_rounds.exceptions(worker, at(SUNDAY, 12)) == []
    assert delivery_rounds.exceptions(volunteer, at(MONDAY, 12)) == []


def test_running_a_round_to_its_last_door_earns_points_once(world, place, round_world):
    from portal.points import services as points

    volunteer = round_world["volunteer"]
    near, round_ = _round_of(place, round_world["near"])
    low, _round = _round_of(place, round_world["low"])
    delivery_rounds.take_round(round_, volunteer)
    delivery_rounds.mark(near, volunteer, "delivered", now=at(MONDAY, 11))
    assert points.balance(volunteer, world.community.id) == 0
    delivery_rounds.mark(low, volunteer, "refused", now=at(MONDAY, 11, 5))
    assert points.balance(volunteer, world.community.id) == 20
    # A door corrected afterwards is the same round, paid once.
    delivery_rounds.mark(low, volunteer, "delivered", now=at(MONDAY, 11, 10))
    assert points.balance(volunteer, world.community.id) == 20
    assert points.unbalanced() == []
