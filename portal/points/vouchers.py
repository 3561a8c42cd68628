"""Vouchers (贴心券): what a community offers for points, getting one (once per confirmation,
within its stock and the limit per person, never beyond one's balance), and paying a canteen meal
with a meal voucher, at booking or at the counter, given back when the booking is cancelled."""

from datetime import date, datetime

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from portal.accounts.models import Person
from portal.audit import services as audit
from portal.canteen import seams as canteen_seams
from portal.canteen.models import Dish, MealDay, MealService
from portal.extensions import db
from portal.model_base import utcnow
from portal.points import services as points
from portal.points.models import (
    MEAL_USES,
    AccountKind,
    Movement,
    Voucher,
    VoucherKind,
    VoucherStatus,
)
from portal.web.converters import LARGEST_ID


class VoucherError(points.PointsError):
    pass


class NotOnOffer(VoucherError):
    """Withdrawn, not valid yet, or past its last day."""


class SoldOut(VoucherError):
    pass


class LimitReached(VoucherError):
    """The person has had as many of this kind as one person may."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


class NotUsable(VoucherError):
    """Not a held meal voucher of this canteen's community, valid on the meal's day."""


def on_offer(community_id: int, today: date) -> list[VoucherKind]:
    """The kinds a person of the community can get today or later, the cheapest first; those out
    of stock too, which say so."""
    return list(
        db.session.scalars(
            select(VoucherKind)
            .where(
                VoucherKind.community_id == community_id,
                VoucherKind.withdrawn_at.is_(None),
                VoucherKind.valid_until >= today,
            )
            .order_by(VoucherKind.points, VoucherKind.id)
        )
    )


def kind_of(community_id: int, kind_id: int) -> VoucherKind | None:
    kind = db.session.get(VoucherKind, kind_id)
    return kind if kind is not None and kind.community_id == community_id else None


def had(person: Person, kind: VoucherKind) -> int:
    """How many of kind person has had, used or not."""
    return db.session.scalar(
        select(func.count())
        .select_from(Voucher)
        .where(Voucher.kind_id == kind.id, Voucher.holder_id == person.id)
    )


def check(person: Person, kind: VoucherKind, today: date) -> None:
    """Whether person can get kind today: raises NotOnOffer, SoldOut, LimitReached or
    points.NotEnoughPoints when not."""
    if kind.withdrawn_at is not None or kind.valid_until < today:
        raise NotOnOffer(kind.id)
    if kind.left == 0:
        raise SoldOut(kind.id)
    if kind.per_person is not None and had(person, kind) >= kind.per_person:
        raise LimitReached(kind.per_person)
    if points.balance(person, kind.community_id) < kind.points:
        raise points.NotEnoughPoints(person.id)


def _by_request(request_key: str) -> Voucher | None:
    return db.session.scalar(select(Voucher).where(Voucher.request_key == request_key))


def redeem(
    person: Person, kind: VoucherKind, request_key: str, now: datetime | None = None
) -> Voucher:
    """person exchanges kind's points for one voucher, and commits. request_key is the
    confirmation's own: sending it again returns the voucher it got. Raises as check does, also
    when the last one, the last points or the last place within the limit went to another
    request at the same moment; nothing is saved then."""
    try:
        return _redeem(person, kind, request_key, now or utcnow())
    except (VoucherError, points.NotEnoughPoints):
        # The same confirmation, sent twice at once, may have got the voucher meanwhile.
        db.session.rollback()
        if (done := _by_request(request_key)) is not None:
            return done
        raise


def _redeem(person: Person, kind: VoucherKind, request_key: str, now: datetime) -> Voucher:
    if (done := _by_request(request_key)) is not None:
        return done
    check(person, kind, person.today(now))
    own = points.account(kind.community_id, AccountKind.PERSON, person.id)
    owed = points.account(kind.community_id, AccountKind.VOUCHERS)
    taken = db.session.execute(
        update(VoucherKind)
        .where(
            VoucherKind.id == kind.id,
            or_(VoucherKind.stock.is_(None), VoucherKind.issued < VoucherKind.stock),
        )
        .values(issued=VoucherKind.issued + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not taken:
        db.session.rollback()
        raise SoldOut(kind.id)
    try:
        paid = points.move(
            kind.community_id,
            Movement.REDEEMED,
            [(own, -kind.points), (owed, kind.points)],
            by=person,
            detail={"voucher": kind.name},
            now=now,
        )
    except points.NotEnoughPoints:
        db.session.rollback()
        raise
    db.session.flush()
    slot = None
    if kind.per_person is not None:
        # The n-th of the kind for this person: two requests taking the same n meet at commit.
        nth = had(person, kind) + 1
        if nth > kind.per_person:
            db.session.rollback()
            raise LimitReached(kind.per_person)
        slot = f"{kind.id}:{person.id}:{nth}"
    voucher = Voucher(
        kind_id=kind.id,
        community_id=kind.community_id,
        holder_id=person.id,
        request_key=request_key,
        slot_key=slot,
        transaction_id=paid.id,
        bought_at=now,
    )
    db.session.add(voucher)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        if (done := _by_request(request_key)) is not None:
            return done
        raise LimitReached(kind.per_person or 0) from None
    return voucher


def vouchers_of(person: Person, community_id: int) -> list[Voucher]:
    """Every voucher person has had in the community, the held ones first, the newest first."""
    held_first = (Voucher.status != VoucherStatus.HELD).cast(db.Integer)
    return list(
        db.session.scalars(
            select(Voucher)
            .where(Voucher.holder_id == person.id, Voucher.community_id == community_id)
            .order_by(held_first, Voucher.bought_at.desc(), Voucher.id.desc())
            .options(db.joinedload(Voucher.kind))
        )
    )


def by_id(voucher_id: int) -> Voucher | None:
    return db.session.get(Voucher, voucher_id) if 0 < voucher_id <= LARGEST_ID else None


def by_reference(community_id: int, reference: str) -> Voucher | None:
    """The community's voucher of reference ("Q000012", also "q12" or "12")."""
    digits = reference.strip().upper().removeprefix("Q")
    if not (digits.isascii() and digits.isdigit()) or not 0 < int(digits) <= LARGEST_ID:
        return None
    voucher = db.session.get(Voucher, int(digits))
    return voucher if voucher is not None and voucher.community_id == community_id else None


def meal_vouchers(resident: Person, community_id: int, day: date) -> list[Voucher]:
    """resident's held meal vouchers valid on day, one of each kind, the soonest to end first."""
    held = db.session.scalars(
        select(Voucher)
        .join(VoucherKind)
        .where(
            Voucher.holder_id == resident.id,
            Voucher.community_id == community_id,
            Voucher.status == VoucherStatus.HELD,
            VoucherKind.use.in_(MEAL_USES),
            VoucherKind.valid_from <= day,
            VoucherKind.valid_until >= day,
        )
        .order_by(VoucherKind.valid_until, Voucher.id)
        .options(db.contains_eager(Voucher.kind))
    )
    first: dict[int, Voucher] = {}
    for voucher in held:
        first.setdefault(voucher.kind_id, voucher)
    return list(first.values())


def _use(voucher: Voucher, by: Person, now: datetime, covered: int, **where) -> None:
    """Mark voucher used, if it is still held, and move its points to the community: without
    committing. Raises NotUsable when another request used it a moment ago."""
    used = db.session.execute(
        update(Voucher)
        .where(Voucher.id == voucher.id, Voucher.status == VoucherStatus.HELD)
        .values(
            status=VoucherStatus.USED,
            used_at=now,
            used_by_id=by.id,
            covered_fen=covered,
            **where,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if not used:
        raise NotUsable(voucher.id)
    points.move(
        voucher.community_id,
        Movement.USED,
        [
            (points.account(voucher.community_id, AccountKind.VOUCHERS), -voucher.kind.points),
            (points.account(voucher.community_id, AccountKind.ISSUED), voucher.kind.points),
        ],
        by=by,
        detail={"voucher": voucher.reference},
        now=now,
    )


def use_at_counter(voucher: Voucher, place, dish, staff: Person, now: datetime | None = None):
    """Counter staff take a meal voucher for a walk-in meal of dish, audited, and commit.
    Returns what the voucher paid; raises NotUsable."""
    now = now or utcnow()
    day = dish.meal_day.day
    kind = voucher.kind
    if (
        voucher.status != VoucherStatus.HELD
        or not kind.for_meals
        or voucher.community_id != place.community_id
        or not kind.valid_from <= day <= kind.valid_until
    ):
        raise NotUsable(voucher.id)
    covered = kind.covers(place.price_for(voucher.holder, dish, day))
    try:
        _use(voucher, staff, now, covered, dish_id=dish.id)
        audit.record(staff, "points.voucher_used", voucher.holder, voucher=voucher.reference)
        db.session.commit()
    except (NotUsable, points.NotEnoughPoints):
        db.session.rollback()
        raise NotUsable(voucher.id) from None
    db.session.refresh(voucher)
    return covered


def counter_used(place, day: date) -> list[Voucher]:
    """Meal vouchers the counter took for walk-in meals of place on day."""
    return list(
        db.session.scalars(
            select(Voucher)
            .join(Dish, Dish.id == Voucher.dish_id)
            .join(MealDay, MealDay.id == Dish.meal_day_id)
            .join(MealService, MealService.id == MealDay.service_id)
            .where(MealService.canteen_id == place.id, MealDay.day == day)
            .order_by(Voucher.used_at)
            .options(db.joinedload(Voucher.holder), db.contains_eager(Voucher.dish))
        )
    )


def export_of(person: Person) -> list[dict]:
    """Every voucher person has had, for the copy of their data."""
    return [
        {
            "reference": voucher.reference,
            "voucher": voucher.kind.name,
            "points": voucher.kind.points,
            "got_at": voucher.bought_at.isoformat(timespec="minutes"),
            "status": voucher.status,
            "used_at": voucher.used_at.isoformat(timespec="minutes") if voucher.used_at else "",
        }
        for voucher in db.session.scalars(
            select(Voucher)
            .where(Voucher.holder_id == person.id)
            .order_by(Voucher.id)
            .options(db.joinedload(Voucher.kind))
        )
    ]


class MealVouchers:
    """Meal vouchers as a way to pay at the canteen (its seams.Payer)."""

    prefix = "voucher"

    def offers(self, resident, meal_day, price_fen: int) -> list[canteen_seams.Offer]:
        if price_fen <= 0:
            return []
        community_id = meal_day.service.canteen.community_id
        return [
            canteen_seams.Offer(
                f"{self.prefix}:{voucher.id}",
                voucher.kind.name,
                voucher.reference,
                voucher.kind.covers(price_fen),
                voucher.kind.valid_until,
            )
            for voucher in meal_vouchers(resident, community_id, meal_day.day)
        ]

    def take(self, key: str, booking, by, now: datetime) -> tuple[str, int]:
        _prefix, _colon, number = key.partition(":")
        voucher = by_id(int(number)) if number.isdigit() else None
        day = booking.meal_day.day
        if (
            voucher is None
            or voucher.holder_id != booking.resident_id
            or voucher not in meal_vouchers(booking.resident, voucher.community_id, day)
        ):
            raise canteen_seams.PaymentRefused(key)
        covered = voucher.kind.covers(booking.price_fen)
        try:
            _use(voucher, by, now, covered, booking_id=booking.id)
        except (NotUsable, points.NotEnoughPoints):
            raise canteen_seams.PaymentRefused(key) from None
        return voucher.reference, covered

    def give_back(self, booking, now: datetime) -> None:
        voucher = db.session.scalar(
            select(Voucher).where(
                Voucher.booking_id == booking.id, Voucher.status == VoucherStatus.USED
            )
        )
        if voucher is None:
            return
        voucher.status = VoucherStatus.HELD
        voucher.used_at = voucher.used_by_id = voucher.booking_id = voucher.covered_fen = None
        points.move(
            voucher.community_id,
            Movement.RETURNED,
            [
                (points.account(voucher.community_id, AccountKind.ISSUED), -voucher.kind.points),
                (points.account(voucher.community_id, AccountKind.VOUCHERS), voucher.kind.points),
            ],
            detail={"voucher": voucher.reference, "booking": booking.reference},
            now=now,
        )

    def counter_links(self, place) -> list[tuple[str, str]]:
        return [
            (
                _("Take a meal voucher for a walk-in meal"),
                url_for("points_staff.counter_voucher", canteen_id=place.id),
            )
        ]
