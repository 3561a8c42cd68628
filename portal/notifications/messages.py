"""Turn a stored notification into words and a link, in the reader's language, when it is read.

Each feature registers how its notifications read: a function of the kind ("delivery.approved")
and the stored parameters, giving the sentence and where it leads (or None), under the kind's
first word ("delivery")."""

from collections.abc import Callable

from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from portal.notifications.models import Notification

Describe = Callable[[str, dict], tuple[str, str | None]]

# A batch of one feature's notifications to one reader, sent as one message: the parameters of
# each, oldest first, give the sentence and where it leads.
DescribeBatch = Callable[[list[dict]], tuple[str, str | None]]

_describers: dict[str, Describe] = {}
_batch_describers: dict[str, DescribeBatch] = {}


def register(feature: str, describe: Describe, batch: DescribeBatch | None = None) -> None:
    _describers[feature] = describe
    if batch is not None:
        _batch_describers[feature] = batch


def describe(notification: Notification) -> tuple[str, str | None]:
    """The sentence to show for notification, and where it leads (or None)."""
    feature = notification.kind.partition(".")[0]
    describer = _describers.get(feature)
    if describer is None:
        return _("You have a new message."), notification.link
    return describer(notification.kind, notification.params or {})


def describe_batch(notifications: list[Notification]) -> tuple[str, str | None]:
    """The sentence for several notifications of one batch sent as one message."""
    feature = notifications[0].kind.partition(".")[0]
    describer = _batch_describers.get(feature)
    if describer is None:
        return ngettext(
            "You have %(num)s new message.", "You have %(num)s new messages.", len(notifications)
        ), url_for("notifications.inbox")
    return describer([n.params or {} for n in notifications])
