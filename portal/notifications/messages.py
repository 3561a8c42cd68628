"""Turn a stored notification into words and a link, in the reader's language, when it is read."""

from flask import url_for
from flask_babel import gettext as _

from portal.notifications.models import Notification


def describe(notification: Notification) -> tuple[str, str | None]:
    """The sentence to show for notification, and where it leads (or None)."""
    from portal.help.labels import CATEGORY_TITLES, STATUS_LABELS

    params = notification.params or {}
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
    return _("You have a new message."), notification.link
