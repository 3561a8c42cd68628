"""Meal delivery rules: who may have meals brought, applying and deciding, pausing and stopping.
The bookings that follow from enrolments are in bookings.py, the rounds that take them to the door
in rounds.py."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal.accounts.models import Person, Role
from portal.accounts.services import family_ids_of, may_act_for
from portal.audit import services as audit
from portal.canteen import menus
from portal.canteen import services as canteen
from portal.canteen.models import Canteen, MealKind
from portal.delivery import bookings
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
from portal.model_base import utcnow
from portal.notifications.services import notify

MIN_AGE = 60
PAUSE_MAX_DAYS = 366
# Deliveries are booked a day further ahead than residents can book, so that they come first.
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


class StartNotOnADay(DeliveryError):
    """The first meal falls on a day of the week no meal is brought on."""


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


class NotTaken(DeliveryError):
    """Nobody runs the round yet: a volunteer takes it before marking its doors."""


class NotToday(DeliveryError):
    """A drop can be marked only on its own day."""


class Withdrawn(DeliveryError):
    """The drop's booking was cancelled: there is nothing to deliver."""


# Time ------------------------------------------------------------------------------------------


def zone_of(place: Canteen) -> ZoneInfo:
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
        for grant in person.grants_in_force()
    )


def is_staff_for(person: Person, place: Canteen) -> bool:
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
    return db.session.scalar(
        select(DeliveryEnrolment).where(column == DeliveryEnrolment.key_for(resident_id))
    )


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
    if answers.start_day.weekday() not in {int(day) for day in answers.weekdays}:
        raise StartNotOnADay()
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
    key = DeliveryEnrolment.key_for(resident.id)
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
    if not is_staff_for(staff, enrolment.canteen):
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
    bookings.sync(enrolment, now)
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
    if not is_staff_for(staff, enrolment.canteen):
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
    bookings.sync(enrolment, now)
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
    bookings.sync(enrolment, now)


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
        bookings.sync(enrolment, now)
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
    bookings.sync(enrolment, now)
    return enrolment


HOSPITAL = "hospital"  # the reason of the pause a hospital stay makes


def give_back_for_leaving(
    resident: Person, reason: str, by: Person, now: datetime | None = None
) -> int:
    """resident left home: a hospital stay pauses their deliveries until they are back (for at
    most PAUSE_MAX_DAYS); moving out or dying stops them, and withdraws an application. The
    deliveries whose cut-off has not passed are given back, and all is committed. Returns how
    many deliveries were given back."""
    now = now or utcnow()
    withdrawn = 0
    for enrolment in open_enrolments(resident):
        if reason == HOSPITAL:
            if enrolment.status != EnrolmentStatus.ACTIVE:
                continue
            today = enrolment.canteen.community.today(now)
            if any(p.first_day <= today <= p.last_day for p in enrolment.pauses):
                continue
            last = today + timedelta(days=PAUSE_MAX_DAYS - 1)
            enrolment.pauses.append(
                DeliveryPause(first_day=today, last_day=last, created_by_id=by.id, reason=HOSPITAL)
            )
        else:
            enrolment.status = EnrolmentStatus.STOPPED
            enrolment.stopped_by_id = by.id
            enrolment.stopped_at = now
            enrolment.lunch_key = enrolment.dinner_key = None
        db.session.commit()
        withdrawn += bookings.sync(enrolment, now)["withdrawn"]
    return withdrawn


def resume_after_hospital(resident: Person, now: datetime | None = None) -> None:
    """resident is home again: the pause their hospital stay made ends yesterday (or goes, if it
    had not begun), and their deliveries are booked again from the next cut-off."""
    now = now or utcnow()
    for enrolment in open_enrolments(resident):
        today = enrolment.canteen.community.today(now)
        stays = [p for p in enrolment.pauses if p.reason == HOSPITAL and p.last_day >= today]
        for stay in stays:
            if stay.first_day >= today:
                db.session.delete(stay)
            else:
                stay.last_day = today - timedelta(days=1)
        if stays:
            db.session.commit()
            db.session.refresh(enrolment)
            bookings.sync(enrolment, now)


# Reading ---------------------------------------------------------------------------------------


def get_enrolment(enrolment_id: int) -> DeliveryEnrolment | None:
    return db.session.get(DeliveryEnrolment, enrolment_id)


def get_pause(pause_id: int) -> DeliveryPause | None:
    return db.session.get(DeliveryPause, pause_id)


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


def export_of(resident: Person) -> list[dict]:
    """Every meal delivery enrolment of resident, as recorded, for the copy of their data."""
    enrolments = db.session.scalars(
        select(DeliveryEnrolment)
        .where(DeliveryEnrolment.resident_id == resident.id)
        .order_by(DeliveryEnrolment.created_at)
    )
    return [
        {
            "applied_at": enrolment.created_at.isoformat(timespec="minutes"),
            "status": enrolment.status,
            "lunch": "yes" if enrolment.lunch else "no",
            "dinner": "yes" if enrolment.dinner else "no",
            "weekdays": enrolment.weekdays,
            "start_day": enrolment.start_day.isoformat(),
            "floor": str(enrolment.floor or ""),
            "access_notes": enrolment.access_notes or "",
            "diet": enrolment.diet_tags,
            "diet_notes": enrolment.diet_notes or "",
            "contact_phone": enrolment.contact_phone,
        }
        for enrolment in enrolments
    ]


def _handed_over(residents) -> tuple:
    """Deliveries handed over at the door of residents (ids, or a query of their ids)."""
    return DeliveryEnrolment.resident_id.in_(residents), Delivery.outcome == Outcome.DELIVERED


def latest_deliveries(resident_ids: list[int]) -> dict[int, datetime]:
    """When each resident was last handed a delivered meal at their door."""
    query = (
        select(DeliveryEnrolment.resident_id, func.max(Delivery.marked_at))
        .join(Delivery, Delivery.enrolment_id == DeliveryEnrolment.id)
        .where(*_handed_over(resident_ids))
        .group_by(DeliveryEnrolment.resident_id)
    )
    return dict(db.session.execute(query).all())


def last_delivery(residents):
    """The latest meal handed over at the door of any of residents, as a scalar subquery."""
    return (
        select(func.max(Delivery.marked_at))
        .join(DeliveryEnrolment, Delivery.enrolment_id == DeliveryEnrolment.id)
        .where(*_handed_over(residents))
        .scalar_subquery()
    )
