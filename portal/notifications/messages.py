"""Turn a stored notification into words and a link, in the reader's language, when it is read."""

from datetime import date

from babel.dates import format_skeleton
from flask import current_app, url_for
from flask_babel import get_locale

from portal.extensions import db
from portal.notifications.models import Notification
from portal.web.i18n import gettext as _


def describe(notification: Notification) -> tuple[str, str | None]:
    """The sentence to show for notification, and where it leads (or None)."""
    from portal.help.labels import CATEGORY_TITLES, STATUS_LABELS

    params = notification.params or {}
    if notification.kind.startswith("activity."):
        return _activity(notification.kind, params)
    if notification.kind.startswith("delivery."):
        return _delivery(notification.kind, params)
    if notification.kind in ("help.status", "help.note"):
        words = {
            "resident": params.get("resident", ""),
            "category": CATEGORY_TITLES.get(params.get("category"), params.get("category", "")),
            "status": STATUS_LABELS.get(params.get("status"), params.get("status", "")),
        }
        link = url_for("help.mine", resident_id=params["resident_id"])
        if notification.kind == "help.note":
            text = _(
                "There is a new note on %(resident)s's request for help (%(category)s).", **words
            )
        else:
            text = _("%(resident)s's request for help (%(category)s) is now: %(status)s.", **words)
        return text, link
    if notification.kind == "account.repeated_failures":
        return _(
            "Someone has tried %(name)s's account with a wrong PIN or password %(failures)s times. "
            "Call them, and change their PIN or password if it may be known.",
            name=params.get("name", ""),
            failures=params.get("failures", ""),
        ), url_for("accounts.person_sign_ins", person=params.get("person", ""))
    return _("You have a new message."), notification.link


def _activity(kind: str, params: dict) -> tuple[str, str | None]:
    """A sentence about a resident's place at an event, with the event's title in the reader's
    language and its day and time in the community's, as they are now."""
    from portal.accounts.models import Person
    from portal.activities.models import Event
    from portal.activities.services import local, zone_of

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


def _delivery(kind: str, params: dict) -> tuple[str, str | None]:
    """A sentence about a resident's meal delivery, dates and reasons in the reader's language."""
    from portal.accounts.models import Person
    from portal.canteen.labels import MEAL_KINDS
    from portal.delivery.labels import DECLINE_REASONS

    resident = db.session.get(Person, params.get("resident_id", 0))
    words = {"resident": resident.name if resident else ""}
    link = _delivery_link(params.get("resident_id"))

    def day(name: str) -> str:
        value = params.get(name)
        return (
            format_skeleton("MMMEd", date.fromisoformat(value), locale=get_locale())
            if value
            else ""
        )

    if kind == "delivery.applied":
        text = _(
            "The application for meal delivery for %(resident)s has been received. "
            "The canteen will call about it.",
            **words,
        )
    elif kind == "delivery.approved":
        text = _(
            "Meal delivery for %(resident)s is approved. The first meal comes on %(day)s.",
            day=day("start"),
            **words,
        )
    elif kind == "delivery.declined":
        text = _(
            "Meal delivery for %(resident)s was not approved. %(reason)s",
            reason=DECLINE_REASONS.get(params.get("reason"), ""),
            **words,
        )
    elif kind == "delivery.paused":
        text = _(
            "Meal delivery for %(resident)s is paused from %(first)s to %(last)s.",
            first=day("first"),
            last=day("last"),
            **words,
        )
    elif kind == "delivery.stopped":
        text = _("Meal delivery for %(resident)s has stopped.", **words)
    elif kind == "delivery.no_answer":
        link = url_for("help.mine", resident_id=params["resident_id"])
        text = _(
            "Nobody answered the door when %(meal)s was brought to %(resident)s at %(time)s. "
            "Their grid worker has been asked to check on them.",
            meal=str(MEAL_KINDS.get(params.get("meal"), params.get("meal", ""))).lower(),
            time=params.get("time", ""),
            **words,
        )
    else:
        text = _("There is news about meal delivery for %(resident)s.", **words)
    return text, link


def _delivery_link(resident_id: int | None) -> str | None:
    if resident_id is None or "delivery.overview" not in current_app.view_functions:
        return None
    return url_for("delivery.overview", resident_id=resident_id)
