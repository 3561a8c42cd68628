"""Reading the community structure: whom a person should call for help."""

from dataclasses import dataclass

from sqlalchemy import select

from portal.accounts.models import Kiosk, Person, Role, RoleGrant
from portal.community.models import Community, Grid, Partner
from portal.extensions import db

EMERGENCY_NUMBER = "120"


@dataclass(frozen=True)
class HelpContacts:
    """The numbers on the help strip: the grid worker (when known), the community hotline, 120."""

    grid_worker_name: str | None
    grid_worker_phone: str | None
    hotline: str | None
    emergency: str = EMERGENCY_NUMBER


def _community_of(person: Person | None, kiosk: Kiosk | None) -> Community | None:
    if kiosk is not None:
        return kiosk.community
    if person is not None and person.community_id:
        return person.community
    return db.session.scalar(select(Community).order_by(Community.id).limit(1))


def grid_worker_of(person: Person) -> Person | None:
    """The first grid worker of the grid the resident lives in, or None."""
    if person.building_id is None:
        return None
    query = (
        select(Person)
        .join(RoleGrant, RoleGrant.person_id == Person.id)
        .join(Grid, Grid.id == RoleGrant.grid_id)
        .where(RoleGrant.role == Role.GRID_WORKER, Grid.id == person.building.grid_id)
        .order_by(RoleGrant.id)
        .limit(1)
    )
    return db.session.scalar(query)


def help_contacts(person: Person | None, kiosk: Kiosk | None) -> HelpContacts:
    """Whom this person, on this device, should call: their grid worker, the hotline, 120."""
    worker = (
        grid_worker_of(person) if person is not None and person.has_role(Role.RESIDENT) else None
    )
    community = _community_of(person, kiosk)
    return HelpContacts(
        grid_worker_name=worker.name if worker else None,
        grid_worker_phone=worker.phone if worker else None,
        hotline=community.hotline if community else None,
    )


def list_communities() -> list[Community]:
    return list(db.session.scalars(select(Community).order_by(Community.id)))


def grids_served_by(person: Person) -> list[Grid]:
    """The grids a grid worker or volunteer serves."""
    grid_ids = [grant.grid_id for grant in person.grants if grant.grid_id]
    if not grid_ids:
        return []
    query = select(Grid).where(Grid.id.in_(grid_ids)).order_by(Grid.community_id, Grid.name)
    return list(db.session.scalars(query.options(db.joinedload(Grid.community))))


def partners_of(community_id: int | None) -> list[Partner]:
    query = select(Partner).where(Partner.community_id == community_id).order_by(Partner.name)
    return list(db.session.scalars(query))


def add_partner(admin: Person, name: str, phone: str | None) -> Partner:
    """Add a partner to the admin's own community and record it in the audit log."""
    from portal.audit import services as audit

    partner = Partner(
        community_id=admin.community_id, name=name.strip(), phone=(phone or "").strip() or None
    )
    db.session.add(partner)
    db.session.flush()
    audit.record(admin, "partner.added", partner=partner.name)
    db.session.commit()
    return partner
