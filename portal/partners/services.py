"""The community's partners over a month: what was handed to each, how soon it accepted and
resolved it, how often the resident said it was not fixed, and the review panel's scores
(红色评议团)."""

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.accounts.models import Person
from portal.audit import services as audit
from portal.community.models import Community, Partner, month_bounds
from portal.community.services import partners_of
from portal.extensions import db
from portal.help.models import HelpEvent, HelpRequest
from portal.partners.models import CRITERIA, PartnerRating

HANDED = ("handed_off", "handed_on")


class NotAdministered(Exception):
    """The person does not administer the partner's community."""


@dataclass
class PartnerMonth:
    """What happened to the requests handed to a partner in a month, however long after."""

    partner: Partner
    handed: int = 0
    accepted: int = 0
    declined: int = 0
    lapsed: int = 0
    resolved: int = 0
    reopened: int = 0
    accept_minutes: list[float] = field(default_factory=list)
    resolve_hours: list[float] = field(default_factory=list)
    rating: PartnerRating | None = None

    @property
    def accept_median(self) -> float | None:
        return statistics.median(self.accept_minutes) if self.accept_minutes else None

    @property
    def resolve_median(self) -> float | None:
        return statistics.median(self.resolve_hours) if self.resolve_hours else None

    @property
    def reopen_rate(self) -> float | None:
        """The share of its resolutions the resident said were not fixed."""
        return self.reopened / self.resolved if self.resolved else None


def month_report(community: Community, month: date) -> list[PartnerMonth]:
    """Each partner of the community with the requests handed to it in month (its first day):
    accepted, declined, given back for want of an answer, resolved and reopened; the medians of
    the minutes to accept and the hours to resolve; and the month's rating."""
    start, end = month_bounds(community.timezone, month)
    rows = {p.id: PartnerMonth(p) for p in partners_of(community.id)}
    handed_here = (
        select(HelpEvent.request_id)
        .join(HelpRequest, HelpRequest.id == HelpEvent.request_id)
        .where(
            HelpRequest.community_id == community.id,
            HelpEvent.kind.in_(HANDED),
            HelpEvent.partner_id.in_(rows or {0}),
            HelpEvent.at >= start,
            HelpEvent.at < end,
        )
        .distinct()
    )
    events = db.session.execute(
        select(HelpEvent.request_id, HelpEvent.kind, HelpEvent.partner_id, HelpEvent.at)
        .where(HelpEvent.request_id.in_(handed_here))
        .order_by(HelpEvent.request_id, HelpEvent.at, HelpEvent.id)
    ).all()
    _count(events, rows, start, end)
    for rating in db.session.scalars(
        select(PartnerRating).where(
            PartnerRating.community_id == community.id, PartnerRating.month == month
        )
    ):
        if rating.partner_id in rows:
            rows[rating.partner_id].rating = rating
    return list(rows.values())


def _count(events, rows: dict[int, PartnerMonth], start: datetime, end: datetime) -> None:
    """Walk each request's history, following the partner it is with at each moment."""
    request_id = holder = None  # the partner it is with, while it was handed to it in the month
    handed_at = resolver = None
    for event in events:
        if event.request_id != request_id:
            request_id, holder, resolver = event.request_id, None, None
        if event.kind in HANDED:
            in_month = start <= event.at < end and event.partner_id in rows
            holder, handed_at = (event.partner_id if in_month else None), event.at
            if holder:
                rows[holder].handed += 1
        elif holder is None or event.partner_id not in (holder, None):
            if event.kind == "reopened" and resolver:
                rows[resolver].reopened += 1
                resolver = None
        elif event.kind == "partner_accepted":
            rows[holder].accepted += 1
            rows[holder].accept_minutes.append((event.at - handed_at).total_seconds() / 60)
        elif event.kind in ("partner_declined", "partner_lapsed"):
            row = rows[holder]
            row.declined += event.kind == "partner_declined"
            row.lapsed += event.kind == "partner_lapsed"
            holder = None
        elif event.kind == "resolved" and event.partner_id == holder:
            rows[holder].resolved += 1
            rows[holder].resolve_hours.append((event.at - handed_at).total_seconds() / 3600)
            resolver, holder = holder, None


def rating_of(partner: Partner, community_id: int, month: date) -> PartnerRating | None:
    return db.session.scalar(
        select(PartnerRating).where(
            PartnerRating.partner_id == partner.id,
            PartnerRating.community_id == community_id,
            PartnerRating.month == month,
        )
    )


def rate(
    admin: Person,
    partner: Partner,
    community_id: int,
    month: date,
    scores: dict[str, int],
    comment: str | None,
    panel: str | None,
) -> PartnerRating:
    """Record the community's review panel's scores (1–5 for each criterion) and comment on a
    partner serving it for the month, or change them; audited. Two admins saving at once: one
    rating, the later scores."""
    if not (admin.administers(community_id) and partner.serves(community_id)):
        raise NotAdministered()
    values = {name: int(scores[name]) for name in CRITERIA}
    if any(not 1 <= score <= 5 for score in values.values()):
        raise ValueError("scores run from 1 to 5")
    values |= {"comment": (comment or "").strip() or None, "panel": (panel or "").strip() or None}
    for _attempt in range(2):
        rating = rating_of(partner, community_id, month)
        if rating is None:
            rating = PartnerRating(partner_id=partner.id, community_id=community_id, month=month)
            db.session.add(rating)
        for name, value in values.items():
            setattr(rating, name, value)
        rating.by_id = admin.id
        audit.record(admin, "partner.rated", partner=partner.name, month=f"{month:%Y-%m}", **values)
        try:
            db.session.commit()
            return rating
        except IntegrityError:
            db.session.rollback()
    raise RuntimeError("the rating changed twice while it was being saved")


def serving(community: Community, partner_id: int) -> Partner | None:
    """The partner, if it serves the community."""
    found = db.session.get(Partner, partner_id)
    return found if found is not None and found.serves(community.id) else None
