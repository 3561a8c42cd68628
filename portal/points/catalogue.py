"""The community's kinds of voucher as its admins keep them: every kind, withdrawn ones too,
saved and withdrawn with an entry in the audit log."""

from dataclasses import asdict, dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.accounts.models import Person
from portal.audit import services as audit
from portal.extensions import db
from portal.model_base import utcnow
from portal.points.models import VoucherKind, VoucherUse
from portal.points.vouchers import VoucherError, kind_of

__all__ = ["Draft", "StockBelowIssued", "kind_of", "kinds_of", "save_kind", "withdraw_kind"]


class StockBelowIssued(VoucherError):
    """The stock asked for is less than the vouchers of the kind already issued."""

    def __init__(self, issued: int) -> None:
        super().__init__(issued)
        self.issued = issued


@dataclass
class Draft:
    """A kind of voucher as an admin describes it; value_fen is ignored for a free meal."""

    name: str
    use: str  # a VoucherUse
    value_fen: int | None
    points: int
    stock: int | None
    valid_from: date
    valid_until: date
    per_person: int | None


def kinds_of(community_id: int) -> list[VoucherKind]:
    """Every kind of voucher of the community: those on offer first, by their first day (the
    latest first), then those withdrawn."""
    return list(
        db.session.scalars(
            select(VoucherKind)
            .where(VoucherKind.community_id == community_id)
            .order_by(
                VoucherKind.withdrawn_at.is_not(None),
                VoucherKind.valid_from.desc(),
                VoucherKind.id.desc(),
            )
        )
    )


def save_kind(
    community_id: int, draft: Draft, by: Person, kind: VoucherKind | None = None
) -> VoucherKind:
    """Save draft as a new kind of the community, or over kind; audited, committed. Raises
    StockBelowIssued when the stock is less than what is issued already, also when the last
    vouchers went to residents while the form was being filled in."""
    values = asdict(draft)
    if draft.use == VoucherUse.FREE_MEAL:
        values["value_fen"] = None
    values["name"] = draft.name.strip()
    if kind is None:
        kind = VoucherKind(community_id=community_id, **values)
        db.session.add(kind)
    else:
        for name, value in values.items():
            setattr(kind, name, value)
    if kind.stock is not None and kind.stock < (kind.issued or 0):
        issued = kind.issued
        db.session.rollback()
        raise StockBelowIssued(issued)
    kind_id = kind.id
    try:
        db.session.flush()
        audit.record(by, "points.kind_saved", None, kind=kind.id, name=kind.name)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        if kind_id is None:
            raise
        raise StockBelowIssued(db.session.get(VoucherKind, kind_id).issued) from None
    return kind


def withdraw_kind(kind: VoucherKind, by: Person, now: datetime | None = None) -> None:
    """Offer kind no more, audited, committed; vouchers already got can still be used until
    their last day. Withdrawing a withdrawn kind changes nothing."""
    if kind.withdrawn_at is not None:
        return
    kind.withdrawn_at = now or utcnow()
    audit.record(by, "points.kind_withdrawn", None, kind=kind.id, name=kind.name)
    db.session.commit()
