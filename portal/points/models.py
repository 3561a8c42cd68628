from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import Person
from portal.canteen.models import Booking, Dish
from portal.extensions import db
from portal.model_base import TimestampMixin


class AccountKind(StrEnum):
    """Whose points an account holds, in a community's ledger."""

    PERSON = "person"  # one person's points to spend or give
    ISSUED = "issued"  # the community's: every point earned comes from here, so it runs below zero
    POOL = "pool"  # the community's pool, which neighbours give points to
    VOUCHERS = "vouchers"  # points paid for vouchers not used yet: what the community owes


class Movement(StrEnum):
    """What a transaction was."""

    EARNED = "earned"  # a deed, by the community's rule
    AWARDED = "awarded"  # by staff, by hand, with a reason
    GIVEN = "given"  # to a neighbour or the community's pool
    REVERSED = "reversed"
    REDEEMED = "redeemed"  # points exchanged for a voucher
    USED = "used"  # a voucher used: what it cost goes back to the community
    RETURNED = "returned"  # a voucher given back when its booking was cancelled
    EXPIRED = "expired"  # points older than the community keeps them
    VOUCHER_EXPIRED = "voucher_expired"  # a voucher not used by its last day


class PointsAccount(db.Model):
    """One account of a community's ledger. Its balance is kept with every entry and can be
    checked against them; only the issuing account may go below zero."""

    __table_args__ = (CheckConstraint("kind = 'issued' OR balance >= 0", name="not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # community, kind and person (or "-"): one account each, also when two requests open it at once
    key: Mapped[str] = mapped_column(String(40), unique=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    balance: Mapped[int] = mapped_column(default=0)


class PointsTransaction(db.Model):
    """One movement of points: entries between accounts that add up to nothing. Never changed:
    a reversal is a transaction of its own."""

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # a Movement
    # What the points are for, for one beneficiary ("help:12:person:7"): a deed pays once.
    deed_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    reverses_id: Mapped[int | None] = mapped_column(
        ForeignKey("points_transaction.id"), unique=True
    )
    by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    reason: Mapped[str | None] = mapped_column(String(200))
    # What the deed was, for saying it in words: {"grid": "2号网格", "meal": "lunch"}, …
    detail: Mapped[dict | None] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(index=True)

    entries: Mapped[list["PointsEntry"]] = relationship(
        back_populates="transaction", order_by="PointsEntry.id"
    )


class PointsEntry(db.Model):
    """What one transaction adds to (or takes from) one account."""

    id: Mapped[int] = mapped_column(primary_key=True)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("points_transaction.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("points_account.id"), index=True)
    amount: Mapped[int]

    transaction: Mapped[PointsTransaction] = relationship(back_populates="entries")
    account: Mapped[PointsAccount] = relationship()


class PointsRule(db.Model):
    """How many points a community gives for one kind of deed, where it chose other than the
    default; 0 gives none."""

    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), primary_key=True)
    rule: Mapped[str] = mapped_column(String(20), primary_key=True)
    points: Mapped[int]


class PointsSettings(db.Model):
    """A community's own choices for its points, where it made any."""

    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), primary_key=True)
    # Points earned longer ago than this, and not spent, expire; None keeps them.
    expire_after_months: Mapped[int | None]


class ServiceRecord(db.Model):
    """One deed in a person's record of service: its hours never expire and are never spent,
    so the record can prove service years later."""

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    deed_key: Mapped[str] = mapped_column(String(120), unique=True)  # as its transaction's
    rule: Mapped[str] = mapped_column(String(20))  # a rules.Rule
    minutes: Mapped[int]
    on: Mapped[date] = mapped_column(index=True)  # the community's date of the deed
    detail: Mapped[dict | None] = mapped_column(JSON)


class VoucherUse(StrEnum):
    """What a kind of voucher buys."""

    MEAL = "meal"  # a canteen meal up to its value
    FREE_MEAL = "free_meal"  # any canteen meal
    EXPERIENCE = "experience"
    GOODS = "goods"
    COUNSELLING = "counselling"


MEAL_USES = (VoucherUse.MEAL, VoucherUse.FREE_MEAL)


class VoucherKind(TimestampMixin, db.Model):
    """A voucher the community offers for points (贴心券): what it buys, its price, how many
    there are, when they are valid and how many one person may have."""

    __table_args__ = (
        CheckConstraint("stock IS NULL OR issued <= stock", name="in_stock"),
        CheckConstraint("points > 0", name="has_a_price"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    use: Mapped[str] = mapped_column(String(20))  # a VoucherUse
    value_fen: Mapped[int | None]  # what it pays, up to; None for a free meal
    points: Mapped[int]
    stock: Mapped[int | None]  # None: as many as are asked for
    issued: Mapped[int] = mapped_column(default=0)
    valid_from: Mapped[date]
    valid_until: Mapped[date]  # the last day it can be used
    per_person: Mapped[int | None]  # how many one person may get of it, ever
    withdrawn_at: Mapped[datetime | None]

    @property
    def left(self) -> int | None:
        return None if self.stock is None else max(0, self.stock - self.issued)

    @property
    def for_meals(self) -> bool:
        return self.use in MEAL_USES

    def covers(self, price_fen: int) -> int:
        """What the voucher pays of a meal of price_fen."""
        if self.use == VoucherUse.FREE_MEAL:
            return price_fen
        return min(price_fen, self.value_fen or 0)


class VoucherStatus(StrEnum):
    HELD = "held"
    USED = "used"
    EXPIRED = "expired"


class Voucher(db.Model):
    """One voucher a person got for points."""

    id: Mapped[int] = mapped_column(primary_key=True)
    kind_id: Mapped[int] = mapped_column(ForeignKey("voucher_kind.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default=VoucherStatus.HELD)
    # The confirmation page's own key: a second tap of the same confirmation gets this voucher.
    request_key: Mapped[str] = mapped_column(String(40), unique=True)
    # "kind:person:n" for a kind with a limit per person: the n-th of them, once.
    slot_key: Mapped[str | None] = mapped_column(String(60), unique=True)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("points_transaction.id"))
    bought_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("booking.id"), index=True)
    covered_fen: Mapped[int | None]  # what it paid of the meal
    dish_id: Mapped[int | None] = mapped_column(
        ForeignKey("dish.id"), index=True
    )  # a walk-in meal's

    kind: Mapped[VoucherKind] = relationship()
    holder: Mapped[Person] = relationship(foreign_keys=[holder_id])
    booking: Mapped[Booking | None] = relationship()
    dish: Mapped[Dish | None] = relationship()

    @property
    def reference(self) -> str:
        return f"Q{self.id:06d}"
