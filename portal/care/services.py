"""Three-colour care visits (三色管理): each resident's care colour, set with a reason and kept with
its history; the cadence of visits per colour in each community; pauses; the grid worker's due
list, ordered as a walk; and recording a visit, which may raise a help request there and then,
and raises a welfare check when a red resident is not at home."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, select
from sqlalchemy.exc import IntegrityError

from portal.accounts import day as worker_day
from portal.accounts.models import CareColour, Person
from portal.accounts.seams import last_contacts, latest_contacts
from portal.accounts.services import may_act_for, serves
from portal.audit import services as audit
from portal.care.models import (
    SEEN,
    CareCadence,
    CarePause,
    CareSettings,
    CareSharing,
    CareVisit,
    CheckIn,
    CheckInPlan,
    ColourChange,
    Outcome,
)
from portal.community.models import Building, Community, instant_in, today_in
from portal.config import DEFAULT_TIMEZONE
from portal.extensions import db
from portal.help import services as help
from portal.help.models import Category, HelpRequest, Source
from portal.model_base import utcnow

DEFAULT_DAYS = {CareColour.RED: 1, CareColour.YELLOW: 7, CareColour.GREEN: 30}
NOTE_MAX_LENGTH = 500
REASON_MAX_LENGTH = 200
# What the portal looks back over when it suggests a colour.
SUGGESTION_WINDOW = timedelta(days=30)
OLD_AGE = 80


class CareError(Exception):
    pass


class NotServed(CareError):
    """The person does not serve this resident as their grid worker or admin."""


class NoColour(CareError):
    """A colour must be one of red, yellow, green (or none), and a new one needs a reason."""


class UnknownOutcome(CareError):
    pass


class BadPause(CareError):
    """A pause ends after it starts, and has a reason."""


def cadence(community_id: int) -> dict[str, int]:
    """Days between two visits, per colour, in the community."""
    days = dict(DEFAULT_DAYS)
    query = select(CareCadence.colour, CareCadence.days).where(
        CareCadence.community_id == community_id
    )
    days.update({colour: number for colour, number in db.session.execute(query)})
    return days


def other_contacts_count(community_id: int) -> bool:
    """Whether other signs a resident is well count towards a yellow or green visit."""
    found = db.session.get(CareSettings, community_id)
    return True if found is None else found.other_contacts_count


def set_other_contacts(admin: Person, community: Community, count: bool) -> None:
    if not admin.administers(community.id):
        raise NotServed()
    found = db.session.get(CareSettings, community.id) or CareSettings(community_id=community.id)
    found.other_contacts_count = count
    db.session.add(found)
    audit.record(admin, "care.cadence_set", other_contacts=str(count))
    db.session.commit()


def set_cadence(admin: Person, community: Community, colour: str, days: int) -> None:
    """How many days may pass between two visits of colour in community; audited, committed."""
    if not admin.administers(community.id):
        raise NotServed()
    if colour not in {c.value for c in CareColour} or not 1 <= days <= 366:
        raise NoColour()
    found = db.session.scalar(
        select(CareCadence).where(
            CareCadence.community_id == community.id, CareCadence.colour == colour
        )
    ) or CareCadence(community_id=community.id, colour=colour)
    found.days = days
    db.session.add(found)
    audit.record(admin, "care.cadence_set", colour=colour, days=days)
    db.session.commit()


def _check_serves(staff: Person, resident: Person) -> None:
    if not serves(staff, resident):
        raise NotServed()


def set_colour(
    staff: Person, resident: Person, colour: str | None, reason: str, now: datetime | None = None
) -> ColourChange:
    """Give resident a care colour (None: no visits), with the reason; kept in the colour's
    history and audited; committed."""
    _check_serves(staff, resident)
    reason = reason.strip()[:REASON_MAX_LENGTH]
    if colour is not None and colour not in {c.value for c in CareColour}:
        raise NoColour()
    if colour is not None and not reason:
        raise NoColour()
    now = now or utcnow()
    change = ColourChange(
        resident_id=resident.id, colour=colour, reason=reason or None, by_id=staff.id, at=now
    )
    audit.record(
        staff,
        "care.colour_set",
        resident,
        colour=f"{resident.care_colour or '-'} → {colour or '-'}",
    )
    resident.care_colour, resident.care_colour_reason = colour, reason or None
    db.session.add(change)
    db.session.commit()
    return change


def colour_history(resident: Person) -> list[ColourChange]:
    query = (
        select(ColourChange)
        .where(ColourChange.resident_id == resident.id)
        .order_by(ColourChange.at.desc(), ColourChange.id.desc())
        .options(db.joinedload(ColourChange.by))
    )
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class Suggestion:
    colour: str
    reasons: tuple[str, ...]  # age, special_support, unwell_lately


def suggest(resident: Person, now: datetime | None = None) -> Suggestion:
    """The colour what the portal knows points to, and why: 80 or older, special support (特困),
    feeling unwell or a door nobody answered in the last 30 days. Red for a recent alarm or two
    other signs, yellow for one, green for none. It suggests; a person decides."""
    now = now or utcnow()
    reasons = []
    age = resident.age_on(resident.today(now))
    if age is not None and age >= OLD_AGE:
        reasons.append("age")
    if resident.special_support:
        reasons.append("special_support")
    alarms = db.session.scalar(
        select(func.count())
        .select_from(HelpRequest)
        .where(
            HelpRequest.resident_id == resident.id,
            HelpRequest.category.in_((Category.UNWELL, Category.WELFARE_CHECK)),
            HelpRequest.created_at >= now - SUGGESTION_WINDOW,
        )
    )
    if alarms:
        reasons.append("unwell_lately")
    if alarms or len(reasons) >= 2:
        colour = CareColour.RED
    else:
        colour = CareColour.YELLOW if reasons else CareColour.GREEN
    return Suggestion(colour.value, tuple(reasons))


def pause(
    staff: Person, resident: Person, starts_on: date, resumes_on: date, reason: str
) -> CarePause:
    """No visits due from starts_on until resumes_on; audited, committed."""
    _check_serves(staff, resident)
    reason = reason.strip()[:REASON_MAX_LENGTH]
    if resumes_on <= starts_on or not reason:
        raise BadPause()
    found = CarePause(
        resident_id=resident.id,
        starts_on=starts_on,
        resumes_on=resumes_on,
        reason=reason,
        by_id=staff.id,
    )
    db.session.add(found)
    audit.record(staff, "care.paused", resident, days=f"{starts_on} – {resumes_on}")
    db.session.commit()
    return found


def pause_on(resident: Person, day: date) -> CarePause | None:
    """The pause that holds on day, if any."""
    return db.session.scalar(
        select(CarePause)
        .where(
            CarePause.resident_id == resident.id,
            CarePause.starts_on <= day,
            CarePause.resumes_on > day,
        )
        .order_by(CarePause.resumes_on.desc())
        .limit(1)
    )


def _paused(resident_ids: list[int], day: date) -> set[int]:
    """Those of the residents whose visits are paused on day."""
    return set(
        db.session.scalars(
            select(CarePause.resident_id).where(
                CarePause.resident_id.in_(resident_ids),
                CarePause.starts_on <= day,
                CarePause.resumes_on > day,
            )
        )
    )


@dataclass(frozen=True)
class Due:
    """A resident due a visit: since when, how late (in days), and when they were last seen."""

    resident: Person
    due_on: date
    late: int
    last_seen: datetime | None


def _walk_order(due: "Due"):
    resident = due.resident
    return (
        resident.building.name if resident.building else "",
        resident.unit or "",
        resident.floor if resident.floor is not None else 0,
        resident.room or "",
        resident.id,
    )


def last_seen(resident_ids: list[int], since: datetime | None = None) -> dict[int, datetime]:
    """When each resident was last seen or spoken to on a visit; with since, only those seen
    after it."""
    if not resident_ids:
        return {}
    query = (
        select(CareVisit.resident_id, func.max(CareVisit.at))
        .where(CareVisit.resident_id.in_(resident_ids), CareVisit.outcome.in_(SEEN))
        .group_by(CareVisit.resident_id)
    )
    if since is not None:
        query = query.where(CareVisit.at > since)
    return dict(db.session.execute(query).all())


def _coloured_at_home(grid_ids):
    """The condition for the residents living in the grids who have a care colour and still live
    at home, on a query joined to their building."""
    return and_(
        Building.grid_id.in_(grid_ids),
        Person.care_colour.is_not(None),
        Person.active.is_(True),
        Person.left_reason.is_(None),
    )


def coloured_residents(grid_ids) -> list[Person]:
    """The residents living in the grids who have a care colour and still live at home, with
    their building and community."""
    if not grid_ids:
        return []
    return list(
        db.session.scalars(
            select(Person)
            .join(Building, Building.id == Person.building_id)
            .where(_coloured_at_home(grid_ids))
            .options(db.contains_eager(Person.building), db.joinedload(Person.community))
        )
    )


def due_list(worker: Person, now: datetime | None = None) -> list[Due]:
    """The residents of worker's grids due a visit today or overdue, as a walk through the
    buildings (building, unit, floor, room); paused ones are left out until they resume.

    A grid has hundreds of residents and a few are due on a day: each is weighed by its id,
    colour and community and its visits within the longest cadence (a resident not seen since
    is due whenever they were), and only those due are loaded whole, with their last visit."""
    now = now or utcnow()
    grids = worker_day.grids_of(worker, now)
    if not grids:
        return []
    residents = db.session.execute(
        select(Person.id, Person.care_colour, Person.community_id)
        .join(Building, Building.id == Person.building_id)
        .where(_coloured_at_home(grids))
    ).all()
    if not residents:
        return []
    ids = [r.id for r in residents]
    communities = {r.community_id for r in residents}
    days = {c: cadence(c) for c in communities}
    longest = max(number for cadences in days.values() for number in cadences.values())
    seen = last_seen(ids, since=now - timedelta(days=longest + 1))
    counting = {c for c in communities if c is not None and other_contacts_count(c)}
    others = _other_contacts(
        [r.id for r in residents if r.care_colour != CareColour.RED and r.community_id in counting]
    )
    paused = _paused(ids, worker.today(now))
    places = {c: db.session.get(Community, c) if c is not None else None for c in communities}

    def date_at(community_id: int | None, moment: datetime) -> date:
        place = places[community_id]
        return place.today(moment) if place else today_in(DEFAULT_TIMEZONE, moment)

    today = {c: date_at(c, now) for c in communities}

    def due_since(
        resident_id: int, community: int | None, colour: str, seen_at: datetime | None
    ) -> tuple[date, datetime | None]:
        last = max((m for m in (seen_at, others.get(resident_id)) if m is not None), default=None)
        if last is None:
            return today[community], None
        return date_at(community, last) + timedelta(days=days[community][colour]), last

    due = set()
    for resident in residents:
        if resident.id in paused:
            continue
        community = resident.community_id
        due_on, _last = due_since(
            resident.id, community, resident.care_colour, seen.get(resident.id)
        )
        if due_on <= today[community]:
            due.add(resident.id)
    if not due:
        return []
    # Loaded with their last visit, which for those not seen within the longest cadence lies
    # before it.
    last_visit = (
        select(func.max(CareVisit.at))
        .where(CareVisit.resident_id == Person.id, CareVisit.outcome.in_(SEEN))
        .correlate(Person)
        .scalar_subquery()
    )
    found = []
    for resident, seen_at in db.session.execute(
        select(Person, last_visit)
        .where(Person.id.in_(due))
        .options(db.joinedload(Person.building), db.joinedload(Person.community))
    ):
        community = resident.community_id
        due_on, last = due_since(resident.id, community, resident.care_colour, seen_at)
        found.append(Due(resident, due_on, (today[community] - due_on).days, last))
    return sorted(found, key=_walk_order)


def due_fingerprint(worker: Person, now: datetime) -> list:
    """Scalar subqueries that move whenever due_list(worker, now) could, but for the date: the
    residents of worker's grids (a colour set, a move, a leaving), their visits, pauses and
    "I'm fine today", every other sign they were well, and their communities' cadences and
    whether other signs count.

    Visits are only ever added, each at the moment it is recorded, and the day adds the date:
    two readings of one date lie less than a day apart, so the visits of the last day hold every
    one added between them. Only those are read, a few index entries a resident."""
    grids = worker_day.grids_of(worker, now)
    if not grids:
        return []
    residents = worker_day.residents_of(grids)
    communities = worker_day.communities_of(grids)
    visits = and_(CareVisit.resident_id.in_(residents), CareVisit.at > now - timedelta(days=1))
    pauses = CarePause.resident_id.in_(residents)
    cadences = CareCadence.community_id.in_(communities)
    return [
        select(func.count(Person.id)).where(Person.id.in_(residents)).scalar_subquery(),
        select(func.max(Person.updated_at)).where(Person.id.in_(residents)).scalar_subquery(),
        select(func.count()).select_from(CareVisit).where(visits).scalar_subquery(),
        select(func.max(CareVisit.at)).where(visits).scalar_subquery(),
        select(func.count(CarePause.id)).where(pauses).scalar_subquery(),
        select(func.max(CarePause.updated_at)).where(pauses).scalar_subquery(),
        select(func.max(CheckIn.id)).where(CheckIn.resident_id.in_(residents)).scalar_subquery(),
        select(func.count(CareCadence.id)).where(cadences).scalar_subquery(),
        select(func.sum(CareCadence.id * CareCadence.days)).where(cadences).scalar_subquery(),
        select(func.count(CareSettings.community_id))
        .where(
            CareSettings.community_id.in_(communities), CareSettings.other_contacts_count.is_(False)
        )
        .scalar_subquery(),
        *last_contacts(residents),
    ]


def _other_contacts(resident_ids: list[int]) -> dict[int, datetime]:
    """The latest sign each resident was well, besides a visit: what other features
    registered, and "I'm fine today"."""
    if not resident_ids:
        return {}
    found = latest_contacts(resident_ids)
    for resident_id, moment in last_check_ins(resident_ids).items():
        if resident_id not in found or moment > found[resident_id]:
            found[resident_id] = moment
    return found


def record_visit(
    worker: Person,
    resident: Person,
    outcome: str,
    note: str = "",
    *,
    needs_help: str | None = None,
    now: datetime | None = None,
) -> CareVisit:
    """Record a visit to resident, with a note kept among staff; committed. needs_help, a help
    category, raises a request for them there and then. Not at home on a red resident raises an
    urgent welfare check, one a day however often it is recorded. Raises NotServed or
    UnknownOutcome (nothing saved), or help's UnknownCategory."""
    _check_serves(worker, resident)
    if outcome not in {o.value for o in Outcome}:
        raise UnknownOutcome(outcome)
    if needs_help is not None and needs_help not in {c.value for c in Category}:
        raise help.UnknownCategory(needs_help)
    now = now or utcnow()
    note = note.strip()[:NOTE_MAX_LENGTH] or None
    visit = CareVisit(
        resident_id=resident.id,
        by_id=worker.id,
        at=now,
        outcome=outcome,
        note=note,
        colour=resident.care_colour,
    )
    if outcome == Outcome.NOT_HOME and resident.care_colour == CareColour.RED:
        visit.welfare_check_id = _welfare_check(worker, resident, now, note)
    if needs_help is not None:
        request, _created = help.raise_for(resident, needs_help, worker, Source.VISIT, now=now)
        visit.help_request_id = request.id
    db.session.add(visit)
    audit.record(worker, "care.visited", resident, outcome=outcome)
    db.session.commit()
    return visit


def _welfare_check(worker: Person, resident: Person, now: datetime, note: str | None) -> int:
    """Today's welfare check for a red resident not found at home: the one an earlier visit
    today raised, or a new one."""
    earlier = db.session.scalar(
        select(HelpRequest)
        .join(CareVisit, CareVisit.welfare_check_id == HelpRequest.id)
        .where(CareVisit.resident_id == resident.id)
        .order_by(HelpRequest.created_at.desc())
        .limit(1)
    )
    if earlier is not None and resident.today(earlier.created_at) == resident.today(now):
        return earlier.id
    request, _created = help.raise_alert(
        resident, Category.WELFARE_CHECK, worker, now=now, note=note, source=Source.CARE_VISIT
    )
    return request.id


# When a visit day ends, in each community's own time: a red resident not seen by then gets a
# welfare check.
DAY_ENDS = time(20)


def raise_overdue(now: datetime | None = None, day_ends: time = DAY_ENDS) -> int:
    """Raise an urgent welfare check for each red resident not seen by the end of their visit
    day (day_ends, in their community's time; before it, the day before): one per resident and
    day, however often this runs. Returns how many were raised."""
    now = now or utcnow()
    raised = 0
    for community in db.session.scalars(select(Community)):
        local = now.replace(tzinfo=UTC).astimezone(ZoneInfo(community.timezone))
        day = local.date() if local.time() >= day_ends else local.date() - timedelta(days=1)
        days = cadence(community.id)[CareColour.RED]
        reds = list(
            db.session.scalars(
                select(Person)
                .join(Building, Building.id == Person.building_id)
                .where(
                    Person.community_id == community.id,
                    Person.care_colour == CareColour.RED,
                    Person.active.is_(True),
                    Person.left_reason.is_(None),
                )
            )
        )
        if not reds:
            continue
        ids = [r.id for r in reds]
        seen = last_seen(ids)
        since = instant_in(community.timezone, day, time(0))
        already = set(
            db.session.scalars(
                select(HelpRequest.resident_id).where(
                    HelpRequest.resident_id.in_(ids),
                    HelpRequest.source == Source.CARE_VISIT,
                    HelpRequest.created_at >= since,
                )
            )
        )
        paused = _paused(ids, day)
        # Never visited: due from the day they were made red; without that on record (a
        # colour from an import), the due list shows them, and no check is raised yet.
        made_red = dict(
            db.session.execute(
                select(ColourChange.resident_id, func.max(ColourChange.at))
                .where(ColourChange.resident_id.in_(ids), ColourChange.colour == CareColour.RED)
                .group_by(ColourChange.resident_id)
            ).all()
        )
        for resident in reds:
            last = seen.get(resident.id)
            if last is not None:
                due_on = resident.today(last) + timedelta(days=days)
            elif resident.id in made_red:
                due_on = resident.today(made_red[resident.id])
            else:
                continue
            if due_on > day or resident.id in already or resident.id in paused:
                continue
            help.raise_alert(
                resident,
                Category.WELFARE_CHECK,
                resident,
                now=now,
                source=Source.CARE_VISIT,
            )
            raised += 1
    return raised


def visits_of(resident: Person, limit: int = 10) -> list[CareVisit]:
    """The resident's latest visits, newest first."""
    query = (
        select(CareVisit)
        .where(CareVisit.resident_id == resident.id)
        .order_by(CareVisit.at.desc(), CareVisit.id.desc())
        .limit(limit)
        .options(db.joinedload(CareVisit.by))
    )
    return list(db.session.scalars(query))


def record_read(reader: Person, resident: Person) -> None:
    """Audit that staff read a resident's care record; committed."""
    audit.record(reader, "care.read", resident)
    db.session.commit()


# "I'm fine today" (今天我很好) -----------------------------------------------------------------

DEFAULT_DEADLINE = time(10)
# How long after a missed check-in's call task the welfare check follows.
CHECK_IN_GRACE = timedelta(hours=2)


def check_in(resident: Person, by: Person, now: datetime | None = None) -> CheckIn:
    """The resident (or family for them) says they are fine today; once a day, a second tap is
    the first one. Committed."""
    if not (by.id == resident.id or may_act_for(by, resident)):
        raise NotServed()
    now = now or utcnow()
    day = resident.today(now)
    found = todays_check_in(resident, now)
    if found is not None:
        return found
    made = CheckIn(resident_id=resident.id, day=day, at=now, by_id=by.id)
    db.session.add(made)
    try:
        db.session.commit()
    except IntegrityError:
        # The same tap, twice at once: the other one was kept.
        db.session.rollback()
        return todays_check_in(resident, now)
    return made


def todays_check_in(resident: Person, now: datetime | None = None) -> CheckIn | None:
    return db.session.scalar(
        select(CheckIn).where(
            CheckIn.resident_id == resident.id, CheckIn.day == resident.today(now or utcnow())
        )
    )


def last_check_ins(resident_ids: list[int]) -> dict[int, datetime]:
    """When each resident last said they were fine."""
    if not resident_ids:
        return {}
    query = (
        select(CheckIn.resident_id, func.max(CheckIn.at))
        .where(CheckIn.resident_id.in_(resident_ids))
        .group_by(CheckIn.resident_id)
    )
    return dict(db.session.execute(query).all())


def check_in_plan(resident: Person) -> CheckInPlan | None:
    return db.session.get(CheckInPlan, resident.id)


def check_in_and_plan(
    resident: Person, now: datetime | None = None
) -> tuple[CheckIn | None, CheckInPlan | None]:
    """Today's check-in and the resident's daily plan, in one statement: their home shows both."""
    today = resident.today(now or utcnow())
    query = (
        select(CheckIn, CheckInPlan)
        .select_from(Person)
        .outerjoin(CheckInPlan, CheckInPlan.resident_id == Person.id)
        .outerjoin(CheckIn, (CheckIn.resident_id == Person.id) & (CheckIn.day == today))
        .where(Person.id == resident.id)
    )
    checked_in, plan = db.session.execute(query).one()
    return checked_in, plan


def plan_check_ins(resident: Person, by: Person, deadline: time | None) -> None:
    """The resident checks in every day by deadline (None: no longer); by is the resident,
    their family or their grid worker. Audited when someone else decides; committed."""
    if not (by.id == resident.id or may_act_for(by, resident) or serves(by, resident)):
        raise NotServed()
    found = check_in_plan(resident)
    if deadline is None:
        if found is not None:
            db.session.delete(found)
    else:
        found = found or CheckInPlan(resident_id=resident.id)
        found.deadline, found.by_id = deadline, by.id
        db.session.add(found)
    if by.id != resident.id:
        audit.record(by, "care.check_ins_planned", resident, deadline=str(deadline or "-"))
    db.session.commit()


def follow_missed_check_ins(now: datetime | None = None) -> dict[str, int]:
    """For each resident who checks in every day and has not by their deadline today: a call
    for the grid worker to make (once), then, two hours on, an urgent welfare check (once)."""
    now = now or utcnow()
    counts = {"calls": 0, "welfare checks": 0}
    plans = db.session.execute(
        select(CheckInPlan, Person)
        .join(Person, Person.id == CheckInPlan.resident_id)
        .where(Person.active.is_(True), Person.left_reason.is_(None))
        .options(db.joinedload(Person.community), db.joinedload(Person.building))
    ).all()
    days = {resident.today(now) for _plan, resident in plans}
    checked_in = set(
        db.session.execute(
            select(CheckIn.resident_id, CheckIn.day).where(
                CheckIn.resident_id.in_([resident.id for _plan, resident in plans]),
                CheckIn.day.in_(days),
            )
        ).all()
    )
    for plan, resident in plans:
        zone = resident.community.timezone if resident.community else None
        if zone is None or resident.building is None:
            continue
        day = resident.today(now)
        due = instant_in(zone, day, plan.deadline)
        if now < due or (resident.id, day) in checked_in:
            continue
        if pause_on(resident, day) is not None:
            continue
        raised = set(
            db.session.scalars(
                select(HelpRequest.category).where(
                    HelpRequest.resident_id == resident.id,
                    HelpRequest.source == Source.CHECK_IN,
                    HelpRequest.created_at >= instant_in(zone, day, time(0)),
                )
            )
        )
        if Category.OTHER not in raised:
            help.raise_alert(
                resident,
                Category.OTHER,
                resident,
                now=now,
                source=Source.CHECK_IN,
            )
            counts["calls"] += 1
        elif Category.WELFARE_CHECK not in raised and now >= due + CHECK_IN_GRACE:
            help.raise_alert(
                resident, Category.WELFARE_CHECK, resident, now=now, source=Source.CHECK_IN
            )
            counts["welfare checks"] += 1
    return counts


# What family see ------------------------------------------------------------------------------


def family_sees_visits(resident: Person) -> bool:
    found = db.session.get(CareSharing, resident.id)
    return bool(found and found.family_sees_visits)


def share_visits(resident: Person, by: Person, shared: bool, now: datetime | None = None) -> None:
    """The resident agrees (or no longer) that their family see their care visits; by is the
    resident, or staff serving them recording what they said (audited). Committed."""
    if by.id != resident.id and not serves(by, resident):
        raise NotServed()
    found = db.session.get(CareSharing, resident.id) or CareSharing(resident_id=resident.id)
    found.family_sees_visits, found.by_id, found.at = shared, by.id, now or utcnow()
    db.session.add(found)
    if by.id != resident.id:
        audit.record(by, "care.sharing_set", resident, shared=str(shared))
    db.session.commit()


def shared_visits(resident_ids: list[int]) -> dict[int, CareVisit]:
    """The latest visit of each resident who agreed their family see it."""
    if not resident_ids:
        return {}
    sharing = select(CareSharing.resident_id).where(
        CareSharing.resident_id.in_(resident_ids), CareSharing.family_sees_visits.is_(True)
    )
    latest = (
        select(CareVisit.resident_id, func.max(CareVisit.id).label("id"))
        .where(CareVisit.resident_id.in_(sharing))
        .group_by(CareVisit.resident_id)
        .subquery()
    )
    query = (
        select(CareVisit)
        .join(latest, latest.c.id == CareVisit.id)
        .options(db.joinedload(CareVisit.by))
    )
    return {visit.resident_id: visit for visit in db.session.scalars(query)}
