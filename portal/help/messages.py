"""How the help queue's notifications read, in the reader's language."""

from flask import url_for
from flask_babel import gettext as _

from portal.help.labels import CATEGORY_TITLES, STATUS_LABELS


def describe(kind: str, params: dict) -> tuple[str, str | None]:
    """A sentence about a change to a resident's request for help."""
    words = {
        "resident": params.get("resident", ""),
        "category": CATEGORY_TITLES.get(params.get("category"), params.get("category", "")),
        "status": STATUS_LABELS.get(params.get("status"), params.get("status", "")),
    }
    link = url_for("help.mine", resident_id=params["resident_id"])
    if kind == "help.note":
        text = _("There is a new note on %(resident)s's request for help (%(category)s).", **words)
    else:
        text = _("%(resident)s's request for help (%(category)s) is now: %(status)s.", **words)
    return text, link
