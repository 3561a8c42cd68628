"""How the office's notifications about a resident read to their family, in the reader's
language: a leaving in words fit for its reason, and a return home."""

from datetime import date

from babel.dates import format_skeleton
from flask_babel import get_locale
from flask_babel import gettext as _

from portal.accounts.models import Person
from portal.extensions import db


def describe(kind: str, params: dict) -> tuple[str, str | None]:
    resident = db.session.get(Person, params.get("resident_id", 0))
    name = resident.name if resident else ""
    value = params.get("day")
    day = format_skeleton("MMMEd", date.fromisoformat(value), locale=get_locale()) if value else ""
    if kind == "resident.moved_out":
        text = _(
            "The community office has recorded that %(name)s moved out on %(day)s. Their meals, "
            "meal deliveries and activity places from then on are cancelled.",
            name=name,
            day=day,
        )
    elif kind == "resident.hospital":
        text = _(
            "The community office has recorded that %(name)s is in hospital since %(day)s. Their "
            "meals and activity places are cancelled and meal delivery is paused until they are "
            "home. Please tell the office when they come home.",
            name=name,
            day=day,
        )
    elif kind == "resident.deceased":
        text = _(
            "With our deepest sympathy. The community office has recorded that %(name)s passed "
            "away on %(day)s. Their meals, meal deliveries and activity places are cancelled; "
            "nothing more will be sent about them. Please call the office if you need anything.",
            name=name,
            day=day,
        )
    elif kind == "resident.returned":
        text = _(
            "Welcome home: the community office has recorded that %(name)s is back from hospital. "
            "Meal delivery resumes; meals and activities can be booked again.",
            name=name,
        )
    else:
        text = _("You have a new message.")
    return text, None
