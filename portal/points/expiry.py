"""Expiry, once a day: points earned longer ago than the community keeps them and not spent since,
and vouchers not used by their last day. The record of service hours never expires. Run again
on the same day, it expires nothing twice."""

from calendar import monthrange
from datetime import date, datetime

from sqlalchemy import case, func, select

from portal.community.models import Community, instant_in
from portal.extensions import db
from portal.model_base import utcnow
from portal.points import services as points
from portal.points.models import (
    AccountKind,
    Movement,
    PointsAccount,
    PointsEntry,
    PointsSettings,
    PointsTransaction,
    Voucher,
    VoucherKind,
    VoucherStatus,
)


def months_before(day: date, months: int) -> date:
    """The same day of the month months earlier (the month's last day where it is shorter)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    return date(year, month + 1, min(day.day, monthrange(year, month + 1)[1]))


def expiring(community: Community, months: int, now: datetime) -> dict[int, int]:
    """Points of each person's account in community that expire now: what they earned or were
    given before the cut-off, less everything that has left the account since it opened (spent
    points are taken from the oldest first)."""
    cutoff = instant_in(
        community.timezone, months_before(community.today(now), months), datetime.min.time()
    )
    received_before = func.sum(
        case(
            (
                (PointsEntry.amount > 0) & (PointsTransaction.at < cutoff),
                PointsEntry.amount,
            ),
            else_=0,
        )
    )
    gone = func.sum(case((PointsEntry.amount < 0, -PointsEntry.amount), else_=0))
    rows = db.session.execute(
        select(PointsAccount.id, received_before - gone)
        .join(PointsEntry, PointsEntry.account_id == PointsAccount.id)
        .join(PointsTransaction, PointsTransaction.id == PointsEntry.transaction_id)
        .where(
            PointsAccount.community_id == community.id,
            PointsAccount.kind == AccountKind.PERSON,
            PointsAccount.balance > 0,
        )
        .group_by(PointsAccount.id)
    )
    return {account_id: due for account_id, due in rows if due and due > 0}


def expire_points(now: datetime | None = None) -> int:
    """Expire the points due in every community that lets points expire; commits each. Returns
    how many accounts lost points."""
    now = now or utcnow()
    expired = 0
    settings = db.session.scalars(
        select(PointsSettings).where(PointsSettings.expire_after_months.is_not(None))
    ).all()
    for setting in settings:
        community = db.session.get(Community, setting.community_id)
        issued = points.account(community.id, AccountKind.ISSUED)
        today = community.today(now)
        for account_id, due in expiring(community, setting.expire_after_months, now).items():
            own = db.session.get(PointsAccount, account_id)
            points.post(
                community.id,
                Movement.EXPIRED,
                [(own, -due), (issued, due)],
                deed_key=f"expired:{account_id}:{today.isoformat()}",
                detail={"months": setting.expire_after_months},
                now=now,
            )
            expired += 1
    return expired


def expire_vouchers(now: datetime | None = None) -> int:
    """Vouchers still held after their last day expire; what they cost goes back to the
    community. Returns how many."""
    now = now or utcnow()
    expired = 0
    held = db.session.scalars(
        select(Voucher)
        .join(VoucherKind)
        .where(Voucher.status == VoucherStatus.HELD, VoucherKind.valid_until <= now.date())
        .options(db.contains_eager(Voucher.kind))
    ).all()
    for voucher in held:
        community = db.session.get(Community, voucher.community_id)
        if voucher.kind.valid_until >= community.today(now):
            continue
        voucher.status = VoucherStatus.EXPIRED
        points.post(
            voucher.community_id,
            Movement.VOUCHER_EXPIRED,
            [
                (points.account(voucher.community_id, AccountKind.VOUCHERS), -voucher.kind.points),
                (points.account(voucher.community_id, AccountKind.ISSUED), voucher.kind.points),
            ],
            deed_key=f"voucher-expired:{voucher.id}",
            detail={"voucher": voucher.reference},
            now=now,
        )
        expired += 1
    return expired
