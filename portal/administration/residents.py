"""Residents as the admins of their community see them: the list, found by what staff know of a
person (a name, its pinyin or initials, a resident code, a phone, a building or a room) in pinyin
order; one resident's profile; and the PIN they sign in at the kiosk with."""

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import ColumnElement, and_, or_, select

from portal.accounts import profile as profiles
from portal.accounts import services as accounts
from portal.accounts.models import CareColour, FamilyLink, Person, Role, RoleGrant, administered_by
from portal.audit import services as audit
from portal.community.models import Building, Community, Grid
from portal.extensions import db
from portal.model_base import utcnow
from portal.web.paging import page_of
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
    return page_of(query, page, per_page)


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


# One resident --------------------------------------------------------------------------------

PIN_DIGITS = 6


def resident_of(reader: Person, resident_id: int) -> Person | None:
    """The resident with resident_id if reader administers their community; None as if there
    were none."""
    person = accounts.administered_person(reader, resident_id)
    return person if person is not None and person.has_role(Role.RESIDENT) else None


@dataclass
class Profile:
    """Everything the portal holds about a resident that an admin may read, in one place: the
    details, the family, and each part a feature registered with what it shows."""

    resident: Person
    family: list[FamilyLink]
    parts: list[tuple[profiles.Part, list]]


def profile(reader: Person, resident: Person, now: datetime | None = None) -> Profile:
    """resident's profile as reader reads it; the reading is audited, as it shows care data."""
    now = now or utcnow()
    audit.record(reader, "resident.profile_read", resident)
    db.session.commit()
    return Profile(
        resident=resident,
        family=accounts.links_of_resident(resident),
        parts=[(part, part.read(resident, now)) for part in profiles.parts()],
    )


def _easy(pin: str) -> bool:
    """A PIN someone could guess: one digit repeated, or digits counting up or down."""
    steps = {int(b) - int(a) for a, b in zip(pin, pin[1:], strict=False)}
    return len(set(pin)) == 1 or steps in ({1}, {-1})


def issue_pin(admin: Person, resident: Person) -> str:
    """A new PIN for resident, which the admin hands over on a slip: shown this once, never
    stored but as a hash. Every device the resident was signed in on is signed out."""
    while _easy(pin := "".join(secrets.choice("0123456789") for _ in range(PIN_DIGITS))):
        pass
    accounts.set_pin(resident, pin)
    audit.record(admin, "resident.pin_issued", resident)
    db.session.commit()
    return pin
