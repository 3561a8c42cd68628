"""A resident's rights over what the portal holds about them (PIPL): a copy of all of it, to
download as JSON or read as a page; a request to delete it; and the deletion staff carry out,
which erases their personal details and keeps, under a number, the records that must stay
(meals and their subsidies, help requests, the audit log)."""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.accounts import profile
from portal.accounts.models import FamilyLink, Leaving, Person, Role
from portal.administration import residents, retention
from portal.administration.labels import RESIDENT_FIELDS
from portal.audit import services as audit
from portal.extensions import db
from portal.model_base import utcnow
from portal.notifications.models import Notification

# What each part of the copy and each of its fields is called, in the reader's language.
PARTS = {
    "details": _l("Details on record"),
    "emergency_contacts": _l("Emergency contacts"),
    "family_links": _l("Family linked"),
    "meals": _l("Meals booked"),
    "meal_delivery": _l("Meal delivery"),
    "activities": _l("Activities"),
    "help_requests": _l("Help requests"),
    "messages": _l("Messages sent"),
}
FIELDS = {
    **RESIDENT_FIELDS,
    "phone": _l("Phone"),  # a resident's mobile, or an emergency contact's number of any kind
    "left_reason": _l("Left home"),
    "left_on": _l("On which day"),
    "created_at": _l("On record since"),
    "relation": _l("What they are to the resident"),
    "family": _l("Family member"),
    "kinship": _l("Kinship"),
    "status": _l("Status"),
    "day": _l("Day"),
    "meal": _l("Meal"),
    "dish": _l("Dish"),
    "how": _l("How"),
    "price_yuan": _l("Price (yuan)"),
    "booked_at": _l("Booked at"),
    "applied_at": _l("Applied at"),
    "lunch": _l("Lunch"),
    "dinner": _l("Dinner"),
    "weekdays": _l("Days of the week (0 is Monday)"),
    "start_day": _l("First day"),
    "access_notes": _l("At the door"),
    "diet": _l("Diet"),
    "contact_phone": _l("Contact phone"),
    "activity": _l("Activity"),
    "starts_at": _l("Starts"),
    "checked_in_at": _l("Checked in"),
    "asked_at": _l("Asked at"),
    "what": _l("What"),
    "notes": _l("Notes"),
    "kind": _l("Kind"),
    "at": _l("Sent at"),
    "read_at": _l("Read at"),
}


class AlreadyErased(Exception):
    pass


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


_DETAILS = (
    "name",
    "resident_code",
    "birth_date",
    "sex",
    "phone",
    "landline",
    "unit",
    "room",
    "floor",
    "special_support",
    "care_colour",
    "care_colour_reason",
    "diet_notes",
    "language",
    "left_reason",
    "left_on",
    "created_at",
)


def everything(reader: Person, person: Person) -> dict[str, list[dict]]:
    """All the portal holds about person, part by part ({part: [{field: text}]}), in the order
    a reader goes through it; the reading is audited when someone else reads it."""
    details = {name: _text(getattr(person, name)) for name in _DETAILS}
    details["building"] = person.building.name if person.building else ""
    details["community"] = person.community.name if person.community else ""
    data: dict[str, list[dict]] = {"details": [details]}
    data["emergency_contacts"] = [
        {"name": c.name, "relation": c.relation, "phone": c.phone}
        for c in person.emergency_contacts
    ]
    links = db.session.scalars(
        select(FamilyLink).where(FamilyLink.resident_id == person.id).order_by(FamilyLink.id)
    )
    data["family_links"] = [
        {"family": link.family.name, "kinship": link.kinship, "status": link.status}
        for link in links
    ]
    for name, read in profile.exports().items():
        data[name] = read(person)
    messages = db.session.scalars(
        select(Notification)
        .where(Notification.recipient_id == person.id)
        .order_by(Notification.created_at)
    )
    data["messages"] = [
        {"kind": m.kind, "at": _text(m.created_at), "read_at": _text(m.read_at)} for m in messages
    ]
    if reader.id != person.id:
        audit.record(reader, "resident.data_exported", person)
        db.session.commit()
    return data


def request_deletion(actor: Person, resident: Person, now: datetime | None = None) -> bool:
    """Record that resident (or family for them) asks the office to delete their data; True the
    first time, False when it is asked already."""
    if resident.deletion_requested_at is not None:
        return False
    resident.deletion_requested_at = now or utcnow()
    audit.record(actor, "resident.deletion_requested", resident)
    db.session.commit()
    return True


def erase(admin: Person, resident: Person, now: datetime | None = None) -> dict[str, int]:
    """Carry out a deletion: a resident still at home leaves today (what they booked is given
    back, family told), then their personal details are erased; returns what was given back."""
    if resident.anonymised_at is not None:
        raise AlreadyErased(resident.id)
    if not admin.administers(resident.community_id) or not resident.has_role(Role.RESIDENT):
        raise residents.NotAdministered(resident.id)
    now = now or utcnow()
    given_back: dict[str, int] = {}
    if resident.left_reason is None:
        given_back = residents.record_leaving(
            admin, resident, Leaving.MOVED_OUT, resident.today(now), now=now
        )
    retention.anonymise(resident, now)
    audit.record(admin, "resident.erased_on_request", resident)
    db.session.commit()
    return given_back
