"""Residents as the admins of their community see them: the list, found by what staff know of a
person (a name, its pinyin or initials, a resident code, a phone, a building or a room) in pinyin
order; one resident's profile; enrolling and changing them, every change audited; and the PIN they
sign in at the kiosk with."""

import re
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.exc import IntegrityError

from portal.accounts import profile as profiles
from portal.accounts import seams as resident_seams
from portal.accounts import services as accounts
from portal.accounts.models import (
    CareColour,
    EmergencyContact,
    FamilyLink,
    Leaving,
    LinkStatus,
    Person,
    Role,
    RoleGrant,
    administered_by,
)
from portal.audit import services as audit
from portal.community.models import Building, Community, Grid
from portal.extensions import db
from portal.model_base import utcnow
from portal.notifications.services import notify
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


def _found(reader: Person, filters: Filters):
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
    return query


def find(
    reader: Person, filters: Filters, page: int = 1, per_page: int = RESIDENTS_PAGE
) -> Pagination:
    """One page of the residents of the communities reader administers that filters keep, in
    pinyin order, with how many there are; a page past the last gives the last."""
    return page_of(_found(reader, filters), page, per_page)


EXPORT_MOST = 50_000


def export(reader: Person, filters: Filters) -> list[Person]:
    """Every resident find() would page through, with their emergency contacts; the export is
    recorded, as it carries personal data away."""
    query = _found(reader, filters).options(db.selectinload(Person.emergency_contacts))
    people = list(db.session.scalars(query.limit(EXPORT_MOST)).unique())
    shown = {name: value for name, value in vars(filters).items() if value not in ("", None)}
    audit.record(reader, "resident.exported", people=len(people), **shown)
    db.session.commit()
    return people


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


def buildings_of(reader: Person) -> list[Building]:
    """The buildings of the communities reader administers, by community, grid and name: where
    a resident they enrol may live."""
    query = (
        select(Building)
        .join(Grid, Grid.id == Building.grid_id)
        .join(Community, Community.id == Grid.community_id)
        .where(administered_by(reader, Grid.community_id))
        .order_by(Community.name, Grid.name, Building.name)
        .options(db.contains_eager(Building.grid).contains_eager(Grid.community))
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
    pin = new_pin(admin, resident)
    db.session.commit()
    return pin


def new_pin(admin: Person, resident: Person) -> str:
    """issue_pin() in the caller's transaction."""
    while _easy(pin := "".join(secrets.choice("0123456789") for _ in range(PIN_DIGITS))):
        pass
    accounts.set_pin(resident, pin)
    audit.record(admin, "resident.pin_issued", resident)
    return pin


# Enrolling and changing a resident -------------------------------------------------------------


class ResidentError(Exception):
    pass


class PhoneTaken(ResidentError):
    """The mobile number is another account's: every person signs in with their own."""

    def __init__(self, holder: Person):
        super().__init__(holder.id)
        self.holder = holder


class AlreadyEnrolled(ResidentError):
    """Someone of that name and birth date already lives in the community."""

    def __init__(self, resident: Person):
        super().__init__(resident.id)
        self.resident = resident


class ReasonNeeded(ResidentError):
    """A care colour is set or changed without saying why."""


class NotAdministered(ResidentError):
    """The building is in a community the admin does not run."""


@dataclass
class Contact:
    """An emergency contact: whom to call, what they are to the resident, their number (E.164)."""

    name: str
    relation: str
    phone: str


@dataclass
class Details:
    """What the office records of a resident. Phone numbers come normalised: the mobile as
    accounts store it, the landline and the contacts' in E.164."""

    name: str
    building_id: int
    birth_date: date | None = None
    sex: str | None = None
    unit: str | None = None
    room: str | None = None
    floor: int | None = None
    phone: str | None = None
    landline: str | None = None
    special_support: bool = False
    care_colour: str | None = None
    care_colour_reason: str | None = None
    diet_notes: str | None = None
    language: str | None = None
    contacts: list[Contact] = field(default_factory=list)


# The details kept on the person, in the order an audit entry lists their changes.
_FIELDS = (
    "name",
    "birth_date",
    "sex",
    "building_id",
    "unit",
    "room",
    "floor",
    "phone",
    "landline",
    "special_support",
    "care_colour",
    "care_colour_reason",
    "diet_notes",
    "language",
)
CODE_DIGITS = 6


def _new_code() -> str:
    """A resident code nobody holds: six digits, not starting with 0, not guessable in order."""
    while True:
        code = str(secrets.randbelow(9 * 10 ** (CODE_DIGITS - 1)) + 10 ** (CODE_DIGITS - 1))
        if db.session.scalar(select(Person.id).where(Person.resident_code == code)) is None:
            return code


def _check(admin: Person, details: Details, resident: Person | None) -> Building:
    """The building details name, once every rule holds; raises the first that does not."""
    building = db.session.get(Building, details.building_id)
    if building is None or not admin.administers(building.grid.community_id):
        raise NotAdministered(details.building_id)
    if details.phone:
        holder = db.session.scalar(select(Person).where(Person.phone == details.phone))
        if holder is not None and holder is not resident:
            raise PhoneTaken(holder)
    colour_changes = details.care_colour != (resident.care_colour if resident else None)
    if details.care_colour and colour_changes and not details.care_colour_reason:
        raise ReasonNeeded()
    if resident is None and details.birth_date is not None:
        twin = db.session.scalar(
            select(Person)
            .join(
                RoleGrant, and_(RoleGrant.person_id == Person.id, RoleGrant.role == Role.RESIDENT)
            )
            .where(
                Person.community_id == building.grid.community_id,
                Person.name == details.name,
                Person.birth_date == details.birth_date,
            )
        )
        if twin is not None:
            raise AlreadyEnrolled(twin)
    return building


def _values(details: Details) -> dict:
    values = {name: getattr(details, name) for name in _FIELDS}
    if not details.care_colour:
        values["care_colour_reason"] = None
    return values


def _contacts_shown(contacts) -> str:
    return "; ".join(
        f"{c.name} ({c.relation}) {c.phone}" if c.relation else f"{c.name} {c.phone}"
        for c in contacts
    )


def _set_contacts(resident: Person, contacts: list[Contact]) -> str | None:
    """Replace resident's emergency contacts; "old → new" when they changed, else None."""
    old = _contacts_shown(resident.emergency_contacts)
    new = _contacts_shown(contacts)
    if old == new:
        return None
    resident.emergency_contacts = [
        EmergencyContact(position=i, name=c.name, relation=c.relation, phone=c.phone)
        for i, c in enumerate(contacts)
    ]
    return f"{old} → {new}"


def _flush_or_refuse(details: Details) -> None:
    """Write the changes; a mobile number another account took meanwhile refuses them all."""
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        holder = db.session.scalar(select(Person).where(Person.phone == details.phone))
        if holder is None:
            raise
        raise PhoneTaken(holder) from None


def add(admin: Person, details: Details, **source) -> Person:
    """A new resident of the building details name, with a resident code of their own (and no PIN
    yet: the office issues one on a slip), in the caller's transaction; audited with what was
    recorded and source (where the details came from, such as an import)."""
    building = _check(admin, details, None)
    resident = Person(
        community_id=building.grid.community_id, resident_code=_new_code(), **_values(details)
    )
    resident.grants.append(RoleGrant(role=Role.RESIDENT))
    _set_contacts(resident, details.contacts)
    db.session.add(resident)
    _flush_or_refuse(details)
    audit.record(admin, "resident.enrolled", resident, code=resident.resident_code, **source)
    return resident


def enrol(admin: Person, details: Details) -> Person:
    """add() a resident, and commit."""
    resident = add(admin, details)
    db.session.commit()
    return resident


def record(admin: Person, resident: Person, details: Details, **source) -> dict[str, str]:
    """Record details for resident in the caller's transaction; the audit entry lists each
    change as old → new, and source. Returns those changes (none when nothing changed, and then
    nothing is recorded)."""
    building = _check(admin, details, resident)
    changed = audit.apply_changes(resident, _FIELDS, _values(details))
    if "building_id" in changed:
        resident.community_id = building.grid.community_id
    contacts = _set_contacts(resident, details.contacts)
    if contacts:
        changed["emergency_contacts"] = contacts
    if changed:
        _flush_or_refuse(details)
        audit.record(admin, "resident.changed", resident, **changed, **source)
    return changed


def change(admin: Person, resident: Person, details: Details) -> dict[str, str]:
    """record() details for resident, and commit."""
    changed = record(admin, resident, details)
    db.session.commit()
    return changed


# Leaving home, and coming back -----------------------------------------------------------------

# How long ago a leaving may be recorded: an office learns of a death or a move within weeks.
LEAVING_DAYS_BACK = 366


class AlreadyLeft(ResidentError):
    """The resident moved out or died: nothing more can be recorded of their leaving."""


class NotAway(ResidentError):
    """Only a resident in hospital can come home."""


class LeavingDayOutOfRange(ResidentError):
    """A leaving is recorded on or before today, and at most LEAVING_DAYS_BACK days back."""


def _tell_family(resident: Person, kind: str, **params) -> None:
    for link in accounts.links_of_resident(resident):
        if link.status == LinkStatus.ACTIVE:
            notify(link.family, kind, resident_id=resident.id, **params)


def record_leaving(
    admin: Person, resident: Person, reason: Leaving, day: date, now: datetime | None = None
) -> dict[str, int]:
    """resident left home on day, for reason: moving out and dying end their sign-ins and take them
    off the lists of residents living here; a hospital stay pauses what can resume. What they held
    that has not begun (meals, deliveries, activity places) is given back by each feature, and
    linked family are told in words fit for the reason. Recording the same leaving again gives
    back only what is left. Returns {what: how many} was given back."""
    now = now or utcnow()
    today = resident.today(now)
    if not today - timedelta(days=LEAVING_DAYS_BACK) <= day <= today:
        raise LeavingDayOutOfRange()
    again = resident.left_reason == reason
    if resident.left_reason is not None and not again and resident.left_reason != Leaving.HOSPITAL:
        raise AlreadyLeft()
    if not again:
        before = resident.left_reason
        resident.left_reason, resident.left_on = reason, day
        if reason != Leaving.HOSPITAL:
            resident.active = False
        audit.record(
            admin,
            "resident.left",
            resident,
            reason=reason,
            day=day.isoformat(),
            **({"before": before} if before else {}),
        )
        _tell_family(resident, f"resident.{reason}", day=day.isoformat())
        db.session.commit()
    given_back: dict[str, int] = {}
    for _receiver, answer in resident_seams.resident_left.send(
        resident, reason=reason, by=admin, now=now
    ):
        for what, count in (answer or {}).items():
            given_back[what] = given_back.get(what, 0) + count
    if reason != Leaving.HOSPITAL:
        accounts.end_sign_ins(resident, admin, now=now)
    return given_back


def record_return(admin: Person, resident: Person, now: datetime | None = None) -> None:
    """resident is home from hospital: what their stay paused resumes (what was given back stays
    given back), and their family are told."""
    now = now or utcnow()
    if resident.left_reason != Leaving.HOSPITAL:
        raise NotAway()
    away_since = resident.left_on
    resident.left_reason = resident.left_on = None
    audit.record(admin, "resident.returned", resident, since=away_since.isoformat())
    _tell_family(resident, "resident.returned")
    db.session.commit()
    resident_seams.resident_returned.send(resident, by=admin, now=now)
