"""The resident list of the communities an admin runs: found by what staff know of a person (a
name, its pinyin or initials, a resident code, a phone, a building or a room), in pinyin order."""

import re
from dataclasses import dataclass

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import ColumnElement, and_, or_, select

from portal.accounts.models import CareColour, Person, Role, RoleGrant, administered_by
from portal.community.models import Building, Community, Grid
from portal.extensions import db
from portal.web.phones import normalise_phone

RESIDENTS_PAGE = 50
_LATIN = re.compile(r"[a-z ]+")


@dataclass
class Filters:
    """What the list is narrowed to; None is any."""

    text: str = ""
    grid_id: int | None = None
    care_colour: CareColour | None = None
    special_support: bool | None = None
    active: bool | None = True


def _matching(text: str) -> ColumnElement[bool]:
    """Residents whom text names: part of the name; the start of its pinyin or initials, typed
    without tones ("wangf", "wf"); the resident code, the mobile number or the room; part of the
    building's name."""
    text = text.strip()
    said = [
        Person.name.contains(text, autoescape=True),
        Person.resident_code == text.upper(),
        Person.phone == normalise_phone(text),
        Person.room == text,
        Building.name.contains(text, autoescape=True),
    ]
    typed = text.lower()
    if _LATIN.fullmatch(typed):
        spelled = typed.replace(" ", "")
        said += [
            Person.name_pinyin.startswith(spelled, autoescape=True),
            Person.name_initials.startswith(spelled, autoescape=True),
        ]
    return or_(*said)


def find(
    reader: Person, filters: Filters, page: int = 1, per_page: int = RESIDENTS_PAGE
) -> Pagination:
    """One page of the residents of the communities reader administers that filters keep, in
    pinyin order, with how many there are; a page past the last gives the last."""
    query = (
        select(Person)
        .join(RoleGrant, and_(RoleGrant.person_id == Person.id, RoleGrant.role == Role.RESIDENT))
        .outerjoin(Building, Building.id == Person.building_id)
        .outerjoin(Grid, Grid.id == Building.grid_id)
        .where(administered_by(reader, Person.community_id))
        .order_by(Person.name_pinyin, Person.name, Person.id)
        .options(db.contains_eager(Person.building).contains_eager(Building.grid))
    )
    if filters.text.strip():
        query = query.where(_matching(filters.text))
    if filters.grid_id is not None:
        query = query.where(Grid.id == filters.grid_id)
    if filters.care_colour is not None:
        query = query.where(Person.care_colour == filters.care_colour)
    if filters.special_support is not None:
        query = query.where(Person.special_support.is_(filters.special_support))
    if filters.active is not None:
        query = query.where(Person.active.is_(filters.active))
    found = db.paginate(query, page=max(page, 1), per_page=per_page, error_out=False)
    if found.page > found.pages > 0:
        found = db.paginate(query, page=found.pages, per_page=per_page, error_out=False)
    return found


def grids_of(reader: Person) -> list[Grid]:
    """The grids of the communities reader administers, to narrow the list to one."""
    query = (
        select(Grid)
        .join(Community, Community.id == Grid.community_id)
        .where(administered_by(reader, Grid.community_id))
        .order_by(Community.name, Grid.name)
        .options(db.contains_eager(Grid.community))
    )
    return list(db.session.scalars(query))
