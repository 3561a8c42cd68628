"""How the activity calendar's notifications read, in the reader's language."""

from babel.dates import format_skeleton
from flask import current_app, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from portal.accounts.models import Person
from portal.activities.models import Event
from portal.activities.services import local, zone_of
from portal.extensions import db


def describe(kind: str, params: dict) -> tuple[str, str | None]:
    """A sentence about a resident's place at an event, with the event's title in the reader's
    language and its day and time in the community's, as they are now."""
    event = db.session.get(Event, params.get("event_id", 0))
    resident = db.session.get(Person, params.get("resident_id", 0))
    words = {
        "resident": resident.name if resident else "",
        "title": event.title(str(get_locale())) if event else params.get("title", ""),
    }
    link = _event_link(event, params.get("resident_id"))
    if kind == "activity.reminder":
        return _(
            "Reminder: %(resident)s has a place at %(title)s tomorrow at %(starts)s.",
            starts=params.get("starts", ""),
            **words,
        ), link
    if event is None:
        return _("There is news about %(title)s for %(resident)s.", **words), link
    starts = local(event.starts_at, zone_of(event))
    words["when"] = " ".join(
        (format_skeleton("MMMEd", starts, locale=get_locale()), starts.strftime("%H:%M"))
    )
    if kind == "activity.promoted":
        text = _(
            "A place came free: %(resident)s now has a place at %(title)s on %(when)s.", **words
        )
    elif kind == "activity.birthday_invite":
        text = _(
            "Happy birthday! %(resident)s is invited to %(title)s on %(when)s, and a place is kept.",
            **words,
        )
    elif kind == "activity.cancelled" and params.get("reason"):
        text = _(
            "%(title)s on %(when)s is cancelled, so %(resident)s's place there is too. "
            "The reason: %(reason)s",
            reason=params["reason"],
            **words,
        )
    elif kind == "activity.cancelled":
        text = _(
            "%(title)s on %(when)s is cancelled, so %(resident)s's place there is too.", **words
        )
    else:
        text = _("There is news about %(title)s for %(resident)s.", **words)
    return text, link


def _event_link(event, resident_id: int | None) -> str | None:
    """The event's page for the resident; their activities while there is no such page."""
    if resident_id is None:
        return None
    endpoints = current_app.view_functions
    if event is not None and "activities.event" in endpoints:
        return url_for("activities.event", resident_id=resident_id, event_id=event.id)
    if "activities.upcoming" in endpoints:
        return url_for("activities.upcoming", resident_id=resident_id)
    return None
