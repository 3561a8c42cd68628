"""Delivery rounds: the drops of a round, who runs it, what happened at each door, and a welfare
check when nobody answered."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import groupby

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from portal.accounts import day as worker_day
from portal.accounts.models import Person, Role
from portal.accounts.services import family_ids_of
from portal.canteen.menus import may_manage
from portal.canteen.models import Booking, BookingStatus, Canteen, MealDay, MealService
from portal.community.models import Building
from portal.delivery import signals
from portal.delivery.models import (
    Delivery,
    DeliveryEnrolment,
    DeliveryRound,
    DropMark,
    Outcome,
)
from portal.delivery.services import (
    NOTE_MAX_LENGTH,
    DeliveryError,
    NotAllowed,
    NotTaken,
    NotToday,
    NotYourRound,
    Withdrawn,
    is_staff_for,
    may_run,
    zone_of,
)
from portal.extensions import db
from portal.help import services as help
from portal.help.models import Category, Source
from portal.model_base import utcnow
from portal.notifications.services import notify


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


def _version_columns(canteen_id: int, day: date) -> list:
    """Scalar subqueries whose values move with the meals of canteen_id on day, and with any of
    their drops, its booking (a resident may cancel one day) or a round's runner."""
    meals = (
        select(MealDay.id)
        .join(MealService)
        .where(MealService.canteen_id == canteen_id, MealDay.day == day)
        .cte()
    )
    of_meals = select(meals.c.id)
    drops = Delivery.meal_day_id.in_(of_meals)
    rounds = DeliveryRound.meal_day_id.in_(of_meals)
    return [
        select(func.count()).select_from(meals).scalar_subquery(),
        select(func.count(Delivery.id)).where(drops).scalar_subquery(),
        select(func.max(Delivery.updated_at)).where(drops).scalar_subquery(),
        select(func.max(Booking.updated_at))
        .join(Delivery, Delivery.booking_id == Booking.id)
        .where(drops)
        .scalar_subquery(),
        select(func.count(DeliveryRound.runner_id)).where(rounds).scalar_subquery(),
        select(func.max(DeliveryRound.updated_at)).where(rounds).scalar_subquery(),
    ]


def _version(values) -> str:
    return "-".join(str(v.isoformat() if hasattr(v, "isoformat") else v) for v in values)


def progress_version(canteen_id: int, day: date) -> str:
    """A fingerprint of the rounds of canteen_id on day, in one statement."""
    return _version(db.session.execute(select(*_version_columns(canteen_id, day))).one())


def managed_rounds(
    person: Person, canteen_id: int, day: date | None
) -> tuple[Canteen | None, date, str]:
    """The canteen with canteen_id if person manages it (else None), the day whose rounds are
    shown (day, or today at the canteen), and the fingerprint of that day's rounds.

    A poll asks for this far more often than the rounds change: the canteen and the fingerprint
    come in one statement, with the fingerprint taken on person's today, which is the canteen's
    unless it lies in a community of another time zone (then it is read again)."""
    shown = day or person.today()
    row = db.session.execute(
        select(Canteen, *_version_columns(canteen_id, shown)).where(Canteen.id == canteen_id)
    ).one_or_none()
    if row is None or not may_manage(person, row[0]):
        return None, shown, ""
    place = row[0]
    if day is None and place.community.today() != shown:
        shown = place.community.today()
        return place, shown, progress_version(place.id, shown)
    return place, shown, _version(row[1:])


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
        for grant in person.grants_in_force(now)
        if grant.grid_id and grant.role in (Role.VOLUNTEER, Role.GRID_WORKER)
    }
    if not grids:
        return []
    today_meals = _todays_meals(grids, now)
    rows = progress(today_meals)
    return [row for m in today_meals for row in rows[m.id] if row.round.grid_id in grids]


def _todays_meals(grids: set[int], now: datetime) -> list[MealDay]:
    """Today's meals, in their canteens' time, that have a round in one of grids."""
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
    return today_meals


def exceptions_fingerprint(worker: Person, now: datetime) -> list:
    """Scalar subqueries that move whenever exceptions(worker, now) could: how many deliveries
    the rounds of worker's grids hold around today, and when the latest of them changed."""
    grids = worker_day.grids_of(worker, now)
    if not grids:
        return []
    rough = now.date()
    around_today = (
        select(Delivery.id)
        .join(DeliveryRound, DeliveryRound.id == Delivery.round_id)
        .join(MealDay, MealDay.id == Delivery.meal_day_id)
        .where(
            DeliveryRound.grid_id.in_(grids),
            MealDay.day.between(rough - timedelta(days=1), rough + timedelta(days=1)),
        )
    )
    return [
        select(func.count(Delivery.id)).where(Delivery.id.in_(around_today)).scalar_subquery(),
        select(func.max(Delivery.updated_at))
        .where(Delivery.id.in_(around_today))
        .scalar_subquery(),
    ]


def exceptions(worker: Person, now: datetime | None = None) -> list[Delivery]:
    """Today's deliveries in worker's grids that went wrong in a way no help request covers: a
    meal that could not be booked because it was full, and a meal refused at the door."""
    now = now or utcnow()
    grids = worker_day.grids_of(worker, now)
    meals = _todays_meals(grids, now) if grids else []
    if not meals:
        return []
    query = (
        select(Delivery)
        .join(DeliveryRound, DeliveryRound.id == Delivery.round_id)
        .where(
            Delivery.meal_day_id.in_([m.id for m in meals]),
            DeliveryRound.grid_id.in_(grids),
            Delivery.withdrawn.is_(False),
            or_(Delivery.booking_id.is_(None), Delivery.outcome == Outcome.REFUSED),
        )
        .options(
            db.joinedload(Delivery.enrolment)
            .joinedload(DeliveryEnrolment.resident)
            .joinedload(Person.building),
            db.joinedload(Delivery.meal_day)
            .joinedload(MealDay.service)
            .joinedload(MealService.canteen),
            db.joinedload(Delivery.marked_by),
        )
    )
    return list(db.session.scalars(query).unique())


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
    if round_.runner_id != person.id and not is_staff_for(person, round_.meal_day.service.canteen):
        raise NotYourRound(round_.runner)
    round_.runner_id = None
    db.session.commit()
    return round_


# How long after the knock a phone without signal may send a marking and have its time kept.
LONGEST_WAIT = timedelta(hours=12)


def knock_time(now: datetime, knocked: int | None, sent: int | None) -> datetime:
    """When the door was knocked at, from the phone's clock: the knock (knocked) and the sending
    (sent), in milliseconds on the phone's own clock, whether or not that clock is right. The
    knock was sent - knocked before now; now when either is missing or makes no sense."""
    if knocked is None or sent is None:
        return now
    waited = timedelta(milliseconds=sent - knocked)
    return now - waited if timedelta(0) <= waited <= LONGEST_WAIT else now


def mark(
    drop: Delivery,
    person: Person,
    outcome: str,
    note: str = "",
    now: datetime | None = None,
    *,
    key: str | None = None,
    knocked_at: datetime | None = None,
) -> Delivery:
    """Record what happened at the door, on the drop's day, by the round's runner or canteen staff.

    No answer is a safety signal: an urgent welfare check opens in the resident's grid queue at
    once, with the round, the time and the note, and the family are told. A drop can be corrected
    (a second knock was answered); marking it as it stands changes nothing. Raises
    UnknownOutcome, NotYourRound, NotAllowed, NotTaken (nobody runs the round yet), NotToday or
    Withdrawn.

    A phone that marked the door without signal sends knocked_at, when it was marked there, and
    a key of its own: a key already kept changes nothing (the phone did not hear the first
    answer), and a knock older than the drop's last marking does not undo it.
    """
    now = now or utcnow()
    at = min(knocked_at or now, now)
    if outcome not in {o.value for o in Outcome}:
        raise UnknownOutcome(outcome)
    if key and db.session.scalar(select(DropMark.id).where(DropMark.key == key)):
        return drop
    round_ = drop.round
    place = drop.meal_day.service.canteen
    if round_.runner_id != person.id and not is_staff_for(person, place):
        if round_.runner_id is not None:
            raise NotYourRound(round_.runner)
        if not may_run(person, round_):
            raise NotAllowed()
        raise NotTaken()
    if drop.meal_day.service.canteen.community.today(at) != drop.meal_day.day:
        raise NotToday()
    booking = drop.booking
    if drop.withdrawn or booking is None or booking.status == BookingStatus.CANCELLED:
        raise Withdrawn()
    note = note.strip()[:NOTE_MAX_LENGTH]
    if key:
        db.session.add(DropMark(key=key, delivery_id=drop.id, received_at=now))
    superseded = drop.marked_at is not None and at < drop.marked_at
    if not superseded and (drop.outcome != outcome or note):
        drop.outcome = outcome
        drop.note = note or drop.note
        drop.marked_by_id = person.id
        drop.marked_at = at
        booking.status = (
            BookingStatus.SERVED if outcome == Outcome.DELIVERED else BookingStatus.NO_SHOW
        )
    try:
        db.session.commit()
    except IntegrityError:
        # The same marking, sent again at the same moment, was kept by the other request.
        db.session.rollback()
        return db.session.get(Delivery, drop.id)
    if drop.outcome == Outcome.NO_ANSWER and drop.help_request_id is None:
        _raise_welfare_check(drop, person, drop.marked_at)
    if round_.runner_id is not None and _all_marked(round_):
        signals.round_completed.send(round_, runner=round_.runner, now=now)
    return drop


def _all_marked(round_: DeliveryRound) -> bool:
    """Whether every door the round takes a meal to has been marked."""
    waiting = _standing_drops().where(Delivery.round_id == round_.id, Delivery.outcome.is_(None))
    return db.session.scalar(select(func.count()).select_from(waiting.subquery())) == 0


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
    local = now.replace(tzinfo=UTC).astimezone(zone_of(drop.meal_day.service.canteen))
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
