"""The grid worker's day: one list of everything that asks for them today, made of the items each
feature registers (help requests to take or finish, residents due a visit, meals a round could not
bring). Each item says how urgent it is, whose colour it carries and since when it waits, and the
feature's own template draws it with its one next action."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from hashlib import sha1

from portal.accounts.models import CareColour, Person

COLOUR_ORDER = {CareColour.RED: 0, CareColour.YELLOW: 1, CareColour.GREEN: 2}


@dataclass(frozen=True)
class Item:
    key: str  # unique in the day: the feature's name and its record's id
    version: str  # changes whenever what the item shows changes
    urgent: bool
    colour: str | None  # the resident's care colour, if the item is about one
    since: datetime  # when it began to wait, naive UTC
    template: str  # the feature's template for it, given `item`
    subject: object  # what the template shows


_sources: dict[str, Callable[[Person, datetime], list[Item]]] = {}


def register(name: str, read: Callable[[Person, datetime], list[Item]]) -> None:
    """Add what read(worker, now) gives to every grid worker's day; a name again replaces it."""
    _sources[name] = read


def _order(item: Item):
    return (not item.urgent, COLOUR_ORDER.get(item.colour, len(COLOUR_ORDER)), item.since, item.key)


def items(worker: Person, now: datetime) -> list[Item]:
    """Everything the features ask of worker now: urgent first, then red, yellow, green and the
    rest, the longest waiting first within each."""
    found = [item for read in _sources.values() for item in read(worker, now)]
    return sorted(found, key=_order)


def version(found: list[Item]) -> str:
    """A fingerprint of the day: it changes when an item comes, goes or changes."""
    digest = sha1(usedforsecurity=False)
    for item in found:
        digest.update(f"{item.key}:{item.version};".encode())
    return digest.hexdigest()[:16]
