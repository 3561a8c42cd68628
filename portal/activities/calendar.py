"""Read-only questions the calendar pages ask: which activities fall in a stretch of days, which
places a resident holds among them, where they stand on waitlists. Each answer is one query, so a
page's query count does not grow with the number of activities on it."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from portal.accounts.models import Person
from portal.activities.models import Event, SignUp, SignUpStatus
from portal.activities.services import local
from portal.community.models import Community
from portal.extensions import db

ACTIVE = (SignUpStatus.GOING, SignUpStatus.WAITING)


@dataclass(frozen=True)
class Period:
    """The days a calendar page shows: "upcoming" (today and the six days after), a "week" from
    its Monday or a "month" from its first day; and the query that names it in a link."""

    view: str
    first: date

    @classmethod
    def upcoming(cls, today: date) -> "Period":
        return cls("upcoming", today)

    @classmethod
    def week_of(cls, day: date) -> "Period":
        return cls("week", day - timedelta(days=day.weekday()))

    @classmethod
    def month_of(cls, day: date) -> "Period":
        return cls("month", day.replace(day=1))

    @property
    def last(self) -> date:
        if self.view == "month":
            return (self.first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        return self.first + timedelta(days=6)

    @property
    def earlier(self) -> "Period":
        if self.view == "month":
            return Period.month_of(self.first - timedelta(days=1))
        return Period(self.view, self.first - timedelta(days=7))

    @property
    def later(self) -> "Period":
        return Period(self.view, self.last + timedelta(days=1))

    @property
    def query(self) -> dict[str, str]:
        """The link's query for this period; "upcoming" always starts today and needs none."""
        if self.view == "week":
            return {"week": self.first.isoformat()}
        if self.view == "month":
            return {"month": self.first.strftime("%Y-%m")}
        return {}


def zone(community: Community) -> ZoneInfo:
    return ZoneInfo(community.timezone)


def day_bounds(community: Community, day: date) -> tuple[datetime, datetime]:
    """The community's local day as naive UTC moments [start, end)."""
    start = datetime.combine(day, time(), tzinfo=zone(community))
    end = datetime.combine(day + timedelta(days=1), time(), tzinfo=zone(community))
    return (
        start.astimezone(UTC).replace(tzinfo=None),
        end.astimezone(UTC).replace(tzinfo=None),
    )


def events_between(
    community_id: int, start_utc: datetime, end_utc: datetime, category: str | None = None
) -> list[Event]:
    """The community's activities starting in [start_utc, end_utc), cancelled ones included,
    soonest first, with their venues loaded."""
    query = (
        select(Event)
        .where(
            Event.community_id == community_id,
            Event.starts_at >= start_utc,
            Event.starts_at < end_utc,
        )
        .order_by(Event.starts_at, Event.id)
        .options(db.joinedload(Event.venue))
    )
    if category:
        query = query.where(Event.category == category)
    return list(db.session.scalars(query))


def events_by_day(
    community: Community, first: date, last: date, category: str | None = None
) -> dict[date, list[Event]]:
    """The community's activities from first to last (local days, inclusive), by local day; every
    day of the stretch is a key, in order, even when nothing is on."""
    start, _ = day_bounds(community, first)
    _, end = day_bounds(community, last)
    days: dict[date, list[Event]] = {
        first + timedelta(days=n): [] for n in range((last - first).days + 1)
    }
    for event in events_between(community.id, start, end, category):
        days[local(event.starts_at, zone(community)).date()].append(event)
    return days


def places_for(resident: Person, events: list[Event]) -> dict[int, SignUp]:
    """The resident's standing or waitlist places among events, by event id, with who signed
    them up loaded."""
    ids = [event.id for event in events]
    if not ids:
        return {}
    query = (
        select(SignUp)
        .where(
            SignUp.resident_id == resident.id,
            SignUp.event_id.in_(ids),
            SignUp.status.in_(ACTIVE),
        )
        .options(db.joinedload(SignUp.signed_up_by))
    )
    return {signup.event_id: signup for signup in db.session.scalars(query)}


def waitlist_positions(signups) -> dict[int, int]:
    """Where each waiting sign-up stands on its event's waitlist (1 = next in), by sign-up id."""
    ids = [signup.id for signup in signups if signup.status == SignUpStatus.WAITING]
    if not ids:
        return {}
    ahead = aliased(SignUp)
    query = (
        select(SignUp.id, func.count(ahead.id))
        .join(
            ahead,
            (ahead.event_id == SignUp.event_id)
            & (ahead.status == SignUpStatus.WAITING)
            & (ahead.id <= SignUp.id),
        )
        .where(SignUp.id.in_(ids))
        .group_by(SignUp.id)
    )
    return dict(db.session.execute(query).all())


def upcoming_places(resident: Person, since_utc: datetime) -> list[SignUp]:
    """The resident's places and waitlist places at activities that end after since_utc,
    soonest first, with each event, its venue and who signed up loaded."""
    query = (
        select(SignUp)
        .join(Event, SignUp.event_id == Event.id)
        .where(
            SignUp.resident_id == resident.id,
            SignUp.status.in_(ACTIVE),
            Event.ends_at > since_utc,
        )
        .order_by(Event.starts_at, Event.id)
        .options(
            db.joinedload(SignUp.event).joinedload(Event.venue),
            db.joinedload(SignUp.signed_up_by),
        )
    )
    return list(db.session.scalars(query))


def get_event(event_id: int) -> Event | None:
    """The event with its venue and community loaded, or None."""
    return db.session.scalar(
        select(Event)
        .where(Event.id == event_id)
        .options(db.joinedload(Event.venue), db.joinedload(Event.community))
    )


def get_signup(signup_id: int) -> SignUp | None:
    return db.session.scalar(
        select(SignUp)
        .where(SignUp.id == signup_id)
        .options(
            db.joinedload(SignUp.event).joinedload(Event.venue),
            db.joinedload(SignUp.resident),
            db.joinedload(SignUp.signed_up_by),
        )
    )
