"""Canteen rules: the price a resident pays, the booking window, and booking without ever
exceeding capacity or holding two bookings for one meal."""

import csv
import io
from datetime import date, datetime, timedelta
from itertools import groupby
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from portal.accounts.models import Person
from portal.accounts.services import may_act_for, may_book_for, serves
from portal.audit import services as audit
from portal.canteen import labels, seams
from portal.canteen.models import (
    Booking,
    BookingMode,
    BookingStatus,
    Canteen,
    Dish,
    MealDay,
    MealService,
)
from portal.extensions import db
from portal.model_base import utcnow

BOOKING_DAYS = 7  # today and the next six


class CanteenError(Exception):
    """A canteen rule was broken; views turn each kind into a clear message."""


class NotAllowed(CanteenError):
    pass


class NotOpen(CanteenError):
    """The day is outside the booking window or its menu is not published."""


class PastCutoff(CanteenError):
    def __init__(self, cutoff: datetime):
        super().__init__(cutoff)
        self.cutoff = cutoff


class SoldOut(CanteenError):
    def __init__(self, alternatives: list[Dish]):
        super().__init__(alternatives)
        self.alternatives = alternatives


class WrongDish(CanteenError):
    """The dish is not on that meal's menu (a tampered or stale form)."""


class UnknownMode(CanteenError):
    pass


# What paid for a meal could not pay any more: the booking was not made.
PaymentRefused = seams.PaymentRefused


class OnARound(CanteenError):
    """A delivered meal is marked at the door, on its round, not at the counter."""


# Time ------------------------------------------------------------------------------------------


def _zone(meal_day: MealDay) -> ZoneInfo:
    return ZoneInfo(meal_day.service.canteen.community.timezone)


def _check_open(meal_day: MealDay, now: datetime) -> None:
    today = meal_day.service.canteen.community.today(now)
    if not meal_day.published or not today <= meal_day.day < today + timedelta(days=BOOKING_DAYS):
        raise NotOpen()
    if now >= meal_day.cutoff_at:
        raise PastCutoff(meal_day.cutoff_at)


# Booking ---------------------------------------------------------------------------------------


def _active_key(resident: Person, meal_day: MealDay) -> str:
    return Booking.key_for(resident.id, meal_day.id)


def existing_booking(resident: Person, meal_day: MealDay) -> Booking | None:
    key = _active_key(resident, meal_day)
    return db.session.scalar(select(Booking).where(Booking.active_key == key))


def alternatives(meal_day: MealDay) -> list[Dish]:
    """Dishes of the same meal that still have portions, when the meal itself is not full."""
    if meal_day.booked >= meal_day.capacity:
        return []
    return [d for d in meal_day.dishes if d.portions is None or d.booked < d.portions]


def _take_portion(meal_day: MealDay, dish: Dish) -> bool:
    """Take a place of the day's capacity and a portion of dish with conditional updates, in the
    current transaction; False (having taken nothing) when either has run out."""
    took_seat = db.session.execute(
        update(MealDay)
        .where(MealDay.id == meal_day.id, MealDay.booked < MealDay.capacity)
        .values(booked=MealDay.booked + 1)
    ).rowcount
    if not took_seat:
        return False
    took_dish = db.session.execute(
        update(Dish)
        .where(Dish.id == dish.id, (Dish.portions.is_(None)) | (Dish.booked < Dish.portions))
        .values(booked=Dish.booked + 1)
    ).rowcount
    if not took_dish:
        db.session.execute(
            update(MealDay).where(MealDay.id == meal_day.id).values(booked=MealDay.booked - 1)
        )
    return bool(took_dish)


def reserve_delivery(
    resident: Person, meal_day: MealDay, dishes: list[Dish], booked_by: Person
) -> Booking | None:
    """Book the first of dishes that still has a portion for delivery to resident, counted against
    the day's capacity like any booking, and add it to the session without committing. None when
    the meal or every one of dishes is full. The caller checks that the resident holds no booking
    for the meal; the booking's unique key stops a second one at commit."""
    for dish in dishes:
        if _take_portion(meal_day, dish):
            booking = Booking(
                meal_day_id=meal_day.id,
                dish_id=dish.id,
                resident_id=resident.id,
                booked_by_id=booked_by.id,
                mode=BookingMode.DELIVERY,
                price_fen=meal_day.service.canteen.price_for(resident, dish, meal_day.day),
                active_key=_active_key(resident, meal_day),
            )
            db.session.add(booking)
            return booking
    return None


def release(booking: Booking, now: datetime) -> None:
    """Cancel booking and give its portion back, without committing; the caller checked the
    cut-off."""
    booking.status = BookingStatus.CANCELLED
    booking.active_key = None
    booking.cancelled_at = now
    seams.give_back(booking, now)
    db.session.execute(
        update(MealDay).where(MealDay.id == booking.meal_day_id).values(booked=MealDay.booked - 1)
    )
    db.session.execute(
        update(Dish).where(Dish.id == booking.dish_id).values(booked=Dish.booked - 1)
    )


def book(
    resident: Person,
    dish: Dish,
    mode: str,
    booked_by: Person,
    *,
    meal_day: MealDay | None = None,
    now: datetime | None = None,
    channel: str | None = None,
    pay_with: str | None = None,
) -> tuple[Booking, bool]:
    """Book dish for resident and commit; return (booking, created).

    booked_by is the resident or linked family; or, with the channel the resident asked by (an
    accounts Channel), a grid worker or admin serving them, which the audit log records.
    pay_with is the key of one of the resident's offers (seams.offers), taken in the same
    transaction; raises PaymentRefused, booking nothing, when it can no longer pay.

    A resident holds at most one booking per meal: asking again returns the one they hold. The
    day's capacity and the dish's portions are taken with conditional updates, so concurrent
    bookings of the last portion give it to exactly one. Raises NotAllowed, NotOpen, PastCutoff,
    WrongDish, UnknownMode or SoldOut (with the dishes still available).
    """
    now = now or utcnow()
    meal_day = meal_day or dish.meal_day
    if dish.meal_day_id != meal_day.id or dish.withdrawn_at is not None:
        raise WrongDish()
    if mode not in (BookingMode.DINE_IN, BookingMode.PICK_UP):
        raise UnknownMode(mode)
    if not may_book_for(booked_by, resident, channel):
        raise NotAllowed()
    _check_open(meal_day, now)
    held = existing_booking(resident, meal_day)
    if held is not None:
        return held, False
    if not _take_portion(meal_day, dish):
        db.session.rollback()
        # The same resident's other request may have taken the last portion a moment ago.
        held = existing_booking(resident, meal_day)
        if held is not None:
            return held, False
        db.session.refresh(meal_day)
        raise SoldOut(alternatives(meal_day))
    booking = Booking(
        meal_day_id=meal_day.id,
        dish_id=dish.id,
        resident_id=resident.id,
        booked_by_id=booked_by.id,
        mode=mode,
        price_fen=meal_day.service.canteen.price_for(resident, dish, meal_day.day),
        active_key=_active_key(resident, meal_day),
        channel=channel,
    )
    db.session.add(booking)
    try:
        if channel is not None or pay_with is not None:
            db.session.flush()
        if pay_with is not None:
            try:
                booking.paid_with, booking.paid_with_fen = seams.take_payment(
                    pay_with, booking, booked_by, now
                )
            except seams.PaymentRefused:
                db.session.rollback()
                raise
        if channel is not None:
            audit.record(booked_by, "canteen.booked_for", resident, booking=booking.reference)
        db.session.commit()
    except IntegrityError:
        # The same resident's other request booked this meal a moment ago; the counters taken
        # above are rolled back with this transaction.
        db.session.rollback()
        return existing_booking(resident, meal_day), False
    return booking, True


def check_cancel(booking: Booking, person: Person, now: datetime | None = None) -> None:
    """Whether person may cancel booking now: raises NotAllowed or PastCutoff when not. The
    resident, linked family, and staff who serve the resident (when asked) may."""
    now = now or utcnow()
    if not (may_act_for(person, booking.resident) or serves(person, booking.resident)):
        raise NotAllowed()
    if booking.status != BookingStatus.BOOKED:
        raise NotAllowed()
    if now >= booking.meal_day.cutoff_at:
        raise PastCutoff(booking.meal_day.cutoff_at)


def cancel(booking: Booking, person: Person, now: datetime | None = None) -> Booking:
    """Cancel before the cut-off and give the portion back. Raises NotAllowed or PastCutoff."""
    now = now or utcnow()
    check_cancel(booking, person, now)
    release(booking, now)
    if not may_act_for(person, booking.resident):
        audit.record(person, "canteen.cancelled_for", booking.resident, booking=booking.reference)
    db.session.commit()
    return booking


def release_all(resident: Person, now: datetime | None = None) -> int:
    """Give back every meal booked for resident to eat in or take away whose cut-off has not
    passed, and commit: they left home. Deliveries are meal delivery's to give back. Returns how
    many."""
    now = now or utcnow()
    standing = db.session.scalars(
        select(Booking)
        .join(MealDay, MealDay.id == Booking.meal_day_id)
        .where(
            Booking.resident_id == resident.id,
            Booking.status == BookingStatus.BOOKED,
            Booking.mode != BookingMode.DELIVERY,
            MealDay.day >= resident.today(now) - timedelta(days=1),
        )
    ).all()
    coming = [booking for booking in standing if now < booking.meal_day.cutoff_at]
    for booking in coming:
        release(booking, now)
    db.session.commit()
    return len(coming)


# Reading ---------------------------------------------------------------------------------------


def canteen_of(resident: Person) -> Canteen | None:
    """The canteen of the resident's community (the first, where there are several)."""
    if resident.community_id is None:
        return None
    query = (
        select(Canteen).where(Canteen.community_id == resident.community_id).order_by(Canteen.id)
    )
    return db.session.scalar(query.limit(1))


def open_meal_days(place: Canteen, today: date, days: int = BOOKING_DAYS) -> list[MealDay]:
    """Published meals of the next days (the booking window by default), by date then serving
    time, with their dishes."""
    query = (
        select(MealDay)
        .join(MealService)
        .where(
            MealService.canteen_id == place.id,
            MealDay.published.is_(True),
            MealDay.day >= today,
            MealDay.day < today + timedelta(days=days),
        )
        .order_by(MealDay.day, MealService.serving_start)
        .options(*_WITH_MENU)
    )
    return list(db.session.scalars(query).unique())


# A meal with its service and its dishes' photos, in one statement: the pages that show a menu
# read it on every request.
_WITH_MENU = (
    db.joinedload(MealDay.dishes).joinedload(Dish.photo),
    db.joinedload(MealDay.service),
)


def get_meal_day(meal_day_id: int) -> MealDay | None:
    return db.session.get(MealDay, meal_day_id)


def meal_with_menu(meal_day_id: int) -> MealDay | None:
    """The meal, with its service and its dishes, as a menu page shows it."""
    return db.session.get(MealDay, meal_day_id, options=_WITH_MENU)


def get_booking(booking_id: int) -> Booking | None:
    return db.session.get(Booking, booking_id)


def bookings_of(
    resident: Person, today: date, limit: int = 40
) -> tuple[list[Booking], list[Booking]]:
    """The resident's standing bookings from today on, and their earlier or cancelled ones."""
    query = (
        select(Booking)
        .join(MealDay)
        .join(MealService)
        .where(Booking.resident_id == resident.id)
        .order_by(MealDay.day.desc(), MealService.serving_start.desc(), Booking.id.desc())
        .limit(limit)
        .options(
            db.joinedload(Booking.meal_day).joinedload(MealDay.service),
            db.joinedload(Booking.dish),
            db.joinedload(Booking.booked_by),
        )
    )
    bookings = list(db.session.scalars(query).unique())
    upcoming = [b for b in bookings if b.status == BookingStatus.BOOKED and b.meal_day.day >= today]
    return list(reversed(upcoming)), [b for b in bookings if b not in upcoming]


# Kitchen and counter ---------------------------------------------------------------------------


def _standing_on(query, place: Canteen, day: date):
    """query narrowed to the bookings of place's meals on day that were not cancelled."""
    return (
        query.join(Booking.meal_day)
        .join(MealDay.service)
        .where(
            MealService.canteen_id == place.id,
            MealDay.day == day,
            Booking.status != BookingStatus.CANCELLED,
        )
    )


def kitchen_counts(place: Canteen, day: date) -> list[dict]:
    """For each meal of place on day, each dish with its standing bookings by way of eating.

    Returns [{"meal_day": MealDay, "dishes": [{"dish": Dish, "dine_in": n, "pick_up": n,
    "delivery": n, "total": n, "paid_with": n}], "dine_in": n, "pick_up": n, "delivery": n,
    "total": n, "paid_with": n}] in serving order, the meal's figures summing its dishes;
    "paid_with" counts those paid otherwise than in money (a voucher). Cancelled bookings do not
    count.
    """
    meal_days = db.session.scalars(
        select(MealDay)
        .join(MealService)
        .where(MealService.canteen_id == place.id, MealDay.day == day)
        .order_by(MealService.serving_start, MealService.id)
        .options(db.selectinload(MealDay.dishes), db.contains_eager(MealDay.service))
    ).all()
    counted = select(Booking.dish_id, Booking.mode, func.count(), func.count(Booking.paid_with))
    rows = db.session.execute(
        _standing_on(counted, place, day).group_by(Booking.dish_id, Booking.mode)
    ).all()
    counts: dict[int, dict[str, int]] = {}
    paid_with: dict[int, int] = {}
    for dish_id, mode, number, paid in rows:
        counts.setdefault(dish_id, {})[mode] = number
        paid_with[dish_id] = paid_with.get(dish_id, 0) + paid
    result = []
    for meal_day in meal_days:
        dishes = []
        for dish in meal_day.dishes:
            by_mode = {
                mode.value: counts.get(dish.id, {}).get(mode.value, 0) for mode in BookingMode
            }
            dishes.append(
                {
                    "dish": dish,
                    **by_mode,
                    "total": sum(by_mode.values()),
                    "paid_with": paid_with.get(dish.id, 0),
                }
            )
        totals = {mode.value: sum(d[mode.value] for d in dishes) for mode in BookingMode}
        result.append(
            {
                "meal_day": meal_day,
                "dishes": dishes,
                **totals,
                "total": sum(totals.values()),
                "paid_with": sum(d["paid_with"] for d in dishes),
            }
        )
    return result


def _spreadsheet_text(text: str) -> str:
    """text as a spreadsheet shows it, never run as a formula."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


def kitchen_csv(counts: list[dict], day: date, locale: str) -> str:
    """kitchen_counts() for a spreadsheet: a byte-order mark so that Excel reads the Chinese,
    a heading row in the reader's language, then one row per meal and dish; on a day when some
    meals were paid by voucher, a last column counts them."""

    vouchers = any(meal["paid_with"] for meal in counts)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    headings = [*labels.KITCHEN_COLUMNS, *([labels.PAID_BY_VOUCHER] if vouchers else [])]
    writer.writerow([str(heading) for heading in headings])
    for meal in counts:
        kind = str(
            labels.MEAL_KINDS.get(meal["meal_day"].service.kind, meal["meal_day"].service.kind)
        )
        for row in meal["dishes"]:
            writer.writerow(
                [
                    day.isoformat(),
                    kind,
                    _spreadsheet_text(row["dish"].name(locale)),
                    *(row[mode.value] for mode in BookingMode),
                    row["total"],
                    *([row["paid_with"]] if vouchers else []),
                ]
            )
    return out.getvalue()


def _standing_bookings(place: Canteen, day: date):
    """Bookings of place's meals on day that were not cancelled, in serving order, with
    resident, dish and meal loaded: a query to narrow further."""
    return (
        _standing_on(select(Booking), place, day)
        .join(Booking.resident)
        .order_by(MealService.serving_start, MealService.id, Booking.id)
        .options(
            db.contains_eager(Booking.meal_day).contains_eager(MealDay.service),
            db.contains_eager(Booking.resident),
            db.joinedload(Booking.dish),
        )
    )


def diet_notes(place: Canteen, day: date) -> list[Booking]:
    """The standing bookings of place on day whose resident has diet notes, for the kitchen."""
    query = _standing_bookings(place, day).where(
        Person.diet_notes.is_not(None), Person.diet_notes != ""
    )
    return [
        booking
        for _meal_day, group in _by_meal(db.session.scalars(query).unique())
        for booking in group
    ]


def _by_meal(bookings) -> list[tuple[MealDay, list[Booking]]]:
    """bookings, in serving order, grouped by meal, each meal's by resident name in pinyin."""
    return [
        (meal_day, sorted(group, key=lambda booking: booking.resident.name_order()))
        for meal_day, group in groupby(bookings, lambda booking: booking.meal_day)
    ]


def _booking_id(reference: str) -> int | None:
    """The booking id in a reference as it is read out: "B000123", "b123" or "123"."""
    digits = reference[1:] if reference[:1] in ("B", "b") else reference
    if digits.isascii() and digits.isdigit() and len(digits) <= 9:
        return int(digits)
    return None


class CounterMeal(NamedTuple):
    """One meal at the counter: the bookings served there, and the meals that go out on rounds."""

    meal_day: MealDay
    at_counter: list[Booking]
    deliveries: list[Booking]


def counter_bookings(place: Canteen, day: date, search: str = "") -> list[CounterMeal]:
    """The standing bookings of place on day, by meal in serving order, the ones served at the
    counter apart from the ones delivered.

    search, when given, keeps the bookings whose resident's name contains it, whose resident
    code is it, or whose reference it is ("B000123" or "123"). Meals with no bookings left out.
    """

    query = _standing_bookings(place, day)
    search = search.strip()
    if search:
        booking_id = _booking_id(search)
        query = query.where(
            db.or_(
                Person.name.contains(search, autoescape=True),
                Person.resident_code == search,
                Booking.id == booking_id if booking_id is not None else db.false(),
            )
        )
    return [
        CounterMeal(
            meal_day,
            [booking for booking in group if booking.mode != BookingMode.DELIVERY],
            [booking for booking in group if booking.mode == BookingMode.DELIVERY],
        )
        for meal_day, group in _by_meal(db.session.scalars(query).unique())
    ]


def counter_totals(place: Canteen, day: date) -> dict[str, int]:
    """How the standing bookings of place on day stand. At the counter: "standing", "booked"
    (still to serve), "served", "no_show"; on the rounds: "deliveries", "delivered",
    "no_answer". A door that did not open is not a meal left at the counter."""
    query = _standing_on(select(Booking.mode, Booking.status, func.count()), place, day)
    counts = {
        (mode, status): number
        for mode, status, number in db.session.execute(query.group_by(Booking.mode, Booking.status))
    }

    def counted(status: BookingStatus, delivered: bool) -> int:
        return sum(
            number
            for (mode, at), number in counts.items()
            if at == status and (mode == BookingMode.DELIVERY) == delivered
        )

    standing = (BookingStatus.BOOKED, BookingStatus.SERVED, BookingStatus.NO_SHOW)
    at_counter = {status: counted(status, delivered=False) for status in standing}
    return {
        "standing": sum(at_counter.values()),
        **at_counter,
        "deliveries": sum(counted(status, delivered=True) for status in standing),
        "delivered": counted(BookingStatus.SERVED, delivered=True),
        "no_answer": counted(BookingStatus.NO_SHOW, delivered=True),
    }


def counter_paid_with(place: Canteen, day: date) -> int:
    """How many standing bookings of place on day were paid otherwise than in money (a voucher)."""
    query = _standing_on(select(func.count(Booking.paid_with)), place, day)
    return db.session.scalar(query)


def counter_booking(place: Canteen, booking_id: int) -> Booking | None:
    """The booking with booking_id if it is for one of place's meals, with its resident."""
    query = (
        select(Booking)
        .join(Booking.meal_day)
        .join(MealDay.service)
        .where(Booking.id == booking_id, MealService.canteen_id == place.id)
        .options(
            db.contains_eager(Booking.meal_day).contains_eager(MealDay.service),
            db.joinedload(Booking.resident),
            db.joinedload(Booking.dish),
        )
    )
    return db.session.scalar(query)


def mark(booking: Booking, staff: Person, status: str) -> Booking:
    """Record at the counter that a standing booking was served or not collected (no-show).

    Either can be corrected to the other; marking it as it already stands changes nothing.
    Raises NotAllowed for any other status, or when the booking was cancelled; OnARound for a
    meal that is delivered.
    """

    if status not in (BookingStatus.SERVED, BookingStatus.NO_SHOW):
        raise NotAllowed()
    if booking.mode == BookingMode.DELIVERY:
        raise OnARound()
    if booking.status not in (BookingStatus.BOOKED, BookingStatus.SERVED, BookingStatus.NO_SHOW):
        raise NotAllowed()
    if booking.status == status:
        return booking
    booking.status = status
    audit.record(staff, f"canteen.{status}", booking.resident, booking=booking.reference)
    db.session.commit()
    return booking


def export_of(resident: Person) -> list[dict]:
    """Every meal booked for resident, for the copy of their data."""
    bookings = db.session.scalars(
        select(Booking)
        .where(Booking.resident_id == resident.id)
        .order_by(Booking.created_at)
        .options(
            db.joinedload(Booking.meal_day).joinedload(MealDay.service), db.joinedload(Booking.dish)
        )
    )
    return [
        {
            "day": booking.meal_day.day.isoformat(),
            "meal": booking.meal_day.service.kind,
            "dish": booking.dish.name_zh_hans,
            "how": booking.mode,
            "price_yuan": f"{booking.price_fen / 100:.2f}",
            "paid_with": booking.paid_with or "",
            "status": booking.status,
            "booked_at": booking.created_at.isoformat(timespec="minutes"),
        }
        for booking in bookings
    ]
