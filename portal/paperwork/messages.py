"""How paperwork reminders read, in the reader's language."""

from datetime import date

from babel.dates import format_skeleton
from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _


def describe(kind: str, params: dict) -> tuple[str, str | None]:
    """A reminder that a resident's yearly paperwork falls due soon, leading to the page that
    lists what to have ready and asks the grid worker in one tap."""
    names = params.get("kind_names") or {}
    words = {
        "resident": params.get("resident", ""),
        "kind": names.get(str(get_locale())) or next(iter(names.values()), ""),
        "day": format_skeleton("MMMEd", date.fromisoformat(params["due_on"]), locale=get_locale()),
    }
    link = url_for("paperwork.kind", code=params["code"], resident_id=params["resident_id"])
    if params.get("ahead") == "week":
        text = _(
            "%(resident)s's %(kind)s is due in a week, on %(day)s. Ask the grid worker to come: "
            "this shows what to have ready.",
            **words,
        )
    else:
        text = _(
            "%(resident)s's %(kind)s is due in a month, on %(day)s. Ask the grid worker to come: "
            "this shows what to have ready.",
            **words,
        )
    return text, link
