"""Reading the community structure: whom a person should call for help."""

from dataclasses import dataclass
from functools import cache

from sqlalchemy import and_, bindparam, select

from portal.accounts.models import Kiosk, Person, Role, RoleGrant
from portal.community.models import Building, Community, Grid, Partner
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


@cache
def _grid_worker_query():
    """A building's grid's first grid worker, with the community's hotline."""
    return (
        select(Person.name, Person.phone, Community.hotline, Community.id)
        .select_from(Building)
        .join(Grid, Grid.id == Building.grid_id)
        .join(Community, Community.id == Grid.community_id)
        .join(RoleGrant, and_(RoleGrant.grid_id == Grid.id, RoleGrant.role == Role.GRID_WORKER))
        .join(Person, Person.id == RoleGrant.person_id)
        .where(Building.id == bindparam("building_id"))
        .order_by(RoleGrant.id)
        .limit(1)
    )


def help_contacts(person: Person | None, kiosk: Kiosk | None) -> HelpContacts:
    """Whom this person, on this device, should call: their grid worker, the hotline, 120.

    Every page shows these, so a resident's are read in one query, built once."""
    if person is not None and person.has_role(Role.RESIDENT) and person.building_id:
        found = db.session.execute(
            _grid_worker_query(), {"building_id": person.building_id}
        ).first()
        if found is not None:
            # On a kiosk, the hotline is the kiosk's community's, as for everyone else there.
            elsewhere = kiosk is not None and kiosk.community_id != found.id
            hotline = kiosk.community.hotline if elsewhere else found.hotline
            return HelpContacts(found.name, found.phone, hotline)
    community = _community_of(person, kiosk)
    return HelpContacts(None, None, community.hotline if community else None)


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
