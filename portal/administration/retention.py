"""Keeping a resident's personal details no longer than needed (PIPL): once the retention period
their street office sets has run from the day they moved out or died, the details are erased and
the person kept only as a number, so that records which must stay (meals and their subsidies,
help requests, the audit log) still add up."""

from datetime import date, datetime, timedelta

from sqlalchemy import delete, select, update

from portal.accounts.models import (
    EmergencyContact,
    FamilyLink,
    Leaving,
    LinkStatus,
    Person,
    SignIn,
    administered_by,
)
from portal.audit import services as audit
from portal.community.models import Community, StreetOffice
from portal.extensions import db
from portal.jobs import run_alone
from portal.model_base import utcnow

RETENTION_MOST_MONTHS = 120
# The details a person is erased of; the building stays, for the community's own figures.
_ERASED = (
    "phone",
    "landline",
    "password_hash",
    "resident_code",
    "pin_hash",
    "unit",
    "room",
    "floor",
    "birth_date",
    "sex",
    "care_colour",
    "care_colour_reason",
    "diet_notes",
    "language",
)


def months_after(day: date, months: int) -> date:
    """The same day months later, or the month's last day when it has none (31 Jan + 1: 28 Feb)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def due(now: datetime | None = None) -> list[Person]:
    """The people who moved out or died longer ago than their street office keeps them, and are
    not yet anonymised."""
    now = now or utcnow()
    found = db.session.execute(
        select(Person, StreetOffice.retention_months)
        .join(Community, Community.id == Person.community_id)
        .join(StreetOffice, StreetOffice.id == Community.street_office_id)
        .where(
            Person.left_reason.in_((Leaving.MOVED_OUT, Leaving.DECEASED)),
            Person.left_on.is_not(None),
            Person.anonymised_at.is_(None),
        )
        .order_by(Person.id)
    ).all()
    return [
        person
        for person, months in found
        if months_after(person.left_on, months) <= person.today(now)
    ]


def anonymise(person: Person, now: datetime | None = None) -> None:
    """Erase person's details, end their family links and sign-ins, and record it; without
    committing."""
    now = now or utcnow()
    for name in _ERASED:
        setattr(person, name, None)
    person.name = f"#{person.id}"
    person.anonymised_at = now
    db.session.execute(delete(EmergencyContact).where(EmergencyContact.person_id == person.id))
    db.session.execute(
        update(FamilyLink)
        .where(
            FamilyLink.resident_id == person.id,
            FamilyLink.status.in_((LinkStatus.PENDING, LinkStatus.ACTIVE)),
        )
        .values(status=LinkStatus.ENDED, decided_at=now)
    )
    db.session.execute(
        update(SignIn)
        .where(SignIn.person_id == person.id, SignIn.ended_at.is_(None))
        .values(ended_at=now)
    )
    audit.record(None, "resident.anonymised", person)


RETENTION_LEASE_MINUTES = 30


def run(now: datetime | None = None) -> int:
    """Anonymise everyone due, each in its own commit; a copy started while one runs does
    nothing (jobs.AlreadyRunning). Run again, it finds nobody new. Returns how many."""
    now = now or utcnow()
    with run_alone("retention", lease=timedelta(minutes=RETENTION_LEASE_MINUTES), now=now):
        people = due(now)
        for person in people:
            anonymise(person, now)
            db.session.commit()
    return len(people)


# The street office's setting -----------------------------------------------------------------


def street_offices_of(admin: Person) -> list[StreetOffice]:
    """The street offices whose retention admin sets: all of them for an admin of every
    community, none for anyone else."""
    if not admin.administers_every_community:
        return []
    return list(db.session.scalars(select(StreetOffice).order_by(StreetOffice.name)))


def set_retention(admin: Person, office: StreetOffice, months: int) -> None:
    """Keep the residents of office who left for months (1 to RETENTION_MOST_MONTHS); audited."""
    if not 1 <= months <= RETENTION_MOST_MONTHS:
        raise ValueError(months)
    changed = audit.apply_changes(office, ("retention_months",), {"retention_months": months})
    if changed:
        audit.record(admin, "resident.retention_set", office=office.name, **changed)
    db.session.commit()


def waiting(admin: Person, now: datetime | None = None) -> tuple[int, int]:
    """(how many who left are kept, how many of them are due now) in the admin's communities."""
    left = db.session.scalars(
        select(Person).where(
            Person.left_reason.in_((Leaving.MOVED_OUT, Leaving.DECEASED)),
            Person.anonymised_at.is_(None),
            administered_by(admin, Person.community_id),
        )
    ).all()
    due_ids = {person.id for person in due(now)}
    return len(left), sum(1 for person in left if person.id in due_ids)
