"""A community's points over a month, for its admins: the points earned by each rule and awarded
by hand, given to neighbours and the pool, exchanged for vouchers, used, given back, taken back
and expired; the vouchers got and used of each kind (and what meal vouchers paid); and what the
community owed for vouchers held at the month's end. Months are the community's own."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from portal.community.models import Community
from portal.community.models import month_bounds as community_month_bounds
from portal.extensions import db
from portal.points.models import (
    AccountKind,
    Movement,
    PointsAccount,
    PointsEntry,
    PointsTransaction,
    Voucher,
    VoucherKind,
    VoucherStatus,
)
from portal.points.rules import Rule


@dataclass
class Figure:
    """How many movements (deeds, gifts, vouchers) and the points they moved."""

    count: int = 0
    points: int = 0


@dataclass
class KindFigures:
    """One kind of voucher in the month: how many were got, how many used, and what the meal
    vouchers among them paid."""

    kind: VoucherKind
    got: int = 0
    got_points: int = 0
    used: int = 0
    paid_fen: int = 0


@dataclass
class MonthReport:
    month: date  # its first day
    figures: dict[str, Figure] = field(default_factory=lambda: defaultdict(Figure))
    kinds: list[KindFigures] = field(default_factory=list)
    held: int = 0  # vouchers held at the month's end (or now, in this month)
    owed: int = 0  # the points they cost: what the community owes for them


# The movements of points, in the order the report shows them.
MOVEMENTS = {
    f"earned:{Rule.HELP}": _l("Earned for errands and company"),
    f"earned:{Rule.ROUND}": _l("Earned for delivery rounds"),
    f"earned:{Rule.ACTIVITY}": _l("Earned for helping at activities"),
    f"earned:{Rule.KITCHEN}": _l("Earned for kitchen shifts"),
    f"earned:{Rule.AWARD}": _l("Awarded by staff"),
    "given:person": _l("Given to neighbours"),
    "given:pool": _l("Given to the community's pool"),
    Movement.REDEEMED: _l("Exchanged for vouchers"),
    Movement.USED: _l("Of vouchers used"),
    Movement.RETURNED: _l("Of vouchers given back when a booking was cancelled"),
    Movement.REVERSED: _l("Taken back"),
    Movement.EXPIRED: _l("Expired unspent"),
    Movement.VOUCHER_EXPIRED: _l("Of vouchers expired unused"),
}


def month_bounds(community: Community, month: date) -> tuple[datetime, datetime]:
    """The instants (naive UTC) the community's month that month falls in starts and ends."""
    return community_month_bounds(community.timezone, month)


def _line_of(movement: str, detail: dict | None, account_kind: str) -> str:
    if movement == Movement.EARNED:
        return f"earned:{(detail or {}).get('rule', Rule.HELP)}"
    if movement == Movement.AWARDED:
        return f"earned:{Rule.AWARD}"
    if movement == Movement.GIVEN:
        return "given:pool" if account_kind == AccountKind.POOL else "given:person"
    return movement


def month_report(community: Community, month: date) -> MonthReport:
    """The community's figures for the month that month falls in, up to now when it is not over."""
    start, end = month_bounds(community, month)
    report = MonthReport(month.replace(day=1))
    moved = db.session.execute(
        select(
            PointsTransaction.id,
            PointsTransaction.kind,
            PointsTransaction.detail,
            PointsAccount.kind,
            PointsEntry.amount,
        )
        .join(PointsEntry, PointsEntry.transaction_id == PointsTransaction.id)
        .join(PointsAccount, PointsAccount.id == PointsEntry.account_id)
        .where(
            PointsTransaction.community_id == community.id,
            PointsTransaction.at >= start,
            PointsTransaction.at < end,
            PointsEntry.amount > 0,
        )
    )
    counted: set[int] = set()
    for transaction_id, movement, detail, account_kind, amount in moved:
        figure = report.figures[_line_of(movement, detail, account_kind)]
        figure.points += amount
        if transaction_id not in counted:
            counted.add(transaction_id)
            figure.count += 1
    report.kinds = _kinds(community.id, start, end)
    report.held, report.owed = _held(community.id, end)
    return report


def _kinds(community_id: int, start: datetime, end: datetime) -> list[KindFigures]:
    """The kinds of voucher got or used in the month, by name. A voucher given back when its
    booking was cancelled counts as used no more."""
    of = Voucher.community_id == community_id
    got = db.session.execute(
        select(Voucher.kind_id, func.count())
        .where(of, Voucher.bought_at >= start, Voucher.bought_at < end)
        .group_by(Voucher.kind_id)
    ).all()
    used = db.session.execute(
        select(Voucher.kind_id, func.count(), func.coalesce(func.sum(Voucher.covered_fen), 0))
        .where(
            of,
            Voucher.status == VoucherStatus.USED,
            Voucher.used_at >= start,
            Voucher.used_at < end,
        )
        .group_by(Voucher.kind_id)
    ).all()
    ids = {kind_id for kind_id, *_rest in [*got, *used]}
    if not ids:
        return []
    kinds = {
        kind.id: KindFigures(kind)
        for kind in db.session.scalars(select(VoucherKind).where(VoucherKind.id.in_(ids)))
    }
    for kind_id, count in got:
        kinds[kind_id].got = count
        kinds[kind_id].got_points = count * kinds[kind_id].kind.points
    for kind_id, count, paid in used:
        kinds[kind_id].used, kinds[kind_id].paid_fen = count, paid
    return sorted(kinds.values(), key=lambda figures: (figures.kind.name, figures.kind.id))


def _held(community_id: int, end: datetime) -> tuple[int, int]:
    """How many vouchers were held at end, and the points the community owed for them: each
    voucher got, used, given back or expired is one movement of the ledger."""
    before_end = (
        PointsTransaction.community_id == community_id,
        PointsTransaction.at < end,
    )
    owed = db.session.scalar(
        select(func.coalesce(func.sum(PointsEntry.amount), 0))
        .join(PointsTransaction, PointsTransaction.id == PointsEntry.transaction_id)
        .join(PointsAccount, PointsAccount.id == PointsEntry.account_id)
        .where(*before_end, PointsAccount.kind == AccountKind.VOUCHERS)
    )
    counts = dict(
        db.session.execute(
            select(PointsTransaction.kind, func.count())
            .where(
                *before_end,
                PointsTransaction.kind.in_(
                    (
                        Movement.REDEEMED,
                        Movement.USED,
                        Movement.RETURNED,
                        Movement.VOUCHER_EXPIRED,
                    )
                ),
            )
            .group_by(PointsTransaction.kind)
        ).all()
    )
    held = (
        counts.get(Movement.REDEEMED, 0)
        - counts.get(Movement.USED, 0)
        + counts.get(Movement.RETURNED, 0)
        - counts.get(Movement.VOUCHER_EXPIRED, 0)
    )
    return held, owed


@dataclass
class Line:
    """One line of the report as the page and the spreadsheet show it."""

    section: str
    what: str
    count: int
    points: int | None
    paid_fen: int | None = None


def lines(report: MonthReport) -> list[Line]:
    """The report's lines in the reader's language: every movement of points (also those with
    none), each kind's vouchers got and used, and the vouchers held at the month's end."""
    moved = _("Points")
    found = [
        Line(moved, str(label), report.figures[key].count, report.figures[key].points)
        for key, label in MOVEMENTS.items()
    ]
    vouchers = _("Vouchers")
    for figures in report.kinds:
        name = figures.kind.name
        found.append(Line(vouchers, _("%(name)s: got", name=name), figures.got, figures.got_points))
        found.append(
            Line(
                vouchers,
                _("%(name)s: used", name=name),
                figures.used,
                figures.used * figures.kind.points,
                figures.paid_fen if figures.kind.for_meals else None,
            )
        )
    found.append(Line(_("At the month's end"), _("Vouchers held"), report.held, report.owed))
    return found


def table(report: MonthReport) -> tuple[list[str], list[list]]:
    """The header and rows of a spreadsheet of the report, in the reader's language; money in
    yuan."""
    header = [_("Part"), _("What"), _("How many"), _("Points"), _("Paid for meals (yuan)")]
    return header, [
        [
            line.section,
            line.what,
            line.count,
            line.points,
            "" if line.paid_fen is None else Decimal(line.paid_fen).scaleb(-2),
        ]
        for line in lines(report)
    ]
