"""Organiser rules for the activity calendar: venues, one-off events and weekly series (their
occurrences made ahead of time), skipping, moving and cancelling, clashes in a venue, capacity
never below the places taken, and the month's birthday party invitations.

Every change is written to the audit log and committed with it; a refused change leaves nothing
behind (the session is rolled back before the error is raised)."""

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, select, update

from portal.accounts.models import Person, Role, RoleGrant, administered_by
from portal.activities import services
from portal.activities.models import Event, Series, SignUp, SignUpStatus, Venue
from portal.audit import services as audit
from portal.community.models import Community
from portal.extensions import db
from portal.model_base import utcnow
from portal.web.paging import page_of

# Occurrences of a weekly series are made this far ahead; extend_series() makes the rest later.
HORIZON = timedelta(weeks=26)
VENUE_FIELDS = ("name", "capacity", "step_free", "hearing_loop")
EVENT_FIELDS = (
    "title_zh_hans",
    "title_zh_hant",
    "title_en",
    "description_zh_hans",
    "description_zh_hant",
    "description_en",
    "category",
    "venue_id",
    "signup_required",
    "access_notes",
)
ACTIVE = (SignUpStatus.GOING, SignUpStatus.WAITING)


class ScheduleError(Exception):
    """A change the calendar's rules refuse; views turn each kind into a clear message."""


class BadTimes(ScheduleError):
    """The end is not after the start."""


class BadDays(ScheduleError):
    """A weekly series whose last day comes before its first."""


class InPast(ScheduleError):
    """A new time that has already passed."""


class Closed(ScheduleError):
    """The event has started, has passed or was cancelled: it can no longer change."""


class UnknownVenue(ScheduleError):
    """The venue is not one of the community's (a tampered form)."""


class Clash(ScheduleError):
    """The venue is taken by another event at an overlapping time."""

    def __init__(self, other: Event):
        super().__init__(other.id)
        self.other = other


class BelowSignedUp(ScheduleError):
    """A capacity lower than the places already taken."""

    def __init__(self, going: int, day: date | None = None):
        super().__init__(going)
        self.going = going
        self.day = day


class OverVenue(ScheduleError):
    """A capacity larger than the venue holds."""

    def __init__(self, venue: Venue):
        super().__init__(venue.id)
        self.venue = venue


# Who organises what ----------------------------------------------------------------------------


def may_organise(person: Person, community_id: int) -> bool:
    """Admins organise the calendars of the communities they administer; organisers their own
    community's."""
    if person.administers(community_id):
        return True
    return person.has_role(Role.ORGANISER) and person.community_id == community_id


def organised_communities(person: Person) -> list[Community]:
    if person.has_role(Role.ADMIN):
        mine = administered_by(person, Community.id)
    else:
        mine = Community.id == person.community_id
    query = select(Community).where(mine).order_by(Community.name)
    return list(db.session.scalars(query))


def get_community(community_id: int) -> Community | None:
    return db.session.get(Community, community_id)


def organised(person: Person, model, object_id: int):
    """The venue, series or event with object_id if person organises its community, else None."""
    found = db.session.get(model, object_id)
    return found if found is not None and may_organise(person, found.community_id) else None


def zone_for(community_id: int) -> ZoneInfo:
    return ZoneInfo(db.session.get(Community, community_id).timezone)


def utc_at(day: date, at: time, zone: ZoneInfo) -> datetime:
    """Local day and time in zone as a naive UTC moment."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC).replace(tzinfo=None)


def local_day(event: Event) -> date:
    return services.local(event.starts_at, services.zone_of(event)).date()


# Venues -----------------------------------------------------------------------------------------


def venues_of(community_id: int) -> list[Venue]:
    return list(
        db.session.scalars(
            select(Venue).where(Venue.community_id == community_id).order_by(Venue.id)
        )
    )


def save_venue(actor: Person, community_id: int, venue: Venue | None, **values) -> Venue:
    """Add a venue to the community or change one; commit with its audit entry."""
    created = venue is None
    if created:
        venue = Venue(community_id=community_id)
        db.session.add(venue)
    changed = audit.apply_changes(venue, VENUE_FIELDS, values)
    db.session.flush()
    if created or changed:
        action = "venue.created" if created else "venue.changed"
        audit.record(actor, action, venue=venue.id, **changed)
    db.session.commit()
    return venue


# Reading the calendar ---------------------------------------------------------------------------


def week_events(community_id: int, monday: date) -> list[Event]:
    """The community's events in the local week from monday, cancelled ones included, by start."""
    zone = zone_for(community_id)
    start, end = utc_at(monday, time(), zone), utc_at(monday + timedelta(days=7), time(), zone)
    return list(
        db.session.scalars(
            select(Event)
            .where(
                Event.community_id == community_id, Event.starts_at >= start, Event.starts_at < end
            )
            .order_by(Event.starts_at, Event.id)
            .options(db.joinedload(Event.venue))
        )
    )


def waiting_counts(events: list[Event]) -> dict[int, int]:
    """{event id: people on its waitlist} for events with a waitlist."""
    if not events:
        return {}
    rows = db.session.execute(
        select(SignUp.event_id, func.count())
        .where(SignUp.event_id.in_([e.id for e in events]), SignUp.status == SignUpStatus.WAITING)
        .group_by(SignUp.event_id)
    )
    return dict(rows.all())


WAITLIST_PAGE = 50  # waiting people on a page of an activity's attendees


def attendees(event: Event, waitlist_page: int = 1) -> tuple[list[SignUp], Pagination]:
    """(people going, by name: no more than the places; one page of the waitlist, in the
    order it is promoted, with how many wait)."""
    going = db.session.scalars(
        select(SignUp)
        .where(SignUp.event_id == event.id, SignUp.status == SignUpStatus.GOING)
        .options(db.joinedload(SignUp.resident))
    ).all()
    waiting = (
        select(SignUp)
        .where(SignUp.event_id == event.id, SignUp.status == SignUpStatus.WAITING)
        .order_by(SignUp.id)
        .options(db.joinedload(SignUp.resident))
    )
    return (
        sorted(going, key=lambda s: s.resident.name_order()),
        page_of(waiting, waitlist_page, WAITLIST_PAGE),
    )


def signup_at(event: Event, signup_id: int) -> SignUp | None:
    """The sign-up with signup_id if it belongs to event."""
    signup = db.session.get(SignUp, signup_id)
    return signup if signup is not None and signup.event_id == event.id else None


def find_clash(
    venue_id: int, starts_at: datetime, ends_at: datetime, ignore: Iterable[int] = ()
) -> Event | None:
    """The first event not cancelled in the venue whose time overlaps [starts_at, ends_at)."""
    query = select(Event).where(
        Event.venue_id == venue_id,
        Event.cancelled_at.is_(None),
        Event.starts_at < ends_at,
        Event.ends_at > starts_at,
    )
    ignored = list(ignore)
    if ignored:
        query = query.where(Event.id.not_in(ignored))
    return db.session.scalar(query.order_by(Event.starts_at).limit(1))


# Checks shared by every change ------------------------------------------------------------------


def _refuse(error: ScheduleError):
    """Undo everything of the change in progress, then raise error."""
    db.session.rollback()
    raise error


def _check_times(starts: time, ends: time) -> None:
    if ends <= starts:
        _refuse(BadTimes())


def _check_venue(community_id: int, values: dict) -> Venue:
    venue = db.session.get(Venue, values.get("venue_id") or 0)
    if venue is None or venue.community_id != community_id:
        _refuse(UnknownVenue())
    return venue


def _check_capacity(venue: Venue, capacity: int | None) -> None:
    if capacity is not None and capacity > venue.capacity:
        _refuse(OverVenue(venue))


def changeable(event: Event, now: datetime | None = None) -> bool:
    """An event can change until it starts, unless it was cancelled."""
    return event.cancelled_at is None and event.starts_at > (now or utcnow())


def _check_changeable(event: Event, now: datetime) -> None:
    if not changeable(event, now):
        _refuse(Closed())


def _check_free(venue_id: int, starts_at: datetime, ends_at: datetime, ignore=()) -> None:
    other = find_clash(venue_id, starts_at, ends_at, ignore)
    if other is not None:
        _refuse(Clash(other))


def _set_capacity(event: Event, capacity: int | None, now: datetime) -> None:
    """Change event's capacity; a conditional update, so a place taken at this very moment cannot
    slip below it. Freed places go to the waitlist."""
    query = update(Event).where(Event.id == event.id).values(capacity=capacity)
    if capacity is not None:
        query = query.where(Event.going <= capacity)
    if not db.session.execute(query).rowcount:
        db.session.refresh(event)
        _refuse(BelowSignedUp(event.going, local_day(event)))
    db.session.refresh(event)
    services.promote(event, now=now)


def _active_signups(event: Event) -> list[SignUp]:
    return list(
        db.session.scalars(
            select(SignUp).where(SignUp.event_id == event.id, SignUp.status.in_(ACTIVE))
        )
    )


def _tell_all(event: Event, kind: str, **params) -> int:
    """Tell everyone going or waiting (and their family); return how many residents were told."""
    zone = services.zone_of(event)
    starts = services.local(event.starts_at, zone)
    signups = _active_signups(event)
    for signup in signups:
        services._tell(
            signup,
            kind,
            day=starts.date().isoformat(),
            starts=starts.strftime("%H:%M"),
            venue=event.venue.name,
            **params,
        )
    return len(signups)


# One-off events ---------------------------------------------------------------------------------


def create_event(
    actor: Person,
    community_id: int,
    *,
    day: date,
    starts: time,
    ends: time,
    capacity: int | None,
    now: datetime | None = None,
    **values,
) -> Event:
    """Add a one-off event; a birthday party invites the month's birthday residents. Commits.

    Raises BadTimes, InPast, UnknownVenue, OverVenue or Clash."""
    now = now or utcnow()
    _check_times(starts, ends)
    venue = _check_venue(community_id, values)
    _check_capacity(venue, capacity)
    zone = zone_for(community_id)
    starts_at, ends_at = utc_at(day, starts, zone), utc_at(day, ends, zone)
    if starts_at <= now:
        _refuse(InPast())
    _check_free(venue.id, starts_at, ends_at)
    event = Event(
        community_id=community_id,
        organiser_id=actor.id,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        **{field: values[field] for field in EVENT_FIELDS if field in values},
    )
    db.session.add(event)
    db.session.flush()
    audit.record(actor, "activity.created", event=event.id, title=event.title_zh_hans)
    if event.category == "birthday":
        _invite_birthdays(actor, event)
    db.session.commit()
    return event


def update_event(
    actor: Person,
    event: Event,
    *,
    day: date,
    starts: time,
    ends: time,
    capacity: int | None,
    now: datetime | None = None,
    **values,
) -> Event:
    """Change one event; an occurrence of a series is detached, so series edits leave it alone.
    People signed up are told when the time or the venue changes. Commits.

    Raises Closed, BadTimes, InPast, UnknownVenue, OverVenue, Clash or BelowSignedUp."""
    now = now or utcnow()
    _check_changeable(event, now)
    _check_times(starts, ends)
    venue = _check_venue(event.community_id, values)
    _check_capacity(venue, capacity)
    zone = services.zone_of(event)
    starts_at, ends_at = utc_at(day, starts, zone), utc_at(day, ends, zone)
    if starts_at <= now:
        _refuse(InPast())
    _check_free(venue.id, starts_at, ends_at, ignore=[event.id])
    changed = audit.apply_changes(event, EVENT_FIELDS, values)
    changed.update(
        audit.apply_changes(
            event, ("starts_at", "ends_at"), {"starts_at": starts_at, "ends_at": ends_at}
        )
    )
    if capacity != event.capacity:
        changed["capacity"] = f"{event.capacity} → {capacity}"
        _set_capacity(event, capacity, now)
    if not changed:
        return event
    if event.series_id is not None:
        event.detached = True
    if {"starts_at", "venue_id"} & changed.keys():
        _moved(event)
    audit.record(actor, "activity.changed", event=event.id, **changed)
    db.session.commit()
    return event


def _moved(event: Event) -> None:
    """Tell those signed up the new time and place; the day-before reminder is due again."""
    db.session.flush()
    _tell_all(event, "activity.changed")
    for signup in _active_signups(event):
        signup.reminded_at = None


def move_event(
    actor: Person,
    event: Event,
    *,
    day: date,
    starts: time,
    ends: time,
    now: datetime | None = None,
) -> Event:
    """Move one event (an occurrence is detached) to another day or time in its venue, telling
    those signed up. Commits. Raises Closed, BadTimes, InPast or Clash."""
    now = now or utcnow()
    _check_changeable(event, now)
    _check_times(starts, ends)
    zone = services.zone_of(event)
    starts_at, ends_at = utc_at(day, starts, zone), utc_at(day, ends, zone)
    if starts_at <= now:
        _refuse(InPast())
    _check_free(event.venue_id, starts_at, ends_at, ignore=[event.id])
    before = services.local(event.starts_at, zone)
    event.starts_at, event.ends_at = starts_at, ends_at
    event.detached = event.series_id is not None
    _moved(event)
    audit.record(
        actor,
        "activity.moved",
        event=event.id,
        starts=f"{before:%Y-%m-%d %H:%M} → {day.isoformat()} {starts:%H:%M}",
    )
    db.session.commit()
    return event


def cancel_event(actor: Person, event: Event, reason: str, now: datetime | None = None) -> int:
    """Cancel an event (or skip one week of a series) with a reason residents read: everyone going
    or waiting is told and their places are released. Commits; returns how many were told.
    Raises Closed."""
    now = now or utcnow()
    _check_changeable(event, now)
    told = _cancel(event, reason, now)
    audit.record(actor, "activity.cancelled", event=event.id, reason=reason, told=told)
    db.session.commit()
    return told


def _cancel(event: Event, reason: str, now: datetime) -> int:
    told = _tell_all(event, "activity.cancelled", reason=reason)
    db.session.execute(
        update(SignUp)
        .where(SignUp.event_id == event.id, SignUp.status.in_(ACTIVE))
        .values(status=SignUpStatus.LEFT, active_key=None)
    )
    event.going = 0
    event.cancelled_at = now
    event.cancel_reason = reason
    return told


# Weekly series ----------------------------------------------------------------------------------


def create_series(
    actor: Person,
    community_id: int,
    *,
    first_day: date,
    last_day: date,
    starts: time,
    ends: time,
    capacity: int | None,
    now: datetime | None = None,
    **values,
) -> Series:
    """Add a weekly series on first_day's weekday and make its occurrences up to last_day (at most
    HORIZON ahead). Commits. Raises BadTimes, BadDays, InPast, UnknownVenue, OverVenue or Clash
    (the first occurrence that would clash)."""
    now = now or utcnow()
    _check_times(starts, ends)
    if last_day < first_day:
        _refuse(BadDays())
    venue = _check_venue(community_id, values)
    _check_capacity(venue, capacity)
    if utc_at(first_day, starts, zone_for(community_id)) <= now:
        _refuse(InPast())
    series = Series(
        community_id=community_id,
        organiser_id=actor.id,
        weekday=first_day.weekday(),
        first_day=first_day,
        last_day=last_day,
        starts=starts,
        ends=ends,
        capacity=capacity,
        **{field: values[field] for field in EVENT_FIELDS if field in values},
    )
    db.session.add(series)
    db.session.flush()
    made = _materialise(series, now)
    audit.record(
        actor, "activity.series_created", series=series.id, title=series.title_zh_hans, made=made
    )
    db.session.commit()
    return series


def series_days(series: Series, since: date, until: date) -> list[date]:
    """The series' dates from since to until (both included)."""
    day = series.first_day + timedelta(days=(series.weekday - series.first_day.weekday()) % 7)
    if since > day:
        day += timedelta(weeks=-(-(since - day).days // 7))
    days = []
    while day <= min(until, series.last_day):
        days.append(day)
        day += timedelta(weeks=1)
    return days


def _materialise(series: Series, now: datetime) -> int:
    """Make the missing occurrences of series from today up to HORIZON ahead; return how many.
    Raises Clash (after a rollback) when one would clash. Does not commit."""
    zone = zone_for(series.community_id)
    today = services.local(now, zone).date()
    made = {
        day
        for day in db.session.scalars(select(Event.series_day).where(Event.series_id == series.id))
    }
    count = 0
    for day in series_days(series, today, today + HORIZON):
        starts_at, ends_at = utc_at(day, series.starts, zone), utc_at(day, series.ends, zone)
        if day in made or starts_at <= now:
            continue
        _check_free(series.venue_id, starts_at, ends_at)
        db.session.add(
            Event(
                community_id=series.community_id,
                organiser_id=series.organiser_id,
                series_id=series.id,
                series_day=day,
                starts_at=starts_at,
                ends_at=ends_at,
                capacity=series.capacity,
                **{field: getattr(series, field) for field in EVENT_FIELDS},
            )
        )
        db.session.flush()
        count += 1
    return count


def extend_series(now: datetime | None = None) -> int:
    """Make the occurrences of every running series that have come within HORIZON; return how
    many. A series with a week that would clash is left as it is (its organiser sees the clash
    when editing it); the others go on. Commits."""
    now = now or utcnow()
    made = 0
    for series_id in db.session.scalars(
        select(Series.id).where(Series.last_day >= (now - timedelta(days=1)).date())
    ).all():
        try:
            made += _materialise(db.session.get(Series, series_id), now)
            db.session.commit()
        except Clash:
            continue
    return made


def update_series(
    actor: Person,
    series: Series,
    *,
    last_day: date,
    starts: time,
    ends: time,
    capacity: int | None,
    now: datetime | None = None,
    **values,
) -> int:
    """Change a series and its coming occurrences that were not changed on their own (detached)
    or cancelled; a shorter series cancels the weeks after its new last day, a longer one makes
    them. Commits; returns how many occurrences changed. Raises BadTimes, BadDays, UnknownVenue,
    OverVenue, Clash or BelowSignedUp (nothing is saved then)."""
    now = now or utcnow()
    _check_times(starts, ends)
    if last_day < series.first_day:
        _refuse(BadDays())
    venue = _check_venue(series.community_id, values)
    _check_capacity(venue, capacity)
    zone = zone_for(series.community_id)
    timing = {"starts": starts, "ends": ends, "capacity": capacity, "last_day": last_day}
    changed = audit.apply_changes(series, (*EVENT_FIELDS, *timing), {**values, **timing})
    coming = list(
        db.session.scalars(
            select(Event)
            .where(
                Event.series_id == series.id,
                Event.detached.is_(False),
                Event.cancelled_at.is_(None),
                Event.starts_at > now,
            )
            .order_by(Event.starts_at)
        )
    )
    kept = [event for event in coming if event.series_day <= last_day]
    ids = [event.id for event in kept]
    for event in kept:
        starts_at = utc_at(event.series_day, starts, zone)
        ends_at = utc_at(event.series_day, ends, zone)
        _check_free(venue.id, starts_at, ends_at, ignore=ids)
        moved = audit.apply_changes(event, EVENT_FIELDS, values)
        moved.update(
            audit.apply_changes(
                event, ("starts_at", "ends_at"), {"starts_at": starts_at, "ends_at": ends_at}
            )
        )
        if capacity != event.capacity:
            _set_capacity(event, capacity, now)
        if {"starts_at", "venue_id"} & moved.keys():
            _moved(event)
    for event in coming[len(kept) :]:
        _cancel(event, "", now)
    made = _materialise(series, now)
    audit.record(
        actor,
        "activity.series_changed",
        series=series.id,
        occurrences=len(kept),
        dropped=len(coming) - len(kept),
        made=made,
        **changed,
    )
    db.session.commit()
    return len(kept)


# The month's birthday party ---------------------------------------------------------------------


def birthday_residents(community_id: int, month: int) -> list[Person]:
    """Residents of the community born in month who live there and are at home."""
    residents = db.session.scalars(
        select(Person)
        .join(RoleGrant, RoleGrant.person_id == Person.id)
        .where(
            Person.community_id == community_id,
            Person.active.is_(True),
            Person.left_reason.is_(None),  # not in hospital either
            Person.birth_date.is_not(None),
            RoleGrant.role == Role.RESIDENT,
        )
        .order_by(Person.id)
    ).unique()
    return [person for person in residents if person.birth_date.month == month]


def _invite_birthdays(actor: Person, event: Event) -> int:
    """Give each resident born in the party's month a pre-filled place (the waitlist when full)
    and tell them; return how many were invited. Does not commit."""
    invited = 0
    for resident in birthday_residents(event.community_id, local_day(event).month):
        if services.place_of(resident, event) is not None:
            continue
        status = SignUpStatus.GOING if services._take_place(event) else SignUpStatus.WAITING
        signup = SignUp(
            event_id=event.id,
            resident_id=resident.id,
            signed_up_by_id=actor.id,
            status=status,
            active_key=SignUp.key_for(resident.id, event.id),
            invited=True,
            event=event,
            resident=resident,
        )
        db.session.add(signup)
        db.session.flush()
        services._tell(signup, "activity.birthday_invite", day=local_day(event).isoformat())
        invited += 1
    if invited:
        audit.record(actor, "activity.birthday_invited", event=event.id, invited=invited)
    db.session.refresh(event)
    return invited
