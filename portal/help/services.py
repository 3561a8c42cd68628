"""The rules of help requests: raising them without duplicates, who may do what, the state
machine, escalation timers, and the queues."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import (
    and_,
    case,
    exists,
    false,
    func,
    insert,
    literal,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.exc import IntegrityError

from portal.accounts.models import Person, Role, RoleGrant
from portal.accounts.services import (
    family_ids_of,
    may_act_for,
    partner_ids_of,
    people_of_partner,
    serves,
)
from portal.audit import services as audit
from portal.community.models import Building, Community, Grid, Partner
from portal.extensions import db
from portal.help import seams
from portal.help.models import (
    OPEN_STATUSES,
    STAFF_CHANNELS,
    URGENT_CATEGORIES,
    VOLUNTEER_CATEGORIES,
    Category,
    Feedback,
    Handler,
    HelpEvent,
    HelpRequest,
    HelpService,
    HelpSettings,
    Level,
    Source,
    Status,
)
from portal.jobs import hold_until_commit
from portal.model_base import utcnow
from portal.notifications.services import notification_row, notify, notify_many
from portal.web.paging import page_of

NOTE_MAX_LENGTH = 1000


@dataclass(frozen=True)
class Timers:
    """How long things may wait before the portal acts; configurable per deployment."""

    ack_urgent: timedelta = timedelta(minutes=5)
    ack_normal: timedelta = timedelta(minutes=30)
    resolve_urgent: timedelta = timedelta(hours=2)
    resolve_normal: timedelta = timedelta(hours=48)
    dedupe: timedelta = timedelta(minutes=10)
    auto_close: timedelta = timedelta(days=3)
    per_hour: int = 20

    @classmethod
    def from_config(cls, config) -> "Timers":
        minutes = lambda name, default: timedelta(minutes=int(config.get(name, default)))  # noqa: E731
        return cls(
            ack_urgent=minutes("HELP_ACK_MINUTES_URGENT", 5),
            ack_normal=minutes("HELP_ACK_MINUTES", 30),
            resolve_urgent=minutes("HELP_RESOLVE_MINUTES_URGENT", 120),
            resolve_normal=minutes("HELP_RESOLVE_MINUTES", 48 * 60),
            dedupe=minutes("HELP_DEDUPE_MINUTES", 10),
            auto_close=minutes("HELP_AUTO_CLOSE_MINUTES", 3 * 24 * 60),
            per_hour=int(config.get("HELP_REQUESTS_PER_HOUR", 20)),
        )


class HelpError(Exception):
    """A rule about help requests was broken; views turn each kind into a clear message."""


class UnknownCategory(HelpError):
    pass


class NotAllowed(HelpError):
    pass


class TooManyRequests(HelpError):
    pass


class NoGrid(HelpError):
    """The resident has no building, so no grid's queue would see the request."""


class AlreadyTaken(HelpError):
    def __init__(self, holder: Person | None):
        super().__init__(holder)
        self.holder = holder


class IllegalTransition(HelpError):
    def __init__(self, status: str, action: str):
        super().__init__(f"{action} is not allowed when {status}")
        self.status, self.action = status, action


# Which statuses each action may start from; anything else is an IllegalTransition.
ALLOWED_FROM = {
    "take": {Status.NEW},
    "untake": {Status.ACKNOWLEDGED, Status.IN_PROGRESS},
    "start": {Status.ACKNOWLEDGED},
    "hand_off": {Status.ACKNOWLEDGED, Status.IN_PROGRESS},
    "resolve": {Status.ACKNOWLEDGED, Status.IN_PROGRESS},
    "confirm": {Status.RESOLVED},
    "note": {Status.NEW, Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.RESOLVED},
    "escalate": set(OPEN_STATUSES),
}


def _check(request: HelpRequest, action: str) -> None:
    if request.status not in ALLOWED_FROM[action]:
        raise IllegalTransition(request.status, action)


def _event(request, actor, kind, text=None, visible=False, partner=None, now=None) -> HelpEvent:
    event = HelpEvent(
        request=request,
        actor_id=actor.id if actor else None,
        kind=kind,
        text=text,
        visible=visible,
        partner_id=partner.id if partner else None,
        at=now or utcnow(),
    )
    db.session.add(event)
    return event


def _tell_family(request: HelpRequest, kind: str = "help.status", *, urgent: bool = False) -> None:
    """Queue a notification for the resident and each linked family member; urgent ones reach
    the family at once on every channel they have."""
    family_ids = family_ids_of(request.resident_id)
    params = {
        "resident_id": request.resident_id,
        "reference": request.reference,
        "category": request.category,
        "status": request.status,
        "resident": request.resident.name,
    }
    if request.partner_id:
        params["partner"] = request.partner.name
    notify(request.resident_id, kind, **params)
    for person_id in family_ids:
        notify(person_id, kind, urgent=urgent, **params)


# Telling staff ----------------------------------------------------------------------------------


def _on_duty(request: HelpRequest, now: datetime) -> list[int]:
    """Who is told of a new request: the grid's workers whose grants hold today (a backup in
    their days), and its volunteers for errands and company; not those away today, and never
    whoever raised it."""
    roles = [Role.GRID_WORKER]
    if request.category in VOLUNTEER_CATEGORIES:
        roles.append(Role.VOLUNTEER)
    today = request.resident.today(now)
    query = (
        select(RoleGrant.person_id)
        .join(Person, Person.id == RoleGrant.person_id)
        .where(
            RoleGrant.grid_id == request.grid_id,
            RoleGrant.role.in_(roles),
            RoleGrant.in_force_on(today),
            Person.active.is_(True),
            or_(Person.away_until.is_(None), Person.away_until < today),
            Person.id != request.raised_by_id,
        )
        .distinct()
        .order_by(RoleGrant.person_id)
    )
    return list(db.session.scalars(query))


def _officers(level: Level, community_ids: set[int]) -> dict[int | None, list[int]]:
    """The admins a request reaching level is passed to: {community id: person ids} for the
    community level, {None: person ids} of the street office's admins for the street level."""
    query = (
        select(Person.community_id, Person.id)
        .join(RoleGrant, RoleGrant.person_id == Person.id)
        .where(RoleGrant.role == Role.ADMIN, Person.active.is_(True))
        .distinct()
        .order_by(Person.id)
    )
    if level == Level.COMMUNITY:
        query = query.where(Person.community_id.in_(community_ids))
    else:
        query = query.where(Person.community_id.is_(None))
    found: dict[int | None, list[int]] = {}
    for community_id, person_id in db.session.execute(query):
        found.setdefault(community_id, []).append(person_id)
    return found


def _staff_words(
    request_id: int, category: str, resident: str, building: str | None, room: str | None
) -> dict:
    """What a staff message about a request says: what, whose, where; and which it opens."""
    return {
        "request_id": request_id,
        "reference": HelpRequest.reference_of(request_id),
        "category": category,
        "resident": resident,
        "building": building or "",
        "room": room or "",
    }


def _staff_params(request: HelpRequest) -> dict:
    resident = request.resident
    building = resident.building.name if resident.building else None
    return _staff_words(request.id, request.category, resident.name, building, resident.room)


def _alert_staff(request: HelpRequest, now: datetime) -> None:
    """Tell the grid's people on duty of a new request, at once when it is urgent; when nobody
    is (all away, no backup), the community's admins instead."""
    params = _staff_params(request)
    kind = "help.urgent" if request.urgent else "help.new"
    told = _on_duty(request, now)
    if not told:
        told = _officers(Level.COMMUNITY, {request.community_id}).get(request.community_id, [])
    for person_id in told:
        # A busy morning's requests that can wait reach each worker as one message, not thirty.
        batch = None if request.urgent else "help.new"
        notify(person_id, kind, urgent=request.urgent, batch=batch, **params)


def _tell_level(request: HelpRequest) -> None:
    """Tell the admins of the level a request has just reached."""
    params = _staff_params(request)
    for person_ids in _officers(Level(request.level), {request.community_id}).values():
        for person_id in person_ids:
            notify(
                person_id, "help.escalated", urgent=request.urgent, level=request.level, **params
            )


def _tell_taken(request: HelpRequest, worker: Person, now: datetime) -> None:
    """Tell the others who were told of the request that worker has it, so their phones stop."""
    told = set(_on_duty(request, now))
    if not told or request.level >= Level.COMMUNITY:
        for level in range(Level.COMMUNITY, max(request.level, Level.COMMUNITY) + 1):
            for person_ids in _officers(Level(level), {request.community_id}).values():
                told.update(person_ids)
    told.discard(worker.id)
    params = {**_staff_params(request), "holder": worker.name}
    for person_id in sorted(told):
        notify(person_id, "help.taken", urgent=request.urgent, **params)


# Raising a request ------------------------------------------------------------------------------


def raise_request(
    resident: Person,
    category: str,
    raised_by: Person,
    *,
    now: datetime | None = None,
    timers: Timers = Timers(),
    note: str | None = None,
    service: HelpService | None = None,
    answers: list[dict] | None = None,
    api_key=None,
    same_as: str | None = None,
    with_it: Callable[[HelpRequest], None] | None = None,
) -> tuple[HelpRequest, bool]:
    """Create and commit a request, or return the one this resident made for the same service
    (or category) within the last few minutes. Returns (request, created). A service of the
    resident's community's catalogue gives the category, keeps the answers to its questions, and
    goes straight to its partner when a partner handles it (the grid worker still holds it).

    A feature that asks for something more particular than a service names it in same_as (at
    most 30 characters): a double tap finds the request asked for the same thing. with_it(request)
    adds what the feature keeps with a new request, committed in the same transaction.

    Raises UnknownCategory, NoGrid, NotAllowed (raised_by may not act for resident) or
    TooManyRequests (more than timers.per_hour in the last hour; an urgent request, such as
    "I feel unwell", is never refused for that). api_key: the partner application's key it came
    through, by the open API.
    """
    if service is not None:
        category = service.category
    if category not in {c.value for c in Category}:
        raise UnknownCategory(category)
    if not may_act_for(raised_by, resident):
        raise NotAllowed()
    return _create(
        resident,
        category,
        raised_by,
        now=now or utcnow(),
        timers=timers,
        note=note,
        service=service,
        answers=answers,
        source=Source.APP if api_key is not None else Source.TAP,
        api_key=api_key,
        same_as=same_as,
        with_it=with_it,
    )


def raise_for(
    resident: Person,
    category: str,
    staff: Person,
    channel: Source,
    *,
    now: datetime | None = None,
    timers: Timers = Timers(),
    note: str | None = None,
) -> tuple[HelpRequest, bool]:
    """A request a resident without a device made through staff (channel: a phone call, a walk-in
    or a visit), raised by a grid worker of their grid or an admin of their community; recorded
    as theirs, so that the resident and family read who raised it and how. Otherwise as
    raise_request(); raises NotAllowed for staff who do not serve the resident."""
    if category not in {c.value for c in Category}:
        raise UnknownCategory(category)
    if channel not in STAFF_CHANNELS or not serves(staff, resident):
        raise NotAllowed()
    return _create(
        resident,
        category,
        staff,
        now=now or utcnow(),
        timers=timers,
        note=note,
        source=channel,
        limit=False,
    )


def raise_alert(
    resident: Person,
    category: str,
    raised_by: Person,
    *,
    now: datetime | None = None,
    timers: Timers = Timers(),
    note: str | None = None,
    source: Source,
) -> tuple[HelpRequest, bool]:
    """Raise a request about resident that the portal itself decided on, e.g. a welfare check
    after a delivery nobody answered (source says which); raised_by is whoever saw the sign.
    Otherwise as raise_request(), but never refused for the number of requests made lately."""
    if category not in {c.value for c in Category}:
        raise UnknownCategory(category)
    return _create(
        resident,
        category,
        raised_by,
        now=now or utcnow(),
        timers=timers,
        note=note,
        source=source,
        limit=False,
    )


def _create(
    resident,
    category,
    raised_by,
    *,
    now,
    timers,
    note,
    source=Source.TAP,
    limit=True,
    service=None,
    answers=None,
    api_key=None,
    same_as=None,
    with_it=None,
) -> tuple[HelpRequest, bool]:
    if resident.building is None:
        raise NoGrid()
    grid = resident.building.grid
    if service is not None and service.community_id != grid.community_id:
        raise NotAllowed()
    key = HelpRequest.key_for(
        resident.id, same_as or (service.code if service is not None else category)
    )
    # A key older than the dedupe window no longer holds: release it so a new request can take it.
    db.session.execute(
        update(HelpRequest)
        .where(HelpRequest.dedupe_key == key, HelpRequest.created_at < now - timers.dedupe)
        .values(dedupe_key=None)
    )
    existing = db.session.scalar(select(HelpRequest).where(HelpRequest.dedupe_key == key))
    if existing is not None:
        db.session.commit()
        return existing, False
    recent = db.session.scalar(
        select(func.count())
        .select_from(HelpRequest)
        .where(
            HelpRequest.resident_id == resident.id,
            HelpRequest.created_at >= now - timedelta(hours=1),
        )
    )
    if limit and category not in URGENT_CATEGORIES and recent >= timers.per_hour:
        db.session.rollback()
        raise TooManyRequests()
    request = HelpRequest(
        resident_id=resident.id,
        raised_by_id=raised_by.id,
        category=category,
        source=source,
        urgent=category in URGENT_CATEGORIES,
        status=Status.NEW,
        level=Level.GRID,
        grid_id=grid.id,
        community_id=grid.community_id,
        dedupe_key=key,
        note=(note or "").strip()[:NOTE_MAX_LENGTH] or None,
        service_id=service.id if service is not None else None,
        answers=answers or None,
        api_key_id=api_key.id if api_key is not None else None,
        created_at=now,
        updated_at=now,
    )
    db.session.add(request)
    try:
        db.session.flush()
    except IntegrityError:
        # Another tap inserted the same key a moment ago: that one is the request.
        db.session.rollback()
        return db.session.scalar(select(HelpRequest).where(HelpRequest.dedupe_key == key)), False
    _event(request, raised_by, "created", text=request.note, visible=True, now=now)
    if with_it is not None:
        with_it(request)
    _route(request, service, now)
    _tell_family(request, urgent=request.urgent)
    _alert_staff(request, now)
    db.session.commit()
    return request, True


def _route(request: HelpRequest, service: HelpService | None, now: datetime) -> None:
    """A service a partner handles goes straight to it, held by the grid's worker, who owns the
    outcome; with no worker to hold it, it waits in the queue as any request does."""
    partner = service.partner if service is not None else None
    if service is None or service.handler != Handler.PARTNER or partner is None:
        return
    if not partner.serves(request.community_id):
        return
    worker = first_worker(request)
    if worker is None:
        return
    request.holder_id, request.acknowledged_at = worker.id, now
    _give_to(request, partner, now)
    _event(request, None, "routed", visible=True, partner=partner, now=now)
    _tell_partner(request, partner, worker)


def add_resident_note(request: HelpRequest, author: Person, text: str) -> HelpRequest:
    """The resident or their family adds words to their own request (typed or spoken)."""
    if not may_act_for(author, request.resident):
        raise NotAllowed()
    _check(request, "note")
    text = text.strip()[:NOTE_MAX_LENGTH]
    request.note = f"{request.note}\n{text}" if request.note else text
    _event(request, author, "note", text=text, visible=True)
    db.session.commit()
    return request


# Who may do what -------------------------------------------------------------------------------


def _grid_ids(person: Person, role: Role) -> set[int]:
    return {g.grid_id for g in person.grants_in_force() if g.role == role and g.grid_id}


def _street_of(community_id: int) -> int | None:
    return db.session.scalar(select(Community.street_office_id).where(Community.id == community_id))


def record_read(reader: Person, request: HelpRequest) -> None:
    """Audit that staff read the request: what a resident asks for tells of their health and
    care. Commits."""
    audit.record(reader, "help.read", request.resident, request=request.reference)
    db.session.commit()


def can_see(person: Person, request: HelpRequest) -> bool:
    """Workers of the request's grid, volunteers of that grid for errands and company, community
    admins once it reached the community, street admins once it reached the street."""
    if request.grid_id in _grid_ids(person, Role.GRID_WORKER):
        return True
    if request.category in VOLUNTEER_CATEGORIES and request.grid_id in _grid_ids(
        person, Role.VOLUNTEER
    ):
        return True
    if person.has_role(Role.ADMIN) and person.community_id:
        if person.community_id == request.community_id:
            return True
        if request.level >= Level.STREET:
            return _street_of(person.community_id) == _street_of(request.community_id)
    return False


def is_volunteer_view(person: Person, request: HelpRequest) -> bool:
    """True when person sees the request only as a volunteer: no care colour, no health notes."""
    return not (
        request.grid_id in _grid_ids(person, Role.GRID_WORKER) or person.has_role(Role.ADMIN)
    )


def _require(person: Person, request: HelpRequest) -> None:
    if not can_see(person, request):
        raise NotAllowed()


# The state machine ------------------------------------------------------------------------------


def take(request: HelpRequest, worker: Person, now: datetime | None = None) -> HelpRequest:
    """Acknowledge a new request for worker. Two workers racing: exactly one wins; the other gets
    AlreadyTaken naming the winner."""
    now = now or utcnow()
    if not may_take(worker, request):
        raise NotAllowed()
    if request.holder_id and request.holder_id != worker.id:
        raise AlreadyTaken(request.holder)
    _check(request, "take")
    claimed = db.session.execute(
        update(HelpRequest)
        .where(
            HelpRequest.id == request.id,
            HelpRequest.holder_id.is_(None),
            HelpRequest.status == Status.NEW,
        )
        .values(
            holder_id=worker.id,
            status=Status.ACKNOWLEDGED,
            acknowledged_at=func.coalesce(HelpRequest.acknowledged_at, now),
            updated_at=now,
        )
    ).rowcount
    if claimed != 1:
        db.session.rollback()
        db.session.refresh(request)
        raise AlreadyTaken(request.holder)
    db.session.refresh(request)
    _event(request, worker, "taken", visible=True, now=now)
    _tell_family(request)
    if request.urgent or request.level > Level.GRID:
        _tell_taken(request, worker, now)
    db.session.commit()
    return request


def untake(request: HelpRequest, worker: Person) -> HelpRequest:
    """Give a request back to the queue; only its holder may."""
    _check(request, "untake")
    if request.holder_id != worker.id:
        raise NotAllowed()
    request.holder_id = None
    request.status = Status.NEW
    _event(request, worker, "released")
    _tell_family(request)
    db.session.commit()
    return request


def _holder_action(request: HelpRequest, person: Person, action: str) -> None:
    _require(person, request)
    _check(request, action)
    if request.holder_id != person.id:
        raise NotAllowed()


def start(request: HelpRequest, worker: Person) -> HelpRequest:
    _holder_action(request, worker, "start")
    request.status = Status.IN_PROGRESS
    _event(request, worker, "started", visible=True)
    _tell_family(request)
    db.session.commit()
    return request


def resolve(request: HelpRequest, worker: Person, what_was_done: str) -> HelpRequest:
    _holder_action(request, worker, "resolve")
    request.status = Status.RESOLVED
    request.resolved_at = utcnow()
    _event(request, worker, "resolved", text=what_was_done.strip(), visible=True)
    audit.record(worker, "help.resolved", request.resident, request=request.reference)
    _tell_family(request)
    db.session.commit()
    seams.request_resolved.send(request, by=worker, now=request.resolved_at)
    return request


def add_note(request: HelpRequest, worker: Person, text: str, visible: bool) -> HelpRequest:
    """A worker's note: internal, or visible to the resident and family."""
    _require(worker, request)
    _check(request, "note")
    _event(request, worker, "note", text=text.strip()[:NOTE_MAX_LENGTH], visible=visible)
    if visible:
        _tell_family(request, "help.note")
    db.session.commit()
    return request


def confirm(request: HelpRequest, person: Person, fixed: bool) -> HelpRequest:
    """The resident or family says "fixed" (closes it) or "not fixed" (reopens it to its holder,
    not to a partner that did the job)."""
    if not may_act_for(person, request.resident):
        raise NotAllowed()
    _check(request, "confirm")
    if fixed:
        request.status = Status.CLOSED
        request.closed_at = utcnow()
        request.feedback = Feedback.FIXED
    else:
        request.status = Status.ACKNOWLEDGED if request.holder_id else Status.NEW
        request.resolved_at = None
        # Back to its holder, who may hand it to the partner again or to another.
        request.partner, request.handed_at, request.accepted_at = None, None, None
        request.feedback = Feedback.NOT_FIXED
        request.reopened += 1
    _event(request, person, "confirmed" if fixed else "reopened", visible=True)
    _tell_family(request)
    db.session.commit()
    return request


def escalate(request: HelpRequest, worker: Person, reason: str) -> HelpRequest:
    """Send a request one level up by hand, with the reason."""
    _require(worker, request)
    _check(request, "escalate")
    if request.level >= Level.STREET:
        raise IllegalTransition(request.status, "escalate")
    request.level += 1
    _event(request, worker, "escalated", text=reason.strip())
    audit.record(worker, "help.escalated", request.resident, request=request.reference)
    _tell_level(request)
    db.session.commit()
    return request


# Timers -----------------------------------------------------------------------------------------


def _overdue(since: datetime, urgent_limit: timedelta, normal_limit: timedelta, now: datetime):
    """A SQL condition: `since` is older than the limit that applies to the request's urgency."""
    return or_(
        and_(HelpRequest.urgent.is_(True), since < now - urgent_limit),
        and_(HelpRequest.urgent.is_(False), since < now - normal_limit),
    )


def _scope(grid_ids=None, community_ids=None) -> list:
    scope = []
    if grid_ids is not None:
        scope.append(HelpRequest.grid_id.in_(grid_ids))
    if community_ids is not None:
        scope.append(HelpRequest.community_id.in_(community_ids))
    return scope


def _timer_rules(now: datetime, timers: Timers) -> dict[str, tuple[list, dict, str]]:
    """Each timer as (which requests are due, what to set on them, the history event's kind)."""
    return {
        "community": (
            [
                HelpRequest.level < Level.COMMUNITY,
                HelpRequest.status == Status.NEW,
                _overdue(HelpRequest.created_at, timers.ack_urgent, timers.ack_normal, now),
            ],
            {"level": Level.COMMUNITY},
            "escalated",
        ),
        "street": (
            [
                HelpRequest.level < Level.STREET,
                HelpRequest.status.in_(OPEN_STATUSES),
                _overdue(HelpRequest.created_at, timers.resolve_urgent, timers.resolve_normal, now),
            ],
            {"level": Level.STREET},
            "escalated",
        ),
        "closed": (
            [
                HelpRequest.status == Status.RESOLVED,
                HelpRequest.resolved_at < now - timers.auto_close,
            ],
            {"status": Status.CLOSED, "closed_at": now, "feedback": Feedback.NO_ANSWER},
            "auto_closed",
        ),
    }


def _anything_due(now: datetime, timers: Timers, scope: list):
    """A SQL condition: some request in scope is due for one of the timers."""
    rules = _timer_rules(now, timers).values()
    # Every timer is about a request still in a queue; saying so lets the (grid, status) index
    # find the few candidates instead of the grid's whole history.
    return exists().where(
        HelpRequest.status.in_(QUEUE_STATUSES),
        or_(*(and_(*conditions) for conditions, _, _ in rules)),
        *scope,
    )


def _tell_levels_reached(due, to_street, scope: list, now: datetime) -> None:
    """Tell the admins of the level each due request is about to reach, in one insert."""
    reached = case((to_street, Level.STREET), else_=Level.COMMUNITY)
    query = (
        select(
            HelpRequest.id,
            HelpRequest.community_id,
            HelpRequest.category,
            HelpRequest.urgent,
            reached,
            Person.name,
            Person.room,
            Building.name,
        )
        .join(Person, Person.id == HelpRequest.resident_id)
        .outerjoin(Building, Building.id == Person.building_id)
        .where(due, *scope)
    )
    rows = db.session.execute(query).all()
    officers = {
        level: _officers(level, {row.community_id for row in rows})
        for level in (Level.COMMUNITY, Level.STREET)
    }
    messages = []
    for request_id, community_id, category, urgent, level, resident, room, building in rows:
        level = Level(level)
        params = {
            **_staff_words(request_id, category, resident, building, room),
            "level": int(level),
        }
        key = community_id if level == Level.COMMUNITY else None
        messages += [
            notification_row(person_id, "help.escalated", params, urgent=urgent, now=now)
            for person_id in officers[level].get(key, [])
        ]
    notify_many(messages)


def escalate_overdue(
    now: datetime | None = None, timers: Timers = Timers(), grid_ids=None, community_ids=None
) -> dict[str, int]:
    """Apply every timer in bulk: unacknowledged → community, unresolved → street, resolved and
    unconfirmed → closed. Limited to some grids or communities when given. Idempotent, and copies
    running at once take turns, each finding what the last one did; returns counts.

    A handful of set-based statements whatever the number of requests: each timer's history
    events are written from the requests it finds due, then those requests change, a request due
    for both escalations going up both levels in one update, as if the timers ran in turn."""
    now = now or utcnow()
    hold_until_commit("help.escalate")
    scope = _scope(grid_ids, community_ids)
    rules = _timer_rules(now, timers)
    counts = {}
    for name, (conditions, _values, kind) in rules.items():
        due = and_(*conditions, *scope)
        counts[name] = db.session.scalar(select(func.count()).where(due)) or 0
        if counts[name]:
            events = select(HelpRequest.id, literal(kind), false(), literal(now)).where(due)
            db.session.execute(
                insert(HelpEvent).from_select(["request_id", "kind", "visible", "at"], events)
            )
    to_community, to_street = (and_(*rules[name][0]) for name in ("community", "street"))
    if counts["community"] + counts["street"]:
        _tell_levels_reached(or_(to_community, to_street), to_street, scope, now)
    for changed, where, values in (
        (
            counts["community"] + counts["street"],
            or_(to_community, to_street),
            {"level": case((to_street, Level.STREET), else_=Level.COMMUNITY)},
        ),
        (counts["closed"], and_(*rules["closed"][0]), rules["closed"][1]),
    ):
        if changed:
            db.session.execute(
                update(HelpRequest)
                .where(where, *scope)
                .values(**values, updated_at=now)
                .execution_options(synchronize_session=False)
            )
    db.session.commit()
    return counts


# Reading ----------------------------------------------------------------------------------------


def get(request_id: int) -> HelpRequest | None:
    """The request with the people and partner its page names, and its history with each
    event's actor, read in two queries."""
    query = (
        select(HelpRequest)
        .where(HelpRequest.id == request_id)
        .options(
            db.joinedload(HelpRequest.resident).joinedload(Person.building),
            db.joinedload(HelpRequest.raised_by),
            db.joinedload(HelpRequest.holder),
            db.joinedload(HelpRequest.partner),
            db.joinedload(HelpRequest.service),
            db.joinedload(HelpRequest.grid),
            db.selectinload(HelpRequest.events).options(
                db.joinedload(HelpEvent.actor), db.joinedload(HelpEvent.partner)
            ),
        )
    )
    return db.session.scalars(query).first()


# Partners -----------------------------------------------------------------------------------------
#
# The grid worker who holds a request hands it to a partner of its community (物业, 水务, a clinic).
# The partner's people accept it or decline it with a reason, note their progress, hand it on to
# another partner, and resolve it; the holder keeps it and is told of each step. A partner that
# does not accept in the community's time gives it back with a warning (`return_unaccepted`).


class NotPartnerWork(HelpError):
    """The request is no longer with the person's partner: declined, handed on or taken back."""


def hand_off(
    request: HelpRequest, worker: Person, partner: Partner, note: str, now: datetime | None = None
) -> HelpRequest:
    """Pass the job to a partner of the request's community, saying what they should do; the
    partner's people are told what, where and whom to call."""
    _holder_action(request, worker, "hand_off")
    if not partner.serves(request.community_id):
        raise NotAllowed()
    now = now or utcnow()
    _give_to(request, partner, now)
    _event(request, worker, "handed_off", text=note.strip(), visible=True, partner=partner, now=now)
    audit.record(worker, "help.handed_off", request.resident, request=request.reference)
    _tell_family(request)
    _tell_partner(request, partner, worker)
    db.session.commit()
    return request


def _give_to(request: HelpRequest, partner: Partner, now: datetime) -> None:
    request.partner_id = partner.id
    request.partner = partner
    request.status = Status.IN_PROGRESS
    request.handed_at, request.accepted_at, request.returned_at = now, None, None


def _tell_partner(request: HelpRequest, partner: Partner, sender: Person) -> None:
    resident = request.resident
    holder = request.holder or sender
    params = {
        **_staff_params(request),
        "phone": resident.phone or resident.landline or "",
        "worker": holder.name,
        "worker_phone": holder.phone or "",
    }
    for person_id in people_of_partner(partner.id):
        notify(person_id, "help.handed_to_partner", urgent=request.urgent, **params)


def _tell_holder(request: HelpRequest, what: str, partner: Partner, **words) -> None:
    """Tell the request's holder what a partner did with it; nobody holds it → the grid's
    workers on duty."""
    told = [request.holder_id] if request.holder_id else _on_duty(request, utcnow())
    params = {**_staff_params(request), "what": what, "partner": partner.name, **words}
    warning = what in ("declined", "lapsed")
    for person_id in told:
        notify(person_id, "help.partner_news", urgent=warning and request.urgent, **params)


def _with_own_partner(request: HelpRequest, person: Person) -> bool:
    """Whether the request is with a partner person acts for."""
    return request.partner_id is not None and request.partner_id in partner_ids_of(person)


def _partner_step(
    request: HelpRequest, person: Person, accepted: bool, values: dict, now: datetime
) -> Partner:
    """Change the request for the partner person acts for, if it is still with that partner and
    accepted (or not) as the step needs; two of its people acting at once: one step happens."""
    if not _with_own_partner(request, person):
        raise NotPartnerWork()
    partner_id = request.partner_id
    accepted_now = (
        HelpRequest.accepted_at.isnot(None) if accepted else HelpRequest.accepted_at.is_(None)
    )
    changed = db.session.execute(
        update(HelpRequest)
        .where(
            HelpRequest.id == request.id,
            HelpRequest.partner_id == partner_id,
            HelpRequest.status == Status.IN_PROGRESS,
            accepted_now,
        )
        .values(**values, updated_at=now)
    ).rowcount
    if changed != 1:
        db.session.rollback()
        db.session.refresh(request)
        raise NotPartnerWork()
    partner = db.session.get(Partner, partner_id)
    db.session.refresh(request)
    return partner


def accept(request: HelpRequest, person: Person, now: datetime | None = None) -> HelpRequest:
    """person's partner takes on the request; the resident reads that it is on its way. Accepting
    again (a double tap, a colleague a moment before) changes nothing."""
    now = now or utcnow()
    if _with_own_partner(request, person) and request.accepted_at is not None:
        return request
    try:
        partner = _partner_step(request, person, False, {"accepted_at": now}, now)
    except NotPartnerWork:
        # _partner_step has read the request again: a colleague may have accepted it.
        if _with_own_partner(request, person) and request.accepted_at is not None:
            return request
        raise
    _event(request, person, "partner_accepted", visible=True, partner=partner, now=now)
    _tell_family(request, "help.partner_accepted")
    db.session.commit()
    return request


def decline(
    request: HelpRequest, person: Person, reason: str, now: datetime | None = None
) -> HelpRequest:
    """person's partner will not do it, and says why: the request goes back to its holder with a
    warning."""
    now = now or utcnow()
    values = {"partner_id": None, "handed_at": None, "returned_at": now}
    partner = _partner_step(request, person, False, values, now)
    _event(request, person, "partner_declined", text=reason.strip(), partner=partner, now=now)
    _tell_holder(request, "declined", partner, reason=reason.strip())
    db.session.commit()
    return request


def add_partner_note(
    request: HelpRequest, person: Person, text: str, visible: bool, now: datetime | None = None
) -> HelpRequest:
    """A note from the partner's people: visible to the resident and family, or internal to the
    partners and the grid."""
    now = now or utcnow()
    if not _with_own_partner(request, person):
        raise NotPartnerWork()
    _check(request, "note")
    partner = request.partner
    _event(
        request,
        person,
        "note",
        text=text.strip()[:NOTE_MAX_LENGTH],
        visible=visible,
        partner=partner,
        now=now,
    )
    if visible:
        _tell_family(request, "help.note")
    db.session.commit()
    return request


def hand_on(
    request: HelpRequest, person: Person, to: Partner, note: str, now: datetime | None = None
) -> HelpRequest:
    """person's partner found it is another's job (the property company finds the water pressure
    low and hands it to the water company): the other partner's people are told, and the holder."""
    now = now or utcnow()
    if not to.serves(request.community_id) or to.id == request.partner_id:
        raise NotAllowed()
    values = {"partner_id": to.id, "handed_at": now, "accepted_at": None, "returned_at": None}
    partner = _partner_step(request, person, True, values, now)
    _event(request, person, "handed_on", text=note.strip(), visible=True, partner=to, now=now)
    audit.record(person, "help.handed_off", request.resident, request=request.reference)
    _tell_family(request)
    _tell_partner(request, to, person)
    _tell_holder(request, "handed_on", partner, to=to.name)
    db.session.commit()
    return request


def resolve_as_partner(
    request: HelpRequest, person: Person, what_was_done: str, now: datetime | None = None
) -> HelpRequest:
    """person's partner did the job: the resident is asked whether it is fixed, as when the
    holder resolves it, and the holder is told."""
    now = now or utcnow()
    values = {"status": Status.RESOLVED, "resolved_at": now}
    partner = _partner_step(request, person, True, values, now)
    _event(
        request,
        person,
        "resolved",
        text=what_was_done.strip(),
        visible=True,
        partner=partner,
        now=now,
    )
    audit.record(person, "help.resolved", request.resident, request=request.reference)
    _tell_family(request)
    _tell_holder(request, "resolved", partner)
    db.session.commit()
    seams.request_resolved.send(request, by=person, now=now)
    return request


def settings_of(community_id: int) -> HelpSettings:
    """The community's choices, or the defaults while it has made none."""
    return db.session.get(HelpSettings, community_id) or HelpSettings(
        community_id=community_id,
        partner_accept_minutes=HelpSettings.DEFAULT_MINUTES,
        partner_accept_minutes_urgent=HelpSettings.DEFAULT_MINUTES_URGENT,
    )


def save_settings(admin: Person, community_id: int, minutes: int, urgent_minutes: int) -> None:
    """Set how long a partner has to accept a request (normal, urgent). Audited; commits."""
    settings = db.session.get(HelpSettings, community_id)
    if settings is None:
        settings = HelpSettings(community_id=community_id)
        db.session.add(settings)
    settings.partner_accept_minutes = minutes
    settings.partner_accept_minutes_urgent = urgent_minutes
    audit.record(admin, "help.settings", minutes=minutes, urgent_minutes=urgent_minutes)
    db.session.commit()


def _accept_limits() -> tuple[dict[int, tuple[int, int]], tuple[int, int]]:
    """Each community's minutes to accept (normal, urgent) that chose them, and the defaults."""
    chosen = {
        row.community_id: (row.partner_accept_minutes, row.partner_accept_minutes_urgent)
        for row in db.session.scalars(select(HelpSettings))
    }
    return chosen, (HelpSettings.DEFAULT_MINUTES, HelpSettings.DEFAULT_MINUTES_URGENT)


def return_unaccepted(now: datetime | None = None) -> int:
    """Give each request its partner has not accepted within its community's time back to its
    holder, with a warning. Idempotent; a partner accepting at the same moment keeps it."""
    now = now or utcnow()
    chosen, default = _accept_limits()
    shortest = min(minutes for pair in [default, *chosen.values()] for minutes in pair)
    candidates = db.session.scalars(
        select(HelpRequest)
        .where(
            HelpRequest.status == Status.IN_PROGRESS,
            HelpRequest.partner_id.isnot(None),
            HelpRequest.accepted_at.is_(None),
            HelpRequest.handed_at < now - timedelta(minutes=shortest),
        )
        .options(db.joinedload(HelpRequest.partner))
    ).all()
    returned = 0
    for request in candidates:
        normal, urgent = chosen.get(request.community_id, default)
        if request.handed_at >= now - timedelta(minutes=urgent if request.urgent else normal):
            continue
        partner = request.partner
        lapsed = db.session.execute(
            update(HelpRequest)
            .where(
                HelpRequest.id == request.id,
                HelpRequest.partner_id == partner.id,
                HelpRequest.accepted_at.is_(None),
            )
            .values(partner_id=None, handed_at=None, returned_at=now, updated_at=now)
        ).rowcount
        if lapsed != 1:
            continue
        db.session.refresh(request)
        _event(request, None, "partner_lapsed", partner=partner, now=now)
        _tell_holder(request, "lapsed", partner)
        returned += 1
    db.session.commit()
    return returned


# A partner's desk ---------------------------------------------------------------------------------

PARTNER_PAGE = 30


def handed_to(person: Person, page: int = 1) -> Pagination:
    """The requests handed to the partners person acts for, the open ones first, urgent and
    newest first."""
    query = (
        select(HelpRequest)
        .where(HelpRequest.partner_id.in_(partner_ids_of(person) or {0}))
        .order_by(
            case((HelpRequest.status.in_(OPEN_STATUSES), 0), else_=1),
            HelpRequest.urgent.desc(),
            HelpRequest.updated_at.desc(),
            HelpRequest.id.desc(),
        )
        .options(db.joinedload(HelpRequest.resident).joinedload(Person.building))
    )
    return page_of(query, page, PARTNER_PAGE)


def partner_notes(request: HelpRequest) -> list[HelpEvent]:
    """What a partner's people read of a request's history: what the resident and family may
    read, and what partners wrote or were told; never the grid's own internal notes."""
    return [
        event
        for event in request.events
        if event.text and (event.visible or event.partner_id is not None)
    ]


def handed_request(person: Person, request_id: int) -> HelpRequest | None:
    """The request, if it was handed to a partner person acts for."""
    found = get(request_id)
    return found if found is not None and _with_own_partner(found, person) else None


def _requests_of(resident: Person):
    return (
        select(HelpRequest)
        .where(HelpRequest.resident_id == resident.id)
        .order_by(
            case((HelpRequest.status.in_(OPEN_STATUSES + (Status.RESOLVED,)), 0), else_=1),
            HelpRequest.id.desc(),
        )
        .options(
            db.selectinload(HelpRequest.events).joinedload(HelpEvent.actor),
            db.joinedload(HelpRequest.holder),
            db.joinedload(HelpRequest.partner),
            db.joinedload(HelpRequest.service),
        )
    )


def requests_of(resident: Person, limit: int = 30) -> list[HelpRequest]:
    """A resident's latest requests, open ones first, newest first."""
    return list(db.session.scalars(_requests_of(resident).limit(limit)))


MY_REQUESTS_PAGE = 20


def requests_page(resident: Person, page: int = 1, per_page: int = MY_REQUESTS_PAGE) -> Pagination:
    """One page of a resident's requests, open ones first, newest first, with how many."""
    return page_of(_requests_of(resident), page, per_page)


QUEUE_STATUSES = (*OPEN_STATUSES, Status.RESOLVED)


def _queue_order():
    return (HelpRequest.urgent.desc(), HelpRequest.created_at, HelpRequest.id)


def _queue_filter(person: Person):
    """Which requests person's queue holds: their grids' requests (volunteers: errands and company
    only), plus what escalated to their community or street if they are an admin."""
    clauses = []
    worker_grids = _grid_ids(person, Role.GRID_WORKER)
    if worker_grids:
        clauses.append(HelpRequest.grid_id.in_(worker_grids))
    volunteer_grids = _grid_ids(person, Role.VOLUNTEER) - worker_grids
    if volunteer_grids:
        clauses.append(
            and_(
                HelpRequest.grid_id.in_(volunteer_grids),
                HelpRequest.category.in_(list(VOLUNTEER_CATEGORIES)),
            )
        )
    if person.has_role(Role.ADMIN) and person.community_id:
        clauses.append(
            and_(
                HelpRequest.community_id == person.community_id,
                HelpRequest.level >= Level.COMMUNITY,
            )
        )
        street_communities = select(Community.id).where(
            Community.street_office_id
            == select(Community.street_office_id)
            .where(Community.id == person.community_id)
            .scalar_subquery()
        )
        clauses.append(
            and_(
                HelpRequest.community_id.in_(street_communities),
                HelpRequest.level >= Level.STREET,
            )
        )
    return or_(*clauses) if clauses else None


class Shown(StrEnum):
    """Which part of a queue a person looks at."""

    ALL = "all"
    NOT_TAKEN = "not_taken"
    MINE = "mine"


def _shown(person: Person, shown: Shown):
    if shown == Shown.NOT_TAKEN:
        return HelpRequest.status == Status.NEW
    if shown == Shown.MINE:
        return HelpRequest.holder_id == person.id
    return true()


def queue(person: Person, shown: Shown = Shown.ALL) -> list[HelpRequest]:
    """The requests person should see now, most urgent and oldest first; shown narrows them to
    those nobody has taken, or to person's own."""
    condition = _queue_filter(person)
    if condition is None:
        return []
    query = (
        select(HelpRequest)
        .where(condition, HelpRequest.status.in_(QUEUE_STATUSES), _shown(person, shown))
        .order_by(*_queue_order())
        .options(
            db.joinedload(HelpRequest.resident).joinedload(Person.building),
            db.joinedload(HelpRequest.holder),
            db.joinedload(HelpRequest.grid).joinedload(Grid.community),
        )
    )
    return list(db.session.scalars(query).unique())


def day_requests(worker: Person) -> list[HelpRequest]:
    """The open requests of worker's queue that ask something of them today: those nobody has
    taken that they may take, and their own."""
    condition = _queue_filter(worker)
    if condition is None:
        return []
    query = (
        select(HelpRequest)
        .where(
            condition,
            HelpRequest.status.in_(OPEN_STATUSES),
            or_(HelpRequest.status == Status.NEW, HelpRequest.holder_id == worker.id),
        )
        .options(
            db.joinedload(HelpRequest.resident).joinedload(Person.building),
            db.joinedload(HelpRequest.grid).joinedload(Grid.community),
        )
    )
    found = db.session.scalars(query).unique()
    return [r for r in found if r.holder_id == worker.id or may_take(worker, r)]


def day_fingerprint(worker: Person) -> list:
    """Scalar subqueries that move whenever day_requests(worker) could: how many open requests
    the worker's queue holds, and when the latest of them changed."""
    condition = _queue_filter(worker)
    if condition is None:
        return []
    open_ = and_(condition, HelpRequest.status.in_(OPEN_STATUSES))
    return [
        select(func.count(HelpRequest.id)).where(open_).scalar_subquery(),
        select(func.max(HelpRequest.updated_at)).where(open_).scalar_subquery(),
    ]


CLOSED_PAGE = 50


def closed_page(person: Person, page: int = 1, per_page: int = CLOSED_PAGE) -> Pagination:
    """One page of the closed requests of person's queue, the latest closed first, with how many
    there are: what the grid has done."""
    condition = _queue_filter(person)
    query = (
        select(HelpRequest)
        .where(condition if condition is not None else false())
        .where(HelpRequest.status == Status.CLOSED)
        .order_by(HelpRequest.closed_at.desc(), HelpRequest.id.desc())
        .options(
            db.joinedload(HelpRequest.resident).joinedload(Person.building),
            db.joinedload(HelpRequest.holder),
            db.joinedload(HelpRequest.grid),
        )
    )
    return page_of(query, page, per_page)


def queue_counts(person: Person) -> dict[Shown, int]:
    """How many requests each part of person's queue holds, in one query."""
    condition = _queue_filter(person)
    if condition is None:
        return dict.fromkeys(Shown, 0)
    counted = [func.count(case((_shown(person, shown), 1))) for shown in Shown]
    row = db.session.execute(
        select(*counted).where(condition, HelpRequest.status.in_(QUEUE_STATUSES))
    ).one()
    return dict(zip(Shown, row, strict=True))


def _queue_state(person: Person, now: datetime, timers: Timers | None) -> tuple[str, bool]:
    """The queue's fingerprint and, with timers, whether one is due in its scope: one query."""
    condition = _queue_filter(person)
    if condition is None:
        return "empty", False
    query = select(func.count(), func.max(HelpRequest.updated_at)).where(
        condition, HelpRequest.status.in_(QUEUE_STATUSES)
    )
    if timers is None:
        count, latest = db.session.execute(query).one()
        due = False
    else:
        due_here = _anything_due(now, timers, _scope(**scope_of(person)))
        count, latest, due = db.session.execute(query.add_columns(due_here)).one()
    return f"{count}-{latest.isoformat() if latest else 0}", bool(due)


def queue_version(person: Person) -> str:
    """A cheap fingerprint of person's queue: it changes whenever any request in it changes."""
    return _queue_state(person, utcnow(), None)[0]


def escalate_queue(person: Person, now: datetime, timers: Timers) -> str:
    """The step every reading of a queue takes first: apply the timers that are due in person's
    queue (escalate, close), as `portal escalate` does for everyone, and return the queue's
    fingerprint afterwards. The query that computes the fingerprint also finds whether any timer
    is due, so a queue with nothing due costs one query."""
    version, due = _queue_state(person, now, timers)
    if due:
        escalate_overdue(now, timers, **scope_of(person))
        version, _ = _queue_state(person, now, None)
    return version


def get_partner(partner_id: int) -> Partner | None:
    return db.session.get(Partner, partner_id)


def grid_worker_grants(grid_id: int) -> list[RoleGrant]:
    """The grants of the grid's workers that hold today (a backup's only between its dates)."""
    day = db.session.get(Grid, grid_id).community.today()
    query = select(RoleGrant).where(
        RoleGrant.role == Role.GRID_WORKER,
        RoleGrant.grid_id == grid_id,
        RoleGrant.in_force_on(day),
    )
    return list(db.session.scalars(query))


def first_worker(request: HelpRequest) -> Person | None:
    """Whom the resident should expect to hear from: the holder, else the grid's first worker."""
    if request.holder is not None:
        return request.holder
    query = (
        select(Person)
        .join(RoleGrant, RoleGrant.person_id == Person.id)
        .where(
            RoleGrant.role == Role.GRID_WORKER,
            RoleGrant.grid_id == request.grid_id,
            RoleGrant.in_force_on(request.grid.community.today()),
        )
        .order_by(RoleGrant.starts_on.is_not(None), RoleGrant.id)
        .limit(1)
    )
    return db.session.scalar(query)


def may_take(person: Person, request: HelpRequest) -> bool:
    """Grid workers and admins who can see a request may take it; volunteers only errands and company."""
    if not can_see(person, request):
        return False
    if is_volunteer_view(person, request):
        return request.category in VOLUNTEER_CATEGORIES
    return True


def scope_of(person: Person) -> dict:
    """The grids and communities whose timers a person's queue page applies on reading."""
    grids = _grid_ids(person, Role.GRID_WORKER) | _grid_ids(person, Role.VOLUNTEER)
    communities = (
        {person.community_id} if person.has_role(Role.ADMIN) and person.community_id else set()
    )
    if communities:
        return {"community_ids": list(communities)}
    return {"grid_ids": list(grids)}


def move_grid(grid: Grid, into: Grid) -> int:
    """Move the requests of grid to the grid it is merged into, in the caller's transaction;
    return how many moved."""
    moved = db.session.execute(
        update(HelpRequest).where(HelpRequest.grid_id == grid.id).values(grid_id=into.id)
    )
    return moved.rowcount


def requests_in_grid(grid: Grid) -> int:
    return db.session.scalar(
        select(func.count()).select_from(HelpRequest).where(HelpRequest.grid_id == grid.id)
    )


def hand_back_all(person: Person, by: Person) -> int:
    """Give every open request person holds back to its grid's queue, in the caller's
    transaction (their account is being closed); return how many."""
    held = db.session.scalars(
        select(HelpRequest).where(
            HelpRequest.holder_id == person.id, HelpRequest.status.in_(OPEN_STATUSES)
        )
    ).all()
    for request in held:
        request.holder_id = None
        request.status = Status.NEW
        _event(request, by, "released")
        _tell_family(request)
    return len(held)


def export_of(resident: Person) -> list[dict]:
    """Every request resident made or that was made for them, with what they were told, for the
    copy of their data (notes internal to staff stay out)."""
    requests = db.session.scalars(
        select(HelpRequest)
        .where(HelpRequest.resident_id == resident.id)
        .order_by(HelpRequest.created_at)
        .options(db.selectinload(HelpRequest.events))
    )
    return [
        {
            "asked_at": request.created_at.isoformat(timespec="minutes"),
            "what": request.category,
            "how": request.source,
            "status": request.status,
            "notes": " | ".join(e.text for e in request.events if e.visible and e.text),
        }
        for request in requests
    ]
