"""Meal delivery rules: who may have meals brought, applying and deciding, pausing and stopping,
turning enrolments into delivery bookings every day, and the rounds that take them to the door."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import groupby
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from portal.accounts.models import Person, Role
from portal.accounts.services import family_ids_of, may_act_for
from portal.audit import services as audit
from portal.canteen import menus
from portal.canteen import services as canteen
from portal.canteen.models import Booking, BookingStatus, Canteen, MealDay, MealKind, MealService
from portal.community.models import Building
from portal.delivery.models import (
    OPEN_ENROLMENT,
    Delivery,
    DeliveryEnrolment,
    DeliveryPause,
    DeliveryRound,
    EnrolmentStatus,
    Outcome,
)
from portal.extensions import db
from portal.help import services as help
from portal.help.models import Category, Source
from portal.model_base import utcnow
from portal.notifications.services import notify

MIN_AGE = 60
PAUSE_MAX_DAYS = 366
# Deliveries are booked a day further ahead than residents can book, so that they come first.
DELIVERY_DAYS = canteen.BOOKING_DAYS + 1
START_MAX_DAYS = 90  # how far ahead a first delivery can be asked for
NOTE_MAX_LENGTH = 300
DECLINE_REASONS = ("outside_area", "no_places", "not_eligible", "can_come", "other")


class DeliveryError(Exception):
    """A delivery rule was broken; views turn each kind into a clear message."""


class NotAllowed(DeliveryError):
    pass


class Ineligible(DeliveryError):
    """The resident cannot have meals delivered; reason says why in a word the views explain."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class NoMeals(DeliveryError):
    pass


class NoSuchMeal(DeliveryError):
    """The canteen does not serve that meal, so it cannot deliver it."""

    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind


class NoWeekdays(DeliveryError):
    pass


class StartInPast(DeliveryError):
    pass


class StartTooFar(DeliveryError):
    pass


class AlreadyEnrolled(DeliveryError):
    def __init__(self, enrolment: DeliveryEnrolment, kind: str):
        super().__init__(enrolment, kind)
        self.enrolment, self.kind = enrolment, kind


class AlreadyDecided(DeliveryError):
    pass


class NotActive(DeliveryError):
    """Pausing or changing days needs an approved enrolment that has not stopped."""


class PauseEndsBeforeStart(DeliveryError):
    pass


class PauseTooLong(DeliveryError):
    pass


class PauseOverlaps(DeliveryError):
    def __init__(self, pause: DeliveryPause):
        super().__init__(pause)
        self.pause = pause


class UnknownReason(DeliveryError):
    pass


class NotYourRound(DeliveryError):
    def __init__(self, runner: Person | None):
        super().__init__(runner)
        self.runner = runner


class NotToday(DeliveryError):
    """A drop can be marked only on its own day."""


class Withdrawn(DeliveryError):
    """The drop's booking was cancelled: there is nothing to deliver."""


# Time ------------------------------------------------------------------------------------------


def _zone(place: Canteen) -> ZoneInfo:
    return ZoneInfo(place.community.timezone)


# Who may do what -------------------------------------------------------------------------------


def may_apply_for(person: Person, resident: Person) -> bool:
    """The resident, linked family, or canteen staff and admins of the resident's community."""
    if may_act_for(person, resident):
        return True
    place = canteen.canteen_of(resident)
    return place is not None and menus.may_manage(person, place)


def may_run(person: Person, round_: DeliveryRound) -> bool:
    """Volunteers and grid workers of the round's grid may take a round."""
    return any(
        grant.grid_id == round_.grid_id and grant.role in (Role.VOLUNTEER, Role.GRID_WORKER)
        for grant in person.grants
    )


def _is_staff_for(person: Person, place: Canteen) -> bool:
    return menus.may_manage(person, place)


# Eligibility and price -------------------------------------------------------------------------


def eligibility(resident: Person, today: date) -> tuple[str | None, Canteen | None]:
    """(None, canteen) when resident may apply, else (reason, canteen or None): no_canteen,
    no_address, age_unknown or too_young."""
    place = canteen.canteen_of(resident)
    if place is None:
        return "no_canteen", None
    if resident.building_id is None:
        return "no_address", place
    age = resident.age_on(today)
    if age is None:
        return "age_unknown", place
    if age < MIN_AGE:
        return "too_young", place
    return None, place


@dataclass(frozen=True)
class PriceTier:
    """What the resident pays per delivered meal: "free", "fixed" (fen), "percent" off, or
    "standard" (the dish's price)."""

    kind: str
    amount: int | None = None


def price_tier(place: Canteen, resident: Person, day: date) -> PriceTier:
    """The canteen's tier that applies to resident on day, as Canteen.price_for() decides it."""
    age = resident.age_on(day)
    free_status = resident.special_support or not place.free_needs_special_support
    if age is not None and age >= place.free_age and free_status:
        return PriceTier("free")
    if age is not None and age >= place.senior_age:
        if place.senior_price_fen is not None:
            return PriceTier("fixed", place.senior_price_fen)
        if place.senior_discount_percent:
            return PriceTier("percent", place.senior_discount_percent)
    return PriceTier("standard")


def served_meals(place: Canteen) -> list[str]:
    """The meals place serves and so can deliver, in serving order."""
    return [service.kind for service in place.services]


# Applying --------------------------------------------------------------------------------------


@dataclass
class Application:
    """What an applicant answered, one question per page."""

    lunch: bool = False
    dinner: bool = False
    weekdays: list[int] = field(default_factory=list)
    start_day: date | None = None
    floor: int | None = None
    has_lift: bool | None = None
    access_notes: str = ""
    diet_tags: list[str] = field(default_factory=list)
    diet_notes: str = ""
    contact_phone: str = ""


def _weekdays(days) -> str:
    chosen = sorted({int(day) for day in days if 0 <= int(day) <= 6})
    if not chosen:
        raise NoWeekdays()
    return ",".join(str(day) for day in chosen)


def open_enrolments(resident: Person) -> list[DeliveryEnrolment]:
    query = (
        select(DeliveryEnrolment)
        .where(
            DeliveryEnrolment.resident_id == resident.id,
            DeliveryEnrolment.status.in_(OPEN_ENROLMENT),
        )
        .order_by(DeliveryEnrolment.id)
    )
    return list(db.session.scalars(query))


def _holding(resident_id: int, kind: str) -> DeliveryEnrolment | None:
    column = DeliveryEnrolment.lunch_key if kind == MealKind.LUNCH else DeliveryEnrolment.dinner_key
    return db.session.scalar(select(DeliveryEnrolment).where(column == str(resident_id)))


def check_application(
    resident: Person, applicant: Person, answers: Application, now: datetime | None = None
) -> Canteen:
    """Raise the first rule the answers break, as apply() would; return the canteen."""
    if not may_apply_for(applicant, resident):
        raise NotAllowed()
    reason, place = eligibility(resident, resident.today(now))
    if reason:
        raise Ineligible(reason)
    kinds = [
        kind for kind, chosen in (("lunch", answers.lunch), ("dinner", answers.dinner)) if chosen
    ]
    if not kinds:
        raise NoMeals()
    for kind in kinds:
        if kind not in served_meals(place):
            raise NoSuchMeal(kind)
        held = _holding(resident.id, kind)
        if held is not None:
            raise AlreadyEnrolled(held, kind)
    _weekdays(answers.weekdays)
    _check_start(place, answers.start_day, now)
    return place


def _check_start(place: Canteen, start: date | None, now: datetime | None) -> None:
    today = place.community.today(now)
    if start is None or start < today:
        raise StartInPast()
    if start > today + timedelta(days=START_MAX_DAYS):
        raise StartTooFar()


def apply(
    resident: Person, applicant: Person, answers: Application, now: datetime | None = None
) -> tuple[DeliveryEnrolment, bool]:
    """Record and commit an application; return (enrolment, created).

    The same application sent twice (a double tap, a retry) returns the first. Raises NotAllowed,
    Ineligible, NoMeals, NoSuchMeal, NoWeekdays, StartInPast, StartTooFar or AlreadyEnrolled.
    """
    now = now or utcnow()
    try:
        place = check_application(resident, applicant, answers, now)
    except AlreadyEnrolled as taken:
        if _is_repeat(taken.enrolment, applicant, answers, now):
            return taken.enrolment, False
        raise
    key = str(resident.id)
    enrolment = DeliveryEnrolment(
        resident_id=resident.id,
        canteen_id=place.id,
        applied_by_id=applicant.id,
        lunch=answers.lunch,
        dinner=answers.dinner,
        weekdays=_weekdays(answers.weekdays),
        start_day=answers.start_day,
        floor=answers.floor,
        has_lift=answers.has_lift,
        access_notes=answers.access_notes.strip() or None,
        diet_tags=",".join(answers.diet_tags),
        diet_notes=answers.diet_notes.strip() or None,
        contact_phone=answers.contact_phone.strip(),
        status=EnrolmentStatus.APPLIED,
        lunch_key=key if answers.lunch else None,
        dinner_key=key if answers.dinner else None,
    )
    db.session.add(enrolment)
    try:
        db.session.flush()
    except IntegrityError:
        # The same application, sent twice at once: the other request recorded it.
        db.session.rollback()
        held = _holding(resident.id, "lunch" if answers.lunch else "dinner")
        if held is not None and _is_repeat(held, applicant, answers, now):
            return held, False
        raise AlreadyEnrolled(held, "lunch" if answers.lunch else "dinner") from None
    if not may_act_for(applicant, resident):
        audit.record(applicant, "delivery.applied", resident, enrolment=enrolment.reference)
    _tell(enrolment, "delivery.applied")
    db.session.commit()
    return enrolment, True


def _is_repeat(
    held: DeliveryEnrolment, applicant: Person, answers: Application, now: datetime
) -> bool:
    """True when held is this very application, made a few minutes ago."""
    return (
        held.status == EnrolmentStatus.APPLIED
        and held.applied_by_id == applicant.id
        and (held.lunch, held.dinner) == (answers.lunch, answers.dinner)
        and held.weekday_list == sorted(set(answers.weekdays))
        and held.created_at is not None
        and now - held.created_at < timedelta(minutes=10)
    )


def _tell(enrolment: DeliveryEnrolment, kind: str, **params) -> None:
    """Queue a notification for the resident and each linked family member."""
    for person_id in (enrolment.resident_id, *family_ids_of(enrolment.resident_id)):
        notify(
            person_id,
            kind,
            resident_id=enrolment.resident_id,
            enrolment_id=enrolment.id,
            **params,
        )


# Deciding --------------------------------------------------------------------------------------


def approve(
    enrolment: DeliveryEnrolment, staff: Person, start_day: date, now: datetime | None = None
) -> DeliveryEnrolment:
    """Approve an application to start on start_day; the coming deliveries are booked at once.
    Raises NotAllowed, AlreadyDecided, StartInPast or StartTooFar."""
    now = now or utcnow()
    if not _is_staff_for(staff, enrolment.canteen):
        raise NotAllowed()
    if enrolment.status != EnrolmentStatus.APPLIED:
        raise AlreadyDecided()
    _check_start(enrolment.canteen, start_day, now)
    enrolment.status = EnrolmentStatus.ACTIVE
    enrolment.start_day = start_day
    enrolment.decided_by_id = staff.id
    enrolment.decided_at = now
    audit.record(
        staff,
        "delivery.approved",
        enrolment.resident,
        enrolment=enrolment.reference,
        start=start_day.isoformat(),
    )
    _tell(enrolment, "delivery.approved", start=start_day.isoformat())
    db.session.commit()
    sync(enrolment, now)
    return enrolment


def decline(
    enrolment: DeliveryEnrolment,
    staff: Person,
    reason: str,
    note: str = "",
    now: datetime | None = None,
) -> DeliveryEnrolment:
    """Decline an application with one of DECLINE_REASONS (read in the applicant's language) and
    an optional note in staff's words. Raises NotAllowed, AlreadyDecided or UnknownReason."""
    now = now or utcnow()
    if not _is_staff_for(staff, enrolment.canteen):
        raise NotAllowed()
    if enrolment.status != EnrolmentStatus.APPLIED:
        raise AlreadyDecided()
    if reason not in DECLINE_REASONS:
        raise UnknownReason(reason)
    enrolment.status = EnrolmentStatus.DECLINED
    enrolment.decline_reason = reason
    enrolment.decided_by_id = staff.id
    enrolment.decided_at = now
    enrolment.decline_note = note.strip()[:NOTE_MAX_LENGTH] or None
    enrolment.lunch_key = enrolment.dinner_key = None
    audit.record(
        staff, "delivery.declined", enrolment.resident, enrolment=enrolment.reference, reason=reason
    )
    _tell(enrolment, "delivery.declined", reason=reason)
    db.session.commit()
    return enrolment


# Living with it --------------------------------------------------------------------------------


def _require(person: Person, enrolment: DeliveryEnrolment) -> None:
    if not may_apply_for(person, enrolment.resident):
        raise NotAllowed()


def _record_if_staff(person: Person, action: str, enrolment: DeliveryEnrolment, **detail) -> None:
    if not may_act_for(person, enrolment.resident):
        audit.record(person, action, enrolment.resident, enrolment=enrolment.reference, **detail)


def pause(
    enrolment: DeliveryEnrolment,
    person: Person,
    first_day: date,
    last_day: date,
    now: datetime | None = None,
) -> DeliveryPause:
    """No deliveries from first_day to last_day; they resume by themselves the day after.
    Meals whose cut-off has passed are still delivered. Raises NotAllowed, NotActive, StartInPast,
    PauseEndsBeforeStart, PauseTooLong or PauseOverlaps."""
    now = now or utcnow()
    _require(person, enrolment)
    if enrolment.status != EnrolmentStatus.ACTIVE:
        raise NotActive()
    if first_day < enrolment.canteen.community.today(now):
        raise StartInPast()
    if last_day < first_day:
        raise PauseEndsBeforeStart()
    if (last_day - first_day).days >= PAUSE_MAX_DAYS:
        raise PauseTooLong()
    for other in enrolment.pauses:
        if other.first_day <= last_day and first_day <= other.last_day:
            raise PauseOverlaps(other)
    paused = DeliveryPause(
        enrolment=enrolment, first_day=first_day, last_day=last_day, created_by_id=person.id
    )
    db.session.add(paused)
    _record_if_staff(
        person, "delivery.paused", enrolment, first=first_day.isoformat(), last=last_day.isoformat()
    )
    _tell(enrolment, "delivery.paused", first=first_day.isoformat(), last=last_day.isoformat())
    db.session.commit()
    sync(enrolment, now)
    return paused


def end_pause(pause_: DeliveryPause, person: Person, now: datetime | None = None) -> None:
    """Resume deliveries before a pause was due to end: a pause not yet begun is removed, one
    under way ends yesterday. Meals whose cut-off has passed stay as they are."""
    now = now or utcnow()
    enrolment = pause_.enrolment
    _require(person, enrolment)
    today = enrolment.canteen.community.today(now)
    if pause_.last_day < today:
        return
    if pause_.first_day >= today:
        db.session.delete(pause_)
    else:
        pause_.last_day = today - timedelta(days=1)
    _record_if_staff(person, "delivery.resumed", enrolment)
    db.session.commit()
    db.session.refresh(enrolment)
    sync(enrolment, now)


def change_days(
    enrolment: DeliveryEnrolment, person: Person, weekdays: list[int], now: datetime | None = None
) -> DeliveryEnrolment:
    """Deliver on other weekdays from the next cut-off. Raises NotAllowed, NotActive (stopped or
    declined) or NoWeekdays."""
    now = now or utcnow()
    _require(person, enrolment)
    if not enrolment.is_open:
        raise NotActive()
    days = _weekdays(weekdays)
    if days != enrolment.weekdays:
        _record_if_staff(
            person, "delivery.days_changed", enrolment, days=f"{enrolment.weekdays} → {days}"
        )
        enrolment.weekdays = days
        db.session.commit()
        sync(enrolment, now)
    return enrolment


def stop(
    enrolment: DeliveryEnrolment, person: Person, now: datetime | None = None
) -> DeliveryEnrolment:
    """End deliveries from the next cut-off (or withdraw an application). Raises NotAllowed or
    NotActive when it had already ended."""
    now = now or utcnow()
    _require(person, enrolment)
    if not enrolment.is_open:
        raise NotActive()
    enrolment.status = EnrolmentStatus.STOPPED
    enrolment.stopped_by_id = person.id
    enrolment.stopped_at = now
    enrolment.lunch_key = enrolment.dinner_key = None
    _record_if_staff(person, "delivery.stopped", enrolment)
    _tell(enrolment, "delivery.stopped")
    db.session.commit()
    sync(enrolment, now)
    return enrolment


# From enrolments to delivery bookings ---------------------------------------------------------


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


# Rounds ----------------------------------------------------------------------------------------


class UnknownOutcome(DeliveryError):
    pass


def _standing_drops():
    """Deliveries that are to be taken to the door: booked, not given back, not cancelled."""
    return (
        select(Delivery)
        .join(Delivery.booking)
        .where(Delivery.withdrawn.is_(False), Booking.status != BookingStatus.CANCELLED)
    )


def get_round(round_id: int) -> DeliveryRound | None:
    return db.session.get(DeliveryRound, round_id)


def get_drop(drop_id: int) -> Delivery | None:
    return db.session.get(Delivery, drop_id)


def get_enrolment(enrolment_id: int) -> DeliveryEnrolment | None:
    return db.session.get(DeliveryEnrolment, enrolment_id)


def get_pause(pause_id: int) -> DeliveryPause | None:
    return db.session.get(DeliveryPause, pause_id)


def drops_of(meal_day: MealDay, round_ids: list[int] | None = None) -> list[Delivery]:
    """The standing deliveries of meal_day (of some rounds only, when round_ids is given), by
    grid, building, floor, unit and room, with everything a round sheet shows loaded."""
    query = (
        _standing_drops()
        .join(Delivery.round)
        .join(DeliveryRound.grid)
        .join(Delivery.enrolment)
        .join(DeliveryEnrolment.resident)
        .join(Person.building)
        .where(Delivery.meal_day_id == meal_day.id)
        .order_by(
            DeliveryRound.grid_id,
            Building.name,
            DeliveryEnrolment.floor,
            Person.unit,
            Person.room,
            Delivery.id,
        )
        .options(
            db.contains_eager(Delivery.booking).joinedload(Booking.dish),
            db.contains_eager(Delivery.round).contains_eager(DeliveryRound.grid),
            db.contains_eager(Delivery.enrolment)
            .contains_eager(DeliveryEnrolment.resident)
            .contains_eager(Person.building),
        )
    )
    if round_ids is not None:
        query = query.where(Delivery.round_id.in_(round_ids))
    return list(db.session.scalars(query).unique())


def sheet(drops: list[Delivery]) -> list[tuple]:
    """drops (as drops_of() orders them) as a round sheet: [(grid, [(building, [(floor,
    [drop])])])]."""
    by_grid = groupby(drops, lambda d: d.round.grid)
    return [
        (
            grid,
            [
                (
                    building,
                    [
                        (floor, list(on_floor))
                        for floor, on_floor in groupby(in_building, lambda d: d.enrolment.floor)
                    ],
                )
                for building, in_building in groupby(
                    in_grid, lambda d: d.enrolment.resident.building
                )
            ],
        )
        for grid, in_grid in by_grid
    ]


@dataclass
class Progress:
    round: DeliveryRound
    total: int = 0
    delivered: int = 0
    no_answer: int = 0
    refused: int = 0

    @property
    def to_go(self) -> int:
        return self.total - self.delivered - self.no_answer - self.refused


def meals_of_day(place: Canteen, day: date) -> list[MealDay]:
    query = (
        select(MealDay)
        .join(MealService)
        .where(MealService.canteen_id == place.id, MealDay.day == day)
        .order_by(MealService.serving_start, MealService.id)
        .options(db.contains_eager(MealDay.service))
    )
    return list(db.session.scalars(query))


def progress(meal_days: list[MealDay]) -> dict[int, list[Progress]]:
    """For each meal, its rounds with how many drops each has and how they went, by grid name."""
    if not meal_days:
        return {}
    rounds = db.session.scalars(
        select(DeliveryRound)
        .join(DeliveryRound.grid)
        .where(DeliveryRound.meal_day_id.in_([m.id for m in meal_days]))
        .order_by(DeliveryRound.meal_day_id, DeliveryRound.grid_id)
        .options(db.contains_eager(DeliveryRound.grid), db.joinedload(DeliveryRound.runner))
    ).all()
    counts = db.session.execute(
        select(Delivery.round_id, Delivery.outcome, func.count())
        .join(Delivery.booking)
        .where(
            Delivery.meal_day_id.in_([m.id for m in meal_days]),
            Delivery.withdrawn.is_(False),
            Booking.status != BookingStatus.CANCELLED,
        )
        .group_by(Delivery.round_id, Delivery.outcome)
    ).all()
    by_round = {r.id: Progress(r) for r in rounds}
    for round_id, outcome, number in counts:
        row = by_round[round_id]
        row.total += number
        if outcome:
            setattr(row, outcome, getattr(row, outcome) + number)
    result: dict[int, list[Progress]] = {m.id: [] for m in meal_days}
    for row in by_round.values():
        if row.total:
            result[row.round.meal_day_id].append(row)
    return result


def progress_version(meal_days: list[MealDay]) -> str:
    """A cheap fingerprint of the rounds of meal_days: it changes with any drop, its booking (a
    resident may cancel one day) or runner."""
    ids = [m.id for m in meal_days]
    if not ids:
        return "none"
    drops = db.session.execute(
        select(func.count(), func.max(Delivery.updated_at), func.max(Booking.updated_at))
        .select_from(Delivery)
        .outerjoin(Delivery.booking)
        .where(Delivery.meal_day_id.in_(ids))
    ).one()
    runners = db.session.execute(
        select(func.count(DeliveryRound.runner_id), func.max(DeliveryRound.updated_at)).where(
            DeliveryRound.meal_day_id.in_(ids)
        )
    ).one()
    return "-".join(
        str(value.isoformat() if hasattr(value, "isoformat") else value)
        for value in (*drops, *runners)
    )


def shortfall(meal_days: list[MealDay]) -> list[Delivery]:
    """Deliveries asked for but not booked because the meal was full: staff must act."""
    if not meal_days:
        return []
    query = (
        select(Delivery)
        .where(
            Delivery.meal_day_id.in_([m.id for m in meal_days]),
            Delivery.booking_id.is_(None),
            Delivery.withdrawn.is_(False),
        )
        .order_by(Delivery.meal_day_id, Delivery.id)
        .options(db.joinedload(Delivery.enrolment).joinedload(DeliveryEnrolment.resident))
    )
    return list(db.session.scalars(query).unique())


def rounds_to_run(person: Person, now: datetime | None = None) -> list[Progress]:
    """Today's rounds in the grids person serves as volunteer or grid worker, and any round they
    run, with their progress."""
    now = now or utcnow()
    grids = {
        grant.grid_id
        for grant in person.grants
        if grant.grid_id and grant.role in (Role.VOLUNTEER, Role.GRID_WORKER)
    }
    if not grids:
        return []
    # "Today" differs by time zone; a day either side keeps the query simple and exact below.
    rough = now.date()
    meal_days = db.session.scalars(
        select(MealDay)
        .join(DeliveryRound, DeliveryRound.meal_day_id == MealDay.id)
        .where(
            DeliveryRound.grid_id.in_(grids),
            MealDay.day.between(rough - timedelta(days=1), rough + timedelta(days=1)),
        )
        .options(db.joinedload(MealDay.service).joinedload(MealService.canteen))
        .distinct()
    ).all()
    today_meals = [m for m in meal_days if m.service.canteen.community.today(now) == m.day]
    today_meals.sort(key=lambda m: (m.service.serving_start, m.id))
    rows = progress(today_meals)
    return [row for m in today_meals for row in rows[m.id] if row.round.grid_id in grids]


def take_round(round_: DeliveryRound, person: Person) -> DeliveryRound:
    """person runs round_. Raises NotAllowed (not of its grid) or NotYourRound (someone else runs
    it). Taking one's own round again changes nothing."""
    if round_.runner_id == person.id:
        return round_
    if not may_run(person, round_):
        raise NotAllowed()
    taken = db.session.execute(
        update(DeliveryRound)
        .where(DeliveryRound.id == round_.id, DeliveryRound.runner_id.is_(None))
        .values(runner_id=person.id, updated_at=utcnow())
    ).rowcount
    if not taken:
        db.session.rollback()
        db.session.refresh(round_)
        if round_.runner_id != person.id:
            raise NotYourRound(round_.runner)
        return round_
    db.session.commit()
    db.session.refresh(round_)
    return round_


def release_round(round_: DeliveryRound, person: Person) -> DeliveryRound:
    """The runner gives the round back for someone else to take (staff may too)."""
    if round_.runner_id != person.id and not _is_staff_for(person, round_.meal_day.service.canteen):
        raise NotYourRound(round_.runner)
    round_.runner_id = None
    db.session.commit()
    return round_


def mark(
    drop: Delivery, person: Person, outcome: str, note: str = "", now: datetime | None = None
) -> Delivery:
    """Record what happened at the door, on the drop's day, by the round's runner or canteen staff.

    No answer is a safety signal: an urgent welfare check opens in the resident's grid queue at
    once, with the round, the time and the note, and the family are told. A drop can be corrected
    (a second knock was answered); marking it as it stands changes nothing. Raises
    UnknownOutcome, NotYourRound, NotAllowed, NotToday or Withdrawn.
    """
    now = now or utcnow()
    if outcome not in {o.value for o in Outcome}:
        raise UnknownOutcome(outcome)
    round_ = drop.round
    place = drop.meal_day.service.canteen
    if round_.runner_id != person.id and not _is_staff_for(person, place):
        if round_.runner_id is not None:
            raise NotYourRound(round_.runner)
        if not may_run(person, round_):
            raise NotAllowed()
    if drop.meal_day.service.canteen.community.today(now) != drop.meal_day.day:
        raise NotToday()
    booking = drop.booking
    if drop.withdrawn or booking is None or booking.status == BookingStatus.CANCELLED:
        raise Withdrawn()
    if round_.runner_id is None and may_run(person, round_):
        take_round(round_, person)
    note = note.strip()[:NOTE_MAX_LENGTH]
    if drop.outcome == outcome and not note:
        return drop
    drop.outcome = outcome
    drop.note = note or drop.note
    drop.marked_by_id = person.id
    drop.marked_at = now
    booking.status = BookingStatus.SERVED if outcome == Outcome.DELIVERED else BookingStatus.NO_SHOW
    db.session.commit()
    if outcome == Outcome.NO_ANSWER and drop.help_request_id is None:
        _raise_welfare_check(drop, person, now)
    return drop


def _raise_welfare_check(drop: Delivery, volunteer: Person, now: datetime) -> None:
    resident = drop.enrolment.resident
    request, _created = help.raise_alert(
        resident,
        Category.WELFARE_CHECK,
        volunteer,
        now=now,
        note=drop.note,
        source=Source.DELIVERY,
    )
    drop.help_request_id = request.id
    local = now.replace(tzinfo=UTC).astimezone(_zone(drop.meal_day.service.canteen))
    for family_id in family_ids_of(resident.id):
        notify(
            family_id,
            "delivery.no_answer",
            resident_id=resident.id,
            meal=drop.meal_day.service.kind,
            time=local.strftime("%H:%M"),
            reference=request.reference,
        )
    db.session.commit()


def drop_for_request(request_id: int) -> Delivery | None:
    """The delivery whose unanswered door raised this help request, if one did."""
    query = (
        select(Delivery)
        .where(Delivery.help_request_id == request_id)
        .options(
            db.joinedload(Delivery.round).joinedload(DeliveryRound.grid),
            db.joinedload(Delivery.round).joinedload(DeliveryRound.runner),
            db.joinedload(Delivery.meal_day).joinedload(MealDay.service),
            db.joinedload(Delivery.marked_by),
        )
    )
    return db.session.scalars(query).first()


# Reading ---------------------------------------------------------------------------------------


def enrolments_of(resident: Person, limit: int = 20) -> list[DeliveryEnrolment]:
    """The resident's enrolments, open ones first, then the latest."""
    query = (
        select(DeliveryEnrolment)
        .where(DeliveryEnrolment.resident_id == resident.id)
        .order_by(DeliveryEnrolment.status.in_(OPEN_ENROLMENT).desc(), DeliveryEnrolment.id.desc())
        .limit(limit)
        .options(
            db.selectinload(DeliveryEnrolment.pauses),
            db.joinedload(DeliveryEnrolment.canteen),
            db.joinedload(DeliveryEnrolment.applied_by),
        )
    )
    return list(db.session.scalars(query).unique())


def coming_deliveries(resident: Person, today: date, limit: int = 14) -> list[Delivery]:
    """The resident's booked deliveries from today on."""
    query = (
        _standing_drops()
        .join(Delivery.enrolment)
        .join(Delivery.meal_day)
        .join(MealDay.service)
        .where(DeliveryEnrolment.resident_id == resident.id, MealDay.day >= today)
        .order_by(MealDay.day, MealService.serving_start)
        .limit(limit)
        .options(
            db.contains_eager(Delivery.booking).joinedload(Booking.dish),
            db.contains_eager(Delivery.meal_day).contains_eager(MealDay.service),
        )
    )
    return list(db.session.scalars(query).unique())


def applications(place: Canteen, status: str = EnrolmentStatus.APPLIED, limit: int = 200):
    """place's enrolments with status, oldest application first."""
    query = (
        select(DeliveryEnrolment)
        .where(DeliveryEnrolment.canteen_id == place.id, DeliveryEnrolment.status == status)
        .order_by(DeliveryEnrolment.created_at, DeliveryEnrolment.id)
        .limit(limit)
        .options(
            db.joinedload(DeliveryEnrolment.resident).joinedload(Person.building),
            db.joinedload(DeliveryEnrolment.applied_by),
            db.selectinload(DeliveryEnrolment.pauses),
        )
    )
    return list(db.session.scalars(query).unique())
