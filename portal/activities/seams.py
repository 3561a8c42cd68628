"""Where other features meet the activity calendar: what they add to its pages."""

from collections.abc import Callable
from typing import NamedTuple


class EventAction(NamedTuple):
    label: str  # a lazy string, read in the reader's language
    url: Callable  # of the Event: the page that does it


# What an organiser can do about an event besides the calendar's own: service points credit the
# helpers. Keyed by the feature's name, so that registering again replaces its action.
_event_actions: dict[str, EventAction] = {}


def add_event_action(name: str, label: str, url: Callable) -> None:
    _event_actions[name] = EventAction(label, url)


def event_actions(event) -> list[tuple[str, str]]:
    """(label, url) of what other features offer for event on its organiser's page."""
    return [(action.label, action.url(event)) for action in _event_actions.values()]
