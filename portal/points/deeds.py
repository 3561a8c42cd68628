"""What staff record for others, and what their pages read: volunteers' kitchen shifts (canteen
staff), the helpers of an activity (its organiser), and meal vouchers taken at the counter for
walk-in meals."""

from datetime import date, datetime, timedelta

from sqlalchemy import or_, select

from portal.accounts.models import Person, Role, RoleGrant
from portal.activities.models import Event, SignUp, SignUpStatus
from portal.canteen import services as canteen
from portal.canteen.models import Canteen, Dish, MealDay
from portal.extensions import db
from portal.model_base import utcnow
from portal.points import rules, vouchers
from portal.points import services as points
from portal.points.models import PointsTransaction, ServiceRecord, Voucher, VoucherStatus

SHIFT_DAYS_BACK = 31  # a shift is recorded within a month of it, while staff remember it
RECENT_SHIFT_DAYS = 14


class DeedError(points.PointsError):
    """A deed staff cannot record as asked; views turn each kind into a clear message."""


class OutsideWindow(DeedError):
    """A day in the future, or longer ago than SHIFT_DAYS_BACK."""


class AlreadyRecorded(DeedError):
    pass


class NotStarted(DeedError):
    """Nobody has helped at an activity that has not started."""


class EventCancelled(DeedError):
    pass


class VoucherRefused(DeedError):
    """The counter cannot take this voucher for a meal today; voucher is None when there is no
    voucher of that reference in the community."""

    def __init__(self, voucher: Voucher | None):
        super().__init__(voucher.id if voucher else None)
        self.voucher = voucher


class UnknownVoucher(VoucherRefused):
    pass


class NotForMeals(VoucherRefused):
    pass


class VoucherUsed(VoucherRefused):
    pass


class VoucherExpired(VoucherRefused):
    pass


class NotValidYet(VoucherRefused):
    pass


def _volunteers(*where) -> list[Person]:
    """Active volunteers who are not staff (staff earn nothing by these deeds), matching where,
    in pinyin order."""
    query = (
        select(Person)
        .join(RoleGrant, RoleGrant.person_id == Person.id)
        .where(Person.active.is_(True), RoleGrant.role == Role.VOLUNTEER, *where)
        .distinct()
        .options(db.selectinload(Person.grants))
    )
    found = [person for person in db.session.scalars(query) if not rules.is_staff(person)]
    return sorted(found, key=Person.name_order)


# Kitchen shifts ---------------------------------------------------------------------------------


def volunteers(community_id: int) -> list[Person]:
    """The community's volunteers who may earn points for a kitchen shift, in pinyin order."""
    return _volunteers(Person.community_id == community_id)


def record_shift(
    helper: Person,
    place: Canteen,
    day: date,
    meal: str,
    minutes: int,
    by: Person,
    now: datetime | None = None,
) -> None:
    """Record helper's shift of minutes at place's meal on day, audited, and commit. Raises
    OutsideWindow for a day after today or more than SHIFT_DAYS_BACK days ago, AlreadyRecorded,
    or rules.NotForStaff."""
    today = place.community.today(now)
    if not today - timedelta(days=SHIFT_DAYS_BACK) <= day <= today:
        raise OutsideWindow(day)
    if rules.shift_recorded(helper, place, day, meal):
        raise AlreadyRecorded(helper.id)
    rules.kitchen_shift(helper, place, day, meal, minutes, by, now=now)


def recent_shifts(
    place: Canteen, now: datetime | None = None
) -> list[tuple[ServiceRecord, Person]]:
    """The shifts recorded at place in the last RECENT_SHIFT_DAYS days (today included), with
    their volunteers, the newest first."""
    since = place.community.today(now) - timedelta(days=RECENT_SHIFT_DAYS - 1)
    query = (
        select(ServiceRecord, Person)
        .join(Person, Person.id == ServiceRecord.person_id)
        .where(
            ServiceRecord.community_id == place.community_id,
            ServiceRecord.rule == rules.Rule.KITCHEN,
            ServiceRecord.deed_key.startswith(f"kitchen:{place.id}:", autoescape=True),
            ServiceRecord.on >= since,
        )
        .order_by(ServiceRecord.on.desc(), ServiceRecord.id.desc())
    )
    return [(record, person) for record, person in db.session.execute(query)]


# Helpers of an activity -------------------------------------------------------------------------


def helper_candidates(event: Event) -> list[Person]:
    """Who may be credited for helping at event: the community's volunteers, and volunteers of
    elsewhere who signed up for it; staff never. In pinyin order."""
    signed_up = select(SignUp.resident_id).where(
        SignUp.event_id == event.id, SignUp.status != SignUpStatus.LEFT
    )
    return _volunteers(or_(Person.community_id == event.community_id, Person.id.in_(signed_up)))


def credited(event: Event) -> list[Person]:
    """The people already credited for helping at event, in pinyin order."""
    prefix = f"activity:{event.id}:person:"
    keys = select(ServiceRecord.deed_key).where(
        ServiceRecord.deed_key.startswith(prefix, autoescape=True)
    )
    earned = select(PointsTransaction.deed_key).where(
        PointsTransaction.deed_key.startswith(prefix, autoescape=True)
    )
    found = set(db.session.scalars(keys)) | set(db.session.scalars(earned))
    ids = {int(key.removeprefix(prefix)) for key in found}
    people = db.session.scalars(select(Person).where(Person.id.in_(ids))) if ids else []
    return sorted(people, key=Person.name_order)


def has_started(event: Event, now: datetime | None = None) -> bool:
    return (now or utcnow()) >= event.starts_at


def credit_helpers(
    event: Event, helpers: list[Person], by: Person, now: datetime | None = None
) -> int:
    """Credit each of helpers for helping at event, once, audited. Returns how many were credited
    now; raises EventCancelled, or NotStarted before the event starts."""
    now = now or utcnow()
    if event.cancelled_at is not None:
        raise EventCancelled(event.id)
    if not has_started(event, now):
        raise NotStarted(event.id)
    return rules.helped_at(event, helpers, by, now=now)


# Meal vouchers at the counter -------------------------------------------------------------------


def counter_voucher(place: Canteen, reference: str, now: datetime | None = None) -> Voucher:
    """The voucher of reference if the counter of place can take it for a meal today; raises
    UnknownVoucher (none of that reference in place's community), NotForMeals, VoucherUsed,
    VoucherExpired or NotValidYet."""
    voucher = vouchers.by_reference(place.community_id, reference)
    if voucher is None:
        raise UnknownVoucher(None)
    today = place.community.today(now)
    if not voucher.kind.for_meals:
        raise NotForMeals(voucher)
    if voucher.status == VoucherStatus.USED:
        raise VoucherUsed(voucher)
    if voucher.status == VoucherStatus.EXPIRED or voucher.kind.valid_until < today:
        raise VoucherExpired(voucher)
    if voucher.kind.valid_from > today:
        raise NotValidYet(voucher)
    return voucher


def todays_meals(place: Canteen, now: datetime | None = None) -> list[MealDay]:
    """place's published meals of today in its community, in serving order, with their dishes."""
    return canteen.open_meal_days(place, place.community.today(now), days=1)


def walk_in_price(voucher: Voucher, place: Canteen, dish: Dish) -> tuple[int, int]:
    """What the voucher's holder pays for dish at place, and what the voucher pays of it."""
    price = place.price_for(voucher.holder, dish, dish.meal_day.day)
    return price, voucher.kind.covers(price)


def used_at(place: Canteen, voucher_id: int) -> Voucher | None:
    """The voucher with voucher_id if the counter of place took it for a walk-in meal."""
    voucher = db.session.get(Voucher, voucher_id)
    if voucher is None or voucher.dish is None:
        return None
    return voucher if voucher.dish.meal_day.service.canteen_id == place.id else None
