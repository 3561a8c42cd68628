"""Turn a stored notification into words and a link, in the reader's language, when it is read.

Each feature registers how its notifications read: a function of the kind ("delivery.approved")
and the stored parameters, giving the sentence and where it leads (or None), under the kind's
first word ("delivery")."""

from collections.abc import Callable

from flask_babel import gettext as _

from portal.notifications.models import Notification

Describe = Callable[[str, dict], tuple[str, str | None]]

_describers: dict[str, Describe] = {}


def register(feature: str, describe: Describe) -> None:
    _describers[feature] = describe


def describe(notification: Notification) -> tuple[str, str | None]:
    """The sentence to show for notification, and where it leads (or None)."""
    feature = notification.kind.partition(".")[0]
    describer = _describers.get(feature)
    if describer is None:
        return _("You have a new message."), notification.link
    return describer(notification.kind, notification.params or {})
