"""The rules of taking part: joining an activity without ever exceeding its places, the waitlist
and its promotion order, leaving, checking in, reminders and attendance."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from portal.accounts.models import Person
from portal.accounts.services import may_act_for, may_book_for, serves
from portal.activities.models import Event, SignUp, SignUpStatus
from portal.audit import services as audit
from portal.community.models import Community
from portal.extensions import db
from portal.jobs import hold_until_commit
from portal.model_base import utcnow
from portal.notifications.services import notify

# A resident may check themself in from this long before an activity starts until it ends.


class ActivityError(Exception):
    """A rule about taking part was broken; views turn each kind into a clear message."""


class NotAllowed(ActivityError):
    """The person may not act for that resident."""


class NotOpen(ActivityError):
    """The activity has started, has passed or was cancelled, or needs no sign-up."""


class NotSignedUp(ActivityError):
    """Leaving or checking in without a place."""


class NotNow(ActivityError):
    """Checking in outside the activity's time."""


def zone_of(event: Event) -> ZoneInfo:
    return ZoneInfo(event.community.timezone)


def local(moment: datetime, zone: ZoneInfo) -> datetime:
    """A naive UTC moment as local time in zone (naive)."""
    return moment.replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None)


def _active_key(resident: Person, event: Event) -> str:
    return SignUp.key_for(resident.id, event.id)


def place_of(resident: Person, event: Event) -> SignUp | None:
    """The resident's standing place or waitlist place at event, if any."""
    key = _active_key(resident, event)
    return db.session.scalar(select(SignUp).where(SignUp.active_key == key))


def waitlist_position(signup: SignUp) -> int | None:
    """1 for the first on the waitlist; None when the sign-up is not waiting."""
    if signup.status != SignUpStatus.WAITING:
        return None
    ahead = db.session.scalar(
        select(func.count())
        .select_from(SignUp)
        .where(
            SignUp.event_id == signup.event_id,
            SignUp.status == SignUpStatus.WAITING,
            SignUp.id < signup.id,
        )
    )
    return ahead + 1


def _check_open(event: Event, now: datetime) -> None:
    if event.cancelled_at is not None or now >= event.starts_at or not event.signup_required:
        raise NotOpen()


def _take_place(event: Event) -> bool:
    """Take one place with a conditional update, so two people never get the last one."""
    query = update(Event).where(Event.id == event.id).values(going=Event.going + 1)
    if event.capacity is not None:
        query = query.where(Event.going < Event.capacity)
    return bool(db.session.execute(query).rowcount)


def join(
    resident: Person,
    event: Event,
    by: Person,
    *,
    now: datetime | None = None,
    invited: bool = False,
    channel: str | None = None,
) -> tuple[SignUp, bool]:
    """Give resident a place at event, or a place on its waitlist when it is full; commit.

    by is the resident or linked family; or, with the channel the resident asked by (an accounts
    Channel), a grid worker or admin serving them. Returns (sign-up, created). Asking again
    returns the place already held. Raises NotAllowed or NotOpen.
    """
    now = now or utcnow()
    if not (invited or may_book_for(by, resident, channel)):
        raise NotAllowed()
    _check_open(event, now)
    held = place_of(resident, event)
    if held is not None:
        return held, False
    status = SignUpStatus.GOING if _take_place(event) else SignUpStatus.WAITING
    signup = SignUp(
        event_id=event.id,
        resident_id=resident.id,
        signed_up_by_id=by.id,
        status=status,
        active_key=_active_key(resident, event),
        invited=invited,
        channel=channel,
    )
    db.session.add(signup)
    if by.id != resident.id and not invited:
        audit.record(by, f"activity.{status}", resident, event=event.id)
    try:
        db.session.commit()
    except IntegrityError:
        # The same resident's other request got there first; the place taken above is given
        # back with this transaction.
        db.session.rollback()
        return place_of(resident, event), False
    db.session.refresh(event)
    return signup, True


def check_leave(signup: SignUp, by: Person, *, now: datetime | None = None) -> None:
    """Whether by may give up signup now: raises NotAllowed, NotSignedUp or NotOpen when not. The
    resident, linked family, and staff who serve the resident (when asked) may."""
    now = now or utcnow()
    if not (may_act_for(by, signup.resident) or serves(by, signup.resident)):
        raise NotAllowed()
    if signup.status not in (SignUpStatus.GOING, SignUpStatus.WAITING):
        raise NotSignedUp()
    if now >= signup.event.starts_at and signup.event.cancelled_at is None:
        raise NotOpen()


def leave(signup: SignUp, by: Person, *, now: datetime | None = None) -> SignUp:
    """Give up a place or a waitlist place; the first on the waitlist takes a freed place and is
    told. Raises NotAllowed, NotSignedUp, or NotOpen once the activity has started."""
    now = now or utcnow()
    check_leave(signup, by, now=now)
    event = signup.event
    was_going = signup.status == SignUpStatus.GOING
    signup.status = SignUpStatus.LEFT
    signup.active_key = None
    if was_going:
        db.session.execute(update(Event).where(Event.id == event.id).values(going=Event.going - 1))
        promote(event, now=now)
    if by.id != signup.resident_id:
        audit.record(by, "activity.left", signup.resident, event=event.id)
    db.session.commit()
    return signup


def release_places(resident: Person, *, now: datetime | None = None) -> int:
    """Give up every place and waitlist place resident holds at an activity that has not begun,
    and commit: they left home. The first on each waitlist takes a freed place and is told.
    Returns how many."""
    now = now or utcnow()
    held = db.session.scalars(
        select(SignUp)
        .join(Event, Event.id == SignUp.event_id)
        .where(
            SignUp.resident_id == resident.id,
            SignUp.status.in_((SignUpStatus.GOING, SignUpStatus.WAITING)),
            Event.starts_at > now,
            Event.cancelled_at.is_(None),
        )
        .order_by(Event.starts_at)
    ).all()
    for signup in held:
        was_going = signup.status == SignUpStatus.GOING
        signup.status = SignUpStatus.LEFT
        signup.active_key = None
        if was_going:
            db.session.execute(
                update(Event).where(Event.id == signup.event_id).values(going=Event.going - 1)
            )
            promote(signup.event, now=now)
    db.session.commit()
    return len(held)


def promote(event: Event, *, now: datetime | None = None) -> list[SignUp]:
    """Move people from the front of the waitlist into free places, in the order they joined, and
    tell them and their family; they can still leave. Does not commit."""
    now = now or utcnow()
    promoted = []
    while True:
        first = db.session.scalar(
            select(SignUp)
            .where(SignUp.event_id == event.id, SignUp.status == SignUpStatus.WAITING)
            .order_by(SignUp.id)
            .limit(1)
        )
        if first is None or not _take_place(event):
            return promoted
        # Conditional, so two people leaving at once never promote the same person twice.
        moved = db.session.execute(
            update(SignUp)
            .where(SignUp.id == first.id, SignUp.status == SignUpStatus.WAITING)
            .values(status=SignUpStatus.GOING, promoted_at=now)
        ).rowcount
        if not moved:
            db.session.execute(
                update(Event).where(Event.id == event.id).values(going=Event.going - 1)
            )
            continue
        db.session.refresh(first)
        _tell(first, "activity.promoted")
        promoted.append(first)


def _tell(signup: SignUp, kind: str, **params) -> None:
    """Notify the resident and their linked family about their place at an event."""
    from portal.accounts.services import links_of_resident

    event = signup.event
    words = {"event_id": event.id, "title": event.title_zh_hans, **params}
    notify(signup.resident, kind, resident_id=signup.resident_id, **words)
    for link in links_of_resident(signup.resident):
        if link.status == "active":
            notify(link.family_id, kind, resident_id=signup.resident_id, **words)


def check_in(
    signup: SignUp, by: Person, *, organiser: bool = False, now: datetime | None = None
) -> SignUp:
    """Record that the resident came. An organiser may check anyone in on the day; a resident
    checks themself in while Event.check_in_open. Raises NotAllowed,
    NotSignedUp or NotNow."""
    now = now or utcnow()
    event = signup.event
    if not organiser and by.id != signup.resident_id:
        raise NotAllowed()
    if signup.status != SignUpStatus.GOING:
        raise NotSignedUp()
    if organiser:
        zone = zone_of(event)
        if local(now, zone).date() != local(event.starts_at, zone).date():
            raise NotNow()
    elif not event.check_in_open(now):
        raise NotNow()
    if signup.checked_in_at is None:
        signup.checked_in_at = now
        signup.checked_in_by_id = by.id
        if organiser:
            audit.record(by, "activity.checked_in", signup.resident, event=event.id)
        db.session.commit()
    return signup


def arrive(resident: Person, event: Event, *, now: datetime | None = None) -> SignUp:
    """A resident at the kiosk during an activity: check them in, giving them a place first when
    the activity needs no sign-up. Raises NotSignedUp, NotNow or NotOpen (cancelled)."""
    now = now or utcnow()
    if event.cancelled_at is not None:
        raise NotOpen()
    signup = place_of(resident, event)
    if signup is None and not event.signup_required:
        if not event.check_in_open(now):
            raise NotNow()
        _take_place(event)
        signup = SignUp(
            event_id=event.id,
            resident_id=resident.id,
            signed_up_by_id=resident.id,
            status=SignUpStatus.GOING,
            active_key=_active_key(resident, event),
        )
        db.session.add(signup)
        db.session.flush()
    if signup is None:
        raise NotSignedUp()
    return check_in(signup, resident, now=now)


def send_reminders(now: datetime | None = None) -> int:
    """Remind everyone with a place at an activity that starts tomorrow (in its community's
    time zone), once each; return how many were reminded. Safe to run as often as one likes, and
    copies running at once take turns."""
    now = now or utcnow()
    hold_until_commit("activities.remind")
    candidates = db.session.scalars(
        select(SignUp)
        .join(Event)
        .where(
            SignUp.status == SignUpStatus.GOING,
            SignUp.reminded_at.is_(None),
            Event.cancelled_at.is_(None),
            Event.starts_at > now,
            Event.starts_at < now + timedelta(hours=48),
        )
        .options(db.joinedload(SignUp.event).joinedload(Event.community))
    ).all()
    reminded = 0
    for signup in candidates:
        zone = zone_of(signup.event)
        if local(signup.event.starts_at, zone).date() != local(now, zone).date() + timedelta(1):
            continue
        starts = local(signup.event.starts_at, zone)
        _tell(signup, "activity.reminder", starts=starts.strftime("%H:%M"))
        signup.reminded_at = now
        reminded += 1
    db.session.commit()
    return reminded


def attendance_by_month(community_id: int, year: int) -> list[tuple[int, int, int]]:
    """[(month, places taken, people who came)] for the community's activities in year."""
    start = datetime(year, 1, 1)
    zone = ZoneInfo(db.session.get(Community, community_id).timezone)
    rows = db.session.execute(
        select(Event.starts_at, SignUp.checked_in_at)
        .join(SignUp, SignUp.event_id == Event.id)
        .where(
            Event.community_id == community_id,
            Event.cancelled_at.is_(None),
            SignUp.status == SignUpStatus.GOING,
            Event.starts_at >= start - timedelta(days=1),
            Event.starts_at < datetime(year + 1, 1, 1) + timedelta(days=1),
        )
    ).all()
    months: dict[int, list[int]] = {}
    for starts_at, checked_in_at in rows:
        moment = local(starts_at, zone)
        if moment.year != year:
            continue
        counts = months.setdefault(moment.month, [0, 0])
        counts[0] += 1
        counts[1] += checked_in_at is not None
    return [(month, *months[month]) for month in sorted(months)]


def signups_of(resident: Person, since: date) -> list[SignUp]:
    """The resident's places and waitlist places at activities from since on, soonest first."""
    start = datetime.combine(since, datetime.min.time()) - timedelta(days=1)
    return list(
        db.session.scalars(
            select(SignUp)
            .join(Event)
            .where(
                SignUp.resident_id == resident.id,
                SignUp.status.in_([SignUpStatus.GOING, SignUpStatus.WAITING]),
                Event.ends_at >= start,
            )
            .order_by(Event.starts_at)
            .options(db.joinedload(SignUp.event))
        )
    )


def export_of(resident: Person) -> list[dict]:
    """Every activity resident signed up for, for the copy of their data."""
    signups = db.session.scalars(
        select(SignUp)
        .where(SignUp.resident_id == resident.id)
        .order_by(SignUp.created_at)
        .options(db.joinedload(SignUp.event))
    )
    return [
        {
            "activity": signup.event.title_zh_hans,
            "starts_at": signup.event.starts_at.isoformat(timespec="minutes"),
            "status": signup.status,
            "checked_in_at": signup.checked_in_at.isoformat(timespec="minutes")
            if signup.checked_in_at
            else "",
        }
        for signup in signups
    ]


def latest_check_ins(resident_ids: list[int]) -> dict[int, datetime]:
    """When each resident was last checked in at an activity."""
    query = (
        select(SignUp.resident_id, func.max(SignUp.checked_in_at))
        .where(SignUp.resident_id.in_(resident_ids), SignUp.checked_in_at.is_not(None))
        .group_by(SignUp.resident_id)
    )
    return dict(db.session.execute(query).all())


def last_check_in(residents):
    """The latest check-in at an activity of any of residents (ids, or a query of their ids),
    as a scalar subquery."""
    return (
        select(func.max(SignUp.checked_in_at))
        .where(SignUp.resident_id.in_(residents), SignUp.checked_in_at.is_not(None))
        .scalar_subquery()
    )
