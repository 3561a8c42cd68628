"""Reading the community structure: whom a person should call for help."""

from dataclasses import dataclass
from functools import cache

from sqlalchemy import and_, bindparam, inspect, select
from sqlalchemy.orm import aliased, with_expression

from portal.accounts.models import FamilyLink, Kiosk, LinkStatus, Person, Role, RoleGrant
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
    """The community whose hotline the help strip shows: the kiosk's, the person's own, for a
    family member (who has none) their first linked resident's, else the first community."""
    if kiosk is not None:
        return kiosk.community
    if person is not None:
        if person.community_id:
            return person.community
        linked = db.session.scalar(_linked_community_query(), {"family_id": person.id})
        if linked is not None:
            return linked
    return db.session.scalar(select(Community).order_by(Community.id).limit(1))


@cache
def _linked_community_query():
    resident = aliased(Person)
    return (
        select(Community)
        .join(resident, resident.community_id == Community.id)
        .join(FamilyLink, FamilyLink.resident_id == resident.id)
        .where(
            FamilyLink.family_id == bindparam("family_id"),
            FamilyLink.status == LinkStatus.ACTIVE,
        )
        .order_by(FamilyLink.created_at, FamilyLink.id)
        .limit(1)
    )


def _first_grid_worker(worker, building_id, *columns):
    """columns of the first grid worker (aliased as worker) of the building with building_id,
    by grant: the number a resident's help strip shows."""
    return (
        select(*columns)
        .select_from(Building)
        .join(Grid, Grid.id == Building.grid_id)
        .join(RoleGrant, and_(RoleGrant.grid_id == Grid.id, RoleGrant.role == Role.GRID_WORKER))
        .join(worker, worker.id == RoleGrant.person_id)
        .where(Building.id == building_id)
        .order_by(RoleGrant.id)
        .limit(1)
    )


@cache
def _grid_worker_query():
    return _first_grid_worker(
        Person, bindparam("building_id"), Person.name, Person.phone, Grid.community_id
    )


def with_help_contacts() -> tuple:
    """Loader options that read a person's grid worker and the grid's community with them, for
    help_contacts: every page shows these, so they come with the signed-in person."""
    worker = aliased(Person)

    def first(column):
        return (
            _first_grid_worker(worker, Person.building_id, column)
            .correlate(Person)
            .scalar_subquery()
        )

    return (
        with_expression(Person.help_worker_name, first(worker.name)),
        with_expression(Person.help_worker_phone, first(worker.phone)),
        with_expression(Person.help_community_id, first(Grid.community_id)),
    )


def _grid_worker_of(person: Person):
    """(name, phone, community id) of the person's grid worker, or None when their grid has none."""
    if "help_community_id" not in inspect(person).unloaded:
        if person.help_community_id is None:
            return None
        return person.help_worker_name, person.help_worker_phone, person.help_community_id
    found = db.session.execute(_grid_worker_query(), {"building_id": person.building_id}).first()
    return tuple(found) if found else None


def help_contacts(person: Person | None, kiosk: Kiosk | None) -> HelpContacts:
    """Whom this person, on this device, should call: their grid worker, the hotline, 120."""
    if person is not None and person.has_role(Role.RESIDENT) and person.building_id:
        found = _grid_worker_of(person)
        if found is not None:
            name, phone, community_id = found
            # On a kiosk, the hotline is the kiosk's community's, as for everyone else there.
            if kiosk is not None and kiosk.community_id != community_id:
                community = kiosk.community
            elif person.community_id == community_id:
                community = person.community
            else:
                community = db.session.get(Community, community_id)
            return HelpContacts(name, phone, community.hotline)
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
