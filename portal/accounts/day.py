"""The grid worker's day: one list of everything that asks for them today, made of the items each
feature registers (help requests to take or finish, residents due a visit, meals a round could not
bring). Each item says how urgent it is, whose colour it carries and since when it waits, and the
feature's own template draws it with its one next action.

The day refreshes itself, so it is asked for far more often than it changes: each feature also
registers a fingerprint of what its items are made of, and the day reads them all in one statement
before it reads, let alone draws, any item."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from hashlib import sha1

from sqlalchemy import select

from portal.accounts.models import CareColour, Person, Role
from portal.community.models import Building, Grid
from portal.extensions import db

COLOUR_ORDER = {CareColour.RED: 0, CareColour.YELLOW: 1, CareColour.GREEN: 2}


@dataclass(frozen=True)
class Item:
    key: str  # unique in the day: the feature's name and its record's id
    urgent: bool
    colour: str | None  # the resident's care colour, if the item is about one
    since: datetime  # when it began to wait, naive UTC
    template: str  # the feature's template for it, given `item`
    subject: object  # what the template shows


Read = Callable[[Person, datetime], list[Item]]
# Scalar subqueries (counts, latest changes) of the rows a feature's items are made of.
Fingerprint = Callable[[Person, datetime], list]

_sources: dict[str, tuple[Read, Fingerprint]] = {}


def register(name: str, read: Read, fingerprint: Fingerprint) -> None:
    """Add what read(worker, now) gives to every grid worker's day. fingerprint(worker, now)
    gives scalar subqueries whose values move whenever an item of read(worker, now) would come, go
    or change, apart from the day's date and the worker's own grants, which the day adds. A name
    again replaces it."""
    _sources[name] = (read, fingerprint)


def grids_of(worker: Person, now: datetime) -> set[int]:
    """The grids worker serves as a grid worker today."""
    return {g.grid_id for g in worker.grants_in_force(now) if g.role == Role.GRID_WORKER}


def residents_of(grids: set[int]):
    """The ids of the people who live in grids, as a query to narrow a fingerprint's rows by. It
    reads from a common table expression, so that a fingerprint's subqueries find them once."""
    living = (
        select(Person.id)
        .join(Building, Building.id == Person.building_id)
        .where(Building.grid_id.in_(grids))
        .cte()
    )
    return select(living.c.id)


def communities_of(grids: set[int]):
    """The ids of the communities of grids, as a query."""
    return select(Grid.community_id).where(Grid.id.in_(grids))


def _order(item: Item):
    return (not item.urgent, COLOUR_ORDER.get(item.colour, len(COLOUR_ORDER)), item.since, item.key)


def items(worker: Person, now: datetime) -> list[Item]:
    """Everything the features ask of worker now: urgent first, then red, yellow, green and the
    rest, the longest waiting first within each."""
    found = [item for read, _fingerprint in _sources.values() for item in read(worker, now)]
    return sorted(found, key=_order)


def version(worker: Person, now: datetime) -> str:
    """A fingerprint of worker's day at now, read in one statement: it changes when an item
    would come, go or change, and when the date or the worker's grants do."""
    columns = [c for _read, fingerprint in _sources.values() for c in fingerprint(worker, now)]
    values = tuple(db.session.execute(select(*columns)).one()) if columns else ()
    grants = sorted(
        (g.id, g.role, g.grid_id, str(g.starts_on), str(g.ends_on)) for g in worker.grants
    )
    digest = sha1(usedforsecurity=False)
    digest.update(repr((str(worker.today(now)), str(worker.away_until), grants, values)).encode())
    return digest.hexdigest()[:16]
