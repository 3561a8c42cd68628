"""How well help requests are answered: per grid or per category, over a period."""

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from portal.community.models import Grid
from portal.config import DEFAULT_TIMEZONE
from portal.extensions import db
from portal.help.models import Feedback, HelpEvent, HelpRequest


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    count: int
    ack_median: float | None  # minutes
    ack_p90: float | None
    resolve_median: float | None
    resolve_p90: float | None
    escalated: int
    reopen_rate: float | None  # share of resolved requests that were reopened
    fixed_rate: float | None  # share of answered requests confirmed fixed


def _percentile(values: list[float], share: float) -> float | None:
    """The share-th percentile (0–1) by linear interpolation, or None for no values."""
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


def _minutes(start: datetime, end: datetime | None) -> float | None:
    return (end - start).total_seconds() / 60 if end else None


def _bounds(start: date, end: date, zone: str) -> tuple[datetime, datetime]:
    tz = ZoneInfo(zone)
    first = datetime.combine(start, time.min, tzinfo=tz).astimezone(ZoneInfo("UTC"))
    last = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz).astimezone(
        ZoneInfo("UTC")
    )
    return first.replace(tzinfo=None), last.replace(tzinfo=None)


def summary(
    start: date, end: date, by: str = "grid", zone: str = DEFAULT_TIMEZONE, community_id=None
) -> list[Row]:
    """One row per grid (or per category) for requests created from start to end (local days)."""
    first, last = _bounds(start, end, zone)
    query = select(
        HelpRequest.id,
        HelpRequest.grid_id,
        HelpRequest.category,
        HelpRequest.created_at,
        HelpRequest.acknowledged_at,
        HelpRequest.resolved_at,
        HelpRequest.closed_at,
        HelpRequest.level,
        HelpRequest.reopened,
        HelpRequest.feedback,
    ).where(HelpRequest.created_at >= first, HelpRequest.created_at < last)
    if community_id is not None:
        query = query.where(HelpRequest.community_id == community_id)
    requests = db.session.execute(query).all()
    resolved_at = _first_resolutions([r.id for r in requests])
    grids = {g.id: g.name for g in db.session.scalars(select(Grid))}
    groups: dict[str, list] = defaultdict(list)
    for request in requests:
        groups[str(request.grid_id) if by == "grid" else request.category].append(request)
    rows = []
    for key, members in groups.items():
        acks = [
            m for m in (_minutes(r.created_at, r.acknowledged_at) for r in members) if m is not None
        ]
        fixes = [
            m
            for m in (_minutes(r.created_at, resolved_at.get(r.id)) for r in members)
            if m is not None
        ]
        answered = [r for r in members if r.feedback]
        ever_resolved = [r for r in members if r.id in resolved_at]
        rows.append(
            Row(
                key=key,
                label=grids.get(int(key), key) if by == "grid" else key,
                count=len(members),
                ack_median=statistics.median(acks) if acks else None,
                ack_p90=_percentile(sorted(acks), 0.9),
                resolve_median=statistics.median(fixes) if fixes else None,
                resolve_p90=_percentile(sorted(fixes), 0.9),
                escalated=sum(1 for r in members if r.level > 0),
                reopen_rate=(
                    sum(1 for r in ever_resolved if r.reopened) / len(ever_resolved)
                    if ever_resolved
                    else None
                ),
                fixed_rate=(
                    sum(1 for r in answered if r.feedback == Feedback.FIXED) / len(answered)
                    if answered
                    else None
                ),
            )
        )
    return sorted(rows, key=lambda row: (-row.count, row.label))


def _first_resolutions(ids: list[int]) -> dict[int, datetime]:
    """When each request was first marked done: reopening clears resolved_at, history does not."""
    found: dict[int, datetime] = {}
    for start_at in range(0, len(ids), 5000):
        part = ids[start_at : start_at + 5000]
        rows = db.session.execute(
            select(HelpEvent.request_id, HelpEvent.at).where(
                HelpEvent.request_id.in_(part), HelpEvent.kind == "resolved"
            )
        )
        for request_id, at in rows:
            if request_id not in found or at < found[request_id]:
                found[request_id] = at
    return found


def to_csv(rows: list[Row], by: str) -> str:
    """The rows as CSV with a header line; times in minutes, rates as fractions."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            by,
            "count",
            "ack_median_min",
            "ack_p90_min",
            "resolve_median_min",
            "resolve_p90_min",
            "escalated",
            "reopen_rate",
            "fixed_rate",
        ]
    )
    for row in rows:
        writer.writerow(
            [
                row.label,
                row.count,
                *(
                    _fmt(v)
                    for v in (row.ack_median, row.ack_p90, row.resolve_median, row.resolve_p90)
                ),
                row.escalated,
                _fmt(row.reopen_rate, 3),
                _fmt(row.fixed_rate, 3),
            ]
        )
    return out.getvalue()


def _fmt(value: float | None, places: int = 1) -> str:
    return "" if value is None else f"{value:.{places}f}"


def bars(rows: list[Row], width: int = 600, bar_height: int = 28) -> list[dict]:
    """Geometry for a horizontal bar chart of request counts, drawn by the template as SVG."""
    most = max((row.count for row in rows), default=0) or 1
    return [
        {
            "row": row,
            "y": index * (bar_height + 12),
            "width": max(2, round(row.count / most * width)),
        }
        for index, row in enumerate(rows)
    ]
