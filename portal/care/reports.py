"""How well care visits keep their cadence: per grid (or per community, for the street office) and
colour, over a month: the visits that fell due, those done and those done late, those still not
done at the month's end, the median lateness, and the welfare checks raised."""

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from portal.accounts.labels import CARE_COLOURS
from portal.accounts.models import CareColour, Person, Role
from portal.care.models import SEEN, CarePause, CareVisit, ColourChange
from portal.care.services import cadence, coloured_residents
from portal.community.models import Grid, instant_in
from portal.extensions import db
from portal.help.models import Category, HelpRequest

COLOURS = (CareColour.RED, CareColour.YELLOW, CareColour.GREEN)


@dataclass
class Row:
    """One grid's (or community's) visits of one colour in the month."""

    key: str  # "grid-<id>" or "community-<id>"
    place: str  # the grid's name with its community's, or the community's
    colour: str
    residents: int = 0
    visits: int = 0  # days they were seen in the month
    due: int = 0
    done: int = 0
    late: int = 0  # done, after the day they were due
    missed: int = 0  # still not done when the month (or today) ended
    welfare_checks: int = 0
    days_late: list[int] = field(default_factory=list, repr=False)

    @property
    def median_days_late(self) -> float | None:
        """The median lateness, in days, of the visits done late."""
        return statistics.median(self.days_late) if self.days_late else None

    @property
    def done_share(self) -> float | None:
        return self.done / self.due if self.due else None


def grids_for(reader: Person) -> list[Grid]:
    """The grids whose visits reader may count: a grid worker's own, an admin's community's, or
    every community's for the street office."""
    query = select(Grid).options(db.joinedload(Grid.community)).order_by(Grid.community_id, Grid.id)
    if reader.administers_every_community:
        return list(db.session.scalars(query))
    if reader.has_role(Role.ADMIN) and reader.community_id:
        return list(db.session.scalars(query.where(Grid.community_id == reader.community_id)))
    ids = [g.grid_id for g in reader.grants_in_force() if g.role == Role.GRID_WORKER]
    return list(db.session.scalars(query.where(Grid.id.in_(ids)))) if ids else []


def month_report(grids: list[Grid], month: date, today: date, by: str = "grid") -> list[Row]:
    """Rows per grid (by="grid") or community (by="community") and colour for the month that
    month falls in, counted up to today when the month is not over."""
    first = month.replace(day=1)
    last = min((first + timedelta(days=32)).replace(day=1) - timedelta(days=1), today)
    rows: dict[tuple[str, str], Row] = {}

    def row(grid: Grid, colour: str) -> Row:
        if by == "community":
            key, place = f"community-{grid.community_id}", grid.community.name
        else:
            key, place = f"grid-{grid.id}", f"{grid.community.name} · {grid.name}"
        return rows.setdefault((key, colour), Row(key, place, colour))

    for grid in grids:
        for colour in COLOURS:
            row(grid, colour)
    if last < first:
        return list(rows.values())
    by_grid = {grid.id: grid for grid in grids}
    residents = coloured_residents(list(by_grid))
    seen = _seen_days(residents, first, last)
    coloured_on = _colour_set_on(residents)
    pauses = _pauses([r.id for r in residents], last)
    days_by_community = {c: cadence(c) for c in {g.community_id for g in grids}}
    for resident in residents:
        set_on = coloured_on.get(resident.id)
        if set_on is None or set_on > last:
            continue
        counted = row(by_grid[resident.building.grid_id], resident.care_colour)
        counted.residents += 1
        every = days_by_community[resident.community_id][resident.care_colour]
        held = pauses.get(resident.id, [])
        _count(counted, seen.get(resident.id, []), every, first, set_on, last, held)
    for grid_id, colour, count in _welfare_checks(residents, grids, first, last):
        if colour in COLOURS:
            row(by_grid[grid_id], colour).welfare_checks += count
    return sorted(rows.values(), key=lambda r: (r.place, COLOURS.index(r.colour)))


def _count(
    row: Row,
    days: list[date],
    every: int,
    first: date,
    set_on: date,
    last: date,
    pauses: list[tuple[date, date]] = (),
) -> None:
    """Walk one resident's month, from first to last. A visit falls due every days after they
    were last seen (or from set_on, when their colour was set, if never); a visit on or after
    that day meets it, late if after; a visit before it comes early and meets nothing, but the
    next falls due counting from it. One due and not met by last is missed; one overdue since
    before the month falls due on its first day, late from when it was really due. days are the
    days the resident was seen, the last one before the month first (when there is one)."""
    before = [d for d in days if d < first]
    during = [d for d in days if first <= d <= last]
    row.visits += len(during)
    due_on = before[-1] + timedelta(days=every) if before else set_on
    while True:
        due_on = _after_pauses(due_on, pauses)
        while during and during[0] < due_on:  # seen early: the count starts again from then
            due_on = _after_pauses(during.pop(0) + timedelta(days=every), pauses)
        if due_on > last:
            return
        row.due += 1
        if not during:
            row.missed += 1
            return
        met = during.pop(0)
        row.done += 1
        if met > due_on:
            row.late += 1
            row.days_late.append((met - due_on).days)
        due_on = met + timedelta(days=every)


def _after_pauses(day: date, pauses: list[tuple[date, date]]) -> date:
    for starts_on, resumes_on in pauses:
        if starts_on <= day < resumes_on:
            day = resumes_on
    return day


def _chunks(ids: list[int], size: int = 5000):
    """ids a few thousand at a time, to keep each IN list within what databases take."""
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _bounds(residents: list[Person], first: date, last: date) -> tuple[datetime, datetime]:
    """The instants (naive UTC) from the start of first to the end of last, wide enough for
    every community the residents live in."""
    zones = {r.community.timezone for r in residents}
    start = min(instant_in(z, first, time(0)) for z in zones)
    end = max(instant_in(z, last + timedelta(days=1), time(0)) for z in zones)
    return start, end


def _seen_days(residents: list[Person], first: date, last: date) -> dict[int, list[date]]:
    """The local days each resident was seen in the month, in order, after the last day they were
    seen before it."""
    if not residents:
        return {}
    start, end = _bounds(residents, first, last)
    by_id = {r.id: r for r in residents}
    found: dict[int, list[date]] = defaultdict(list)
    for chunk in _chunks(list(by_id)):
        earlier = (
            select(CareVisit.resident_id, func.max(CareVisit.at))
            .where(
                CareVisit.resident_id.in_(chunk),
                CareVisit.outcome.in_(SEEN),
                CareVisit.at < start,
            )
            .group_by(CareVisit.resident_id)
        )
        during = select(CareVisit.resident_id, CareVisit.at).where(
            CareVisit.resident_id.in_(chunk),
            CareVisit.outcome.in_(SEEN),
            CareVisit.at >= start,
            CareVisit.at < end,
        )
        for resident_id, at in [*db.session.execute(earlier), *db.session.execute(during)]:
            found[resident_id].append(by_id[resident_id].today(at))
    return {k: sorted(set(v)) for k, v in found.items()}


def _colour_set_on(residents: list[Person]) -> dict[int, date]:
    """The day each resident's colour was first set (or, with no history, their first day on
    record): visits fall due from then."""
    by_id = {r.id: r for r in residents}
    found = {r.id: r.today(r.created_at) for r in residents}
    for chunk in _chunks(list(by_id)):
        query = (
            select(ColourChange.resident_id, func.min(ColourChange.at))
            .where(ColourChange.resident_id.in_(chunk))
            .group_by(ColourChange.resident_id)
        )
        for resident_id, at in db.session.execute(query):
            found[resident_id] = by_id[resident_id].today(at)
    return found


def _pauses(resident_ids: list[int], last: date) -> dict[int, list[tuple[date, date]]]:
    """Each resident's pauses that began by last, in order."""
    found: dict[int, list[tuple[date, date]]] = defaultdict(list)
    for chunk in _chunks(resident_ids):
        query = (
            select(CarePause.resident_id, CarePause.starts_on, CarePause.resumes_on)
            .where(CarePause.resident_id.in_(chunk), CarePause.starts_on <= last)
            .order_by(CarePause.starts_on)
        )
        for resident_id, starts_on, resumes_on in db.session.execute(query):
            found[resident_id].append((starts_on, resumes_on))
    return found


def _welfare_checks(residents: list[Person], grids: list[Grid], first: date, last: date):
    """(grid id, colour, how many) of the welfare checks raised in the month for residents with
    a colour, whatever raised them (a visit, a missed check-in, a delivery)."""
    if not residents:
        return []
    start, end = _bounds(residents, first, last)
    query = (
        select(HelpRequest.grid_id, Person.care_colour, func.count())
        .join(Person, Person.id == HelpRequest.resident_id)
        .where(
            HelpRequest.grid_id.in_([g.id for g in grids]),
            HelpRequest.category == Category.WELFARE_CHECK,
            HelpRequest.created_at >= start,
            HelpRequest.created_at < end,
            Person.care_colour.is_not(None),
        )
        .group_by(HelpRequest.grid_id, Person.care_colour)
    )
    return db.session.execute(query).all()


def bars(rows: list[Row], width: int = 300, bar_height: int = 28) -> list[dict]:
    """Geometry for a horizontal bar chart of the share of due visits done, per row with any
    due, drawn by the template as SVG."""
    shown = [row for row in rows if row.due]
    return [
        {
            "row": row,
            "y": index * (bar_height + 12),
            "width": max(2, round(row.done / row.due * width)),
        }
        for index, row in enumerate(shown)
    ]


COLUMNS = (
    _l("Where"),
    _l("Care colour"),
    _l("Residents"),
    _l("Days seen"),
    _l("Visits due"),
    _l("Done"),
    _l("Done late"),
    _l("Not done"),
    _l("Median days late"),
    _l("Welfare checks"),
)


def table(rows: list[Row]) -> tuple[list[str], list[list]]:
    """The header, in the reader's language, and the rows of a spreadsheet of the report."""
    header = [str(column) for column in COLUMNS]
    return header, [
        [
            row.place,
            str(CARE_COLOURS[row.colour]),
            row.residents,
            row.visits,
            row.due,
            row.done,
            row.late,
            row.missed,
            "" if row.median_days_late is None else row.median_days_late,
            row.welfare_checks,
        ]
        for row in rows
    ]
