"""Calendar feeds (RFC 5545): a community's activities for anyone, and a person's own at a secret,
revocable address.

Every time is written in UTC (…Z), so no VTIMEZONE is needed and every client shows the local time
right. A cancelled activity stays in the feeds with STATUS:CANCELLED and "Cancelled:" before its
title, so that a calendar which already shows it marks it off instead of silently dropping it.
"""

import re
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from babel.lists import format_list
from flask import current_app, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from icalendar import Calendar
from icalendar import Event as CalendarEvent
from sqlalchemy import select, update

from portal.accounts.models import FamilyLink, LinkStatus, Person, Role
from portal.accounts.services import token_hash
from portal.activities.labels import CATEGORIES
from portal.activities.models import CalendarFeed, Event, SignUp, SignUpStatus
from portal.audit import services as audit
from portal.community.models import Community
from portal.extensions import db
from portal.model_base import utcnow

LANGUAGES = ("zh_Hans", "zh_Hant", "en")
PAST = timedelta(days=30)
AHEAD = timedelta(weeks=26)
# What secrets.token_urlsafe(32) makes; anything else is not a feed address.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")
PRODID = "-//Linli//Community activities//EN"


def active_feed(person: Person) -> CalendarFeed | None:
    """The person's feed that still works, if any."""
    return db.session.scalar(
        select(CalendarFeed).where(
            CalendarFeed.person_id == person.id, CalendarFeed.revoked_at.is_(None)
        )
    )


def _revoke_all(person: Person, now: datetime) -> int:
    return db.session.execute(
        update(CalendarFeed)
        .where(CalendarFeed.person_id == person.id, CalendarFeed.revoked_at.is_(None))
        .values(revoked_at=now)
    ).rowcount


def create_feed(person: Person) -> tuple[CalendarFeed, str]:
    """Give person a new feed address, switching off their earlier ones; commit. Returns the feed
    and its token, which is shown once and never stored."""
    token = secrets.token_urlsafe(32)
    revoked = _revoke_all(person, utcnow())
    feed = CalendarFeed(person_id=person.id, token_hash=token_hash(token))
    db.session.add(feed)
    db.session.flush()
    audit.record(person, "calendar.feed_created", person, feed=feed.id, revoked=revoked)
    db.session.commit()
    return feed, token


def revoke_feed(person: Person) -> int:
    """Switch off every feed address of person; commit. Returns how many were switched off."""
    revoked = _revoke_all(person, utcnow())
    if revoked:
        audit.record(person, "calendar.feed_revoked", person, revoked=revoked)
    db.session.commit()
    return revoked


def feed_for_token(token: str) -> CalendarFeed | None:
    """The working feed whose address holds token; None for an unknown, revoked or malformed one,
    or when its person is no longer active."""
    if not TOKEN_PATTERN.fullmatch(token or ""):
        return None
    feed = db.session.scalar(
        select(CalendarFeed).where(
            CalendarFeed.token_hash == token_hash(token), CalendarFeed.revoked_at.is_(None)
        )
    )
    return feed if feed is not None and feed.person.active else None


def _linked(person: Person):
    """The ids of the residents person is actively linked to as family, as a subquery."""
    return select(FamilyLink.resident_id).where(
        FamilyLink.family_id == person.id, FamilyLink.status == LinkStatus.ACTIVE
    )


def communities_of(person: Person) -> list[Community]:
    """The person's own community and those of the residents they are actively linked to."""
    query = select(Community).where(
        (Community.id == person.community_id)
        | Community.id.in_(select(Person.community_id).where(Person.id.in_(_linked(person))))
    )
    return list(db.session.scalars(query.order_by(Community.id)))


def community_calendar(community: Community, now: datetime, locale: str = "zh_Hans") -> bytes:
    """The community's activities from PAST before now to AHEAD after it, as an iCalendar file."""
    events = db.session.scalars(
        _in_window(select(Event), now)
        .where(Event.community_id == community.id)
        .options(db.joinedload(Event.venue))
    )
    with force_locale(_language(locale)):
        name = _("%(community)s: activities", community=community.name)
        return _calendar(name, ((event, [], event.updated_at) for event in events))


def person_calendar(person: Person, now: datetime, locale: str = "zh_Hans") -> bytes:
    """The activities where person, or a resident they are actively linked to as family, has a
    place or a waitlist place (TENTATIVE), from PAST before now on, as an iCalendar file. The
    title says whose place it is when it is not the person's own."""
    signups = db.session.scalars(
        _in_window(select(SignUp).join(Event), now, until=None)
        .where(
            SignUp.status.in_([SignUpStatus.GOING, SignUpStatus.WAITING]),
            (SignUp.resident_id == person.id) | SignUp.resident_id.in_(_linked(person)),
        )
        .order_by(SignUp.id)
        .options(db.contains_eager(SignUp.event).joinedload(Event.venue))
        .options(db.joinedload(SignUp.resident))
    )
    by_event: dict[int, list[SignUp]] = {}
    for signup in signups:
        by_event.setdefault(signup.event_id, []).append(signup)
    with force_locale(_language(locale)):
        own = person.has_role(Role.RESIDENT)
        name = _("My activities") if own else _("My family's activities")
        return _calendar(
            name,
            (
                (places[0].event, places, max(s.updated_at for s in places))
                for places in by_event.values()
            ),
            for_person=person,
        )


def _language(locale: str) -> str:
    return locale if locale in LANGUAGES else "zh_Hans"


def _in_window(query, now: datetime, until: timedelta | None = AHEAD):
    query = query.where(Event.ends_at >= now - PAST)
    if until is not None:
        query = query.where(Event.starts_at < now + until)
    return query.order_by(Event.starts_at, Event.id)


def _calendar(
    name: str,
    entries: Iterable[tuple[Event, list[SignUp], datetime]],
    for_person: Person | None = None,
) -> bytes:
    """entries: (event, the places it is in the feed for, when the entry last changed)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    # Hints for clients that subscribe: look again every hour.
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    for event, places, revised in entries:
        calendar.add_component(_vevent(event, places, max(revised, event.updated_at), for_person))
    return calendar.to_ical()


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC, microsecond=0)


def _vevent(
    event: Event, places: list[SignUp], revised: datetime, for_person: Person | None
) -> CalendarEvent:
    """One activity, in the language of the surrounding force_locale."""
    locale = str(get_locale())
    summary = event.title(locale)
    others = [s.resident.name for s in places if for_person and s.resident_id != for_person.id]
    if others:
        summary = _(
            "%(names)s: %(title)s", names=format_list(others, locale=get_locale()), title=summary
        )
    cancelled = event.cancelled_at is not None
    if cancelled:
        summary = _("Cancelled: %(title)s", title=summary)
    vevent = CalendarEvent()
    vevent.add("uid", f"event-{event.id}@linli")
    vevent.add("dtstamp", _utc(revised))
    vevent.add("last-modified", _utc(revised))
    # Grows with every change to the activity (or to the place in it), as RFC 5545 asks.
    vevent.add("sequence", int((revised - event.created_at).total_seconds()))
    vevent.add("dtstart", _utc(event.starts_at))
    vevent.add("dtend", _utc(event.ends_at))
    vevent.add("summary", summary)
    vevent.add("location", event.venue.name)
    vevent.add("description", _description(event, locale))
    vevent.add("categories", [str(CATEGORIES.get(event.category, event.category))])
    vevent.add("status", _status(cancelled, places))
    vevent.add("transp", "OPAQUE")
    link = _event_link(event, places)
    if link:
        vevent.add("url", link)
    return vevent


def _status(cancelled: bool, places: list[SignUp]) -> str:
    if cancelled:
        return "CANCELLED"
    if places and all(s.status == SignUpStatus.WAITING for s in places):
        return "TENTATIVE"
    return "CONFIRMED"


def _description(event: Event, locale: str) -> str:
    """The event's description, then how to get in and hear: step-free, hearing loop, notes."""
    lines = [event.description(locale)]
    if event.venue.step_free:
        lines.append(_("Step-free access"))
    if event.venue.hearing_loop:
        lines.append(_("Hearing loop"))
    if event.access_notes:
        lines.append(event.access_notes)
    return "\n".join(line for line in lines if line)


def _event_link(event: Event, places: list[SignUp]) -> str | None:
    """The event's page for the (first) resident with a place; none in the community's feed."""
    if not places or "activities.event" not in current_app.view_functions:
        return None
    return url_for(
        "activities.event", resident_id=places[0].resident_id, event_id=event.id, _external=True
    )
