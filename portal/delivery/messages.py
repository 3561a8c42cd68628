"""How meal delivery's notifications read, in the reader's language."""

from datetime import date

from babel.dates import format_skeleton
from flask import current_app, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from portal.accounts.models import Person
from portal.canteen.labels import MEAL_KINDS
from portal.delivery.labels import DECLINE_REASONS
from portal.extensions import db


def describe(kind: str, params: dict) -> tuple[str, str | None]:
    """A sentence about a resident's meal delivery, dates and reasons in the reader's language."""
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
