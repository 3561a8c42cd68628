from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db


class AccountKind(StrEnum):
    """Whose points an account holds, in a community's ledger."""

    PERSON = "person"  # one person's points to spend or give
    ISSUED = "issued"  # the community's: every point earned comes from here, so it runs below zero
    POOL = "pool"  # the community's pool, which neighbours give points to


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
    kind: Mapped[str] = mapped_column(String(20))  # earned, awarded, given, reversed
    # What the points are for, for one beneficiary ("help:12:person:7"): a deed pays once.
    deed_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    reverses_id: Mapped[int | None] = mapped_column(
        ForeignKey("points_transaction.id"), unique=True
    )
    by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    reason: Mapped[str | None] = mapped_column(String(200))
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
