"""From enrolments to delivery bookings: each enrolment's meals booked in the canteen up to the
cut-off, kept in step with pauses, stops and changes, and the rounds they are carried on."""

from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from portal.accounts.models import Person
from portal.canteen import services as canteen
from portal.canteen.models import BookingStatus, Canteen, MealDay
from portal.community.models import Building, Grid
from portal.delivery.models import (
    Delivery,
    DeliveryEnrolment,
    DeliveryRound,
    EnrolmentStatus,
)
from portal.extensions import db
from portal.model_base import utcnow

# Meals are booked for delivery one day further ahead than residents can book them.
DELIVERY_DAYS = canteen.BOOKING_DAYS + 1


def _coming_meals(place: Canteen, now: datetime) -> list[MealDay]:
    """Published meals of place in the booking window whose cut-off has not passed."""
    meals = canteen.open_meal_days(place, place.community.today(now), DELIVERY_DAYS)
    return [meal_day for meal_day in meals if now < meal_day.cutoff_at]


def _dishes_for(meal_day: MealDay, enrolment: DeliveryEnrolment) -> list:
    """The meal's dishes, those that suit every one of the resident's diet needs first."""
    needs = set(enrolment.diet_tag_list)
    return sorted(meal_day.dishes, key=lambda dish: not needs <= set(dish.tag_list))


def _round_for(meal_day: MealDay, grid_id: int) -> DeliveryRound:
    found = db.session.scalar(
        select(DeliveryRound).where(
            DeliveryRound.meal_day_id == meal_day.id, DeliveryRound.grid_id == grid_id
        )
    )
    if found is not None:
        return found
    made = DeliveryRound(meal_day_id=meal_day.id, grid_id=grid_id)
    db.session.add(made)
    try:
        db.session.commit()
    except IntegrityError:
        # Made a moment ago by another run of the job.
        db.session.rollback()
        return _round_for(meal_day, grid_id)
    return made


def _ensure(
    enrolment: DeliveryEnrolment,
    meal_day: MealDay,
    existing: Delivery | None,
    now: datetime,
) -> str | None:
    """Make the delivery of meal_day agree with enrolment, and commit. Returns "booked",
    "full", "withdrawn" or None (nothing to do)."""
    wanted = enrolment.delivers_on(meal_day.day, meal_day.service.kind)
    booking = existing.booking if existing is not None else None
    standing = booking is not None and booking.status != BookingStatus.CANCELLED
    if not wanted:
        if existing is None or existing.withdrawn:
            return None
        if standing and booking.status == BookingStatus.BOOKED:
            canteen.release(booking, now)
        existing.withdrawn = True
        db.session.commit()
        return "withdrawn"
    if standing:
        return None
    if booking is not None and not existing.withdrawn:
        return None  # the resident cancelled this one day; it stays cancelled
    resident = enrolment.resident
    if resident.building is None or canteen.existing_booking(resident, meal_day) is not None:
        return None  # no address to bring it to, or they booked this meal themselves
    round_id = _round_for(meal_day, resident.building.grid_id).id
    dishes = _dishes_for(meal_day, enrolment)
    try:
        with db.session.no_autoflush:
            made = canteen.reserve_delivery(resident, meal_day, dishes, resident)
            if existing is None:
                existing = Delivery(
                    enrolment_id=enrolment.id, meal_day_id=meal_day.id, round_id=round_id
                )
                db.session.add(existing)
            existing.round_id, existing.booking, existing.withdrawn = round_id, made, False
        db.session.commit()
    except IntegrityError:
        # Another run of the job made this delivery, or the resident booked this meal, a moment
        # ago; the portion taken above is rolled back with the rest.
        db.session.rollback()
        return None
    return "booked" if made is not None else "full"


def _deliveries(enrolment_ids: list[int], meal_day_ids: list[int]) -> dict:
    if not enrolment_ids or not meal_day_ids:
        return {}
    query = (
        select(Delivery)
        .where(Delivery.enrolment_id.in_(enrolment_ids), Delivery.meal_day_id.in_(meal_day_ids))
        .options(db.joinedload(Delivery.booking))
    )
    return {(d.enrolment_id, d.meal_day_id): d for d in db.session.scalars(query)}


def sync(enrolment: DeliveryEnrolment, now: datetime | None = None) -> dict[str, int]:
    """Book, or give back, this enrolment's deliveries of the coming meals so that they agree
    with it as it now stands. Meals whose cut-off has passed are left alone."""
    now = now or utcnow()
    meals = [
        m for m in _coming_meals(enrolment.canteen, now) if m.service.kind in ("lunch", "dinner")
    ]
    return _sync_many([enrolment], meals, now)


def _sync_many(
    enrolments: list[DeliveryEnrolment], meals: list[MealDay], now: datetime
) -> dict[str, int]:
    found = _deliveries([e.id for e in enrolments], [m.id for m in meals])
    tally = {"booked": 0, "full": 0, "withdrawn": 0}
    for meal_day in meals:
        for enrolment in enrolments:
            result = _ensure(enrolment, meal_day, found.get((enrolment.id, meal_day.id)), now)
            if result:
                tally[result] += 1
    return tally


def _enrolments_of(place: Canteen, now: datetime) -> list[DeliveryEnrolment]:
    """Enrolments of place that deliver or may have deliveries to give back."""
    query = (
        select(DeliveryEnrolment)
        .where(
            DeliveryEnrolment.canteen_id == place.id,
            (DeliveryEnrolment.status == EnrolmentStatus.ACTIVE)
            | (
                (DeliveryEnrolment.status == EnrolmentStatus.STOPPED)
                & (DeliveryEnrolment.stopped_at >= now - timedelta(days=canteen.BOOKING_DAYS + 1))
            ),
        )
        .order_by(DeliveryEnrolment.id)
        .options(
            db.selectinload(DeliveryEnrolment.pauses),
            db.joinedload(DeliveryEnrolment.resident)
            .joinedload(Person.building)
            .joinedload(Building.grid),
        )
    )
    return list(db.session.scalars(query).unique())


def book_meal(meal_day: MealDay, now: datetime | None = None) -> dict[str, int]:
    """Book the deliveries of one meal; run when a menu is published, before residents can book
    it, so that deliveries come first."""
    now = now or utcnow()
    place = meal_day.service.canteen
    if now >= meal_day.cutoff_at or meal_day.day >= place.community.today(now) + timedelta(
        days=DELIVERY_DAYS
    ):
        return {"booked": 0, "full": 0, "withdrawn": 0}
    return _sync_many(_enrolments_of(place, now), [meal_day], now)


def book_deliveries(now: datetime | None = None) -> dict[str, int]:
    """The daily job: every canteen's coming meals get the deliveries their enrolments ask for,
    and lose those no longer asked for. Running it again changes nothing."""
    now = now or utcnow()
    tally = {"booked": 0, "full": 0, "withdrawn": 0}
    for place in db.session.scalars(select(Canteen).order_by(Canteen.id)).all():
        meals = _coming_meals(place, now)
        if not meals:
            continue
        for key, value in _sync_many(_enrolments_of(place, now), meals, now).items():
            tally[key] += value
    return tally


def move_grid(grid: Grid, into: Grid) -> int:
    """Move the rounds of grid to the grid it is merged into, in the caller's transaction: a
    meal's round joins the other grid's round of that meal where there is one (whose runner
    stays), and becomes it where there is none. Return how many rounds moved."""
    rounds = list(db.session.scalars(select(DeliveryRound).where(DeliveryRound.grid_id == grid.id)))
    moved = 0
    for round_ in rounds:
        there = db.session.scalar(
            select(DeliveryRound).where(
                DeliveryRound.meal_day_id == round_.meal_day_id,
                DeliveryRound.grid_id == into.id,
            )
        )
        if there is None:
            round_.grid_id = into.id
        else:
            db.session.execute(
                update(Delivery).where(Delivery.round_id == round_.id).values(round_id=there.id)
            )
            if there.runner_id is None:
                there.runner_id = round_.runner_id
            db.session.delete(round_)
        moved += 1
    db.session.flush()
    return moved


def rounds_in_grid(grid: Grid) -> int:
    return db.session.scalar(
        select(func.count()).select_from(DeliveryRound).where(DeliveryRound.grid_id == grid.id)
    )
