"""The people who serve a community: grid workers, volunteers, canteen staff, organisers and
admins, each scoped to a community and (grid workers and volunteers) to grids, and the people of
its partners, each scoped to their partner; backup workers who take a grid's queue between two
dates; one-time codes to sign in with, for new accounts and for anyone who forgot their
password; and closing an account, which hands back what it held."""

from dataclasses import dataclass, field
from datetime import date, datetime

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import and_, exists, select
from sqlalchemy.orm import aliased

from portal.accounts import seams
from portal.accounts import services as accounts
from portal.accounts.models import Person, Role, RoleGrant, administered_by
from portal.audit import services as audit
from portal.community.models import Community, Grid, Partner
from portal.extensions import db
from portal.model_base import utcnow
from portal.web.paging import page_of

# The roles an admin grants, in the order the form lists them; grid workers and volunteers serve
# the grids they are given.
STAFF_ROLES = (Role.GRID_WORKER, Role.VOLUNTEER, Role.CANTEEN_STAFF, Role.ORGANISER, Role.ADMIN)
GRID_ROLES = (Role.GRID_WORKER, Role.VOLUNTEER)
# Roles the staff form does not grant, kept as they are when it changes a person's roles.
KEPT_ROLES = (Role.RESIDENT, Role.FAMILY, Role.PARTNER)
STAFF_PAGE = 50


class StaffError(Exception):
    pass


class NotAdministered(StaffError):
    """The person or grid is not of a community the admin runs."""


class PhoneTaken(StaffError):
    def __init__(self, holder: Person):
        super().__init__(holder.id)
        self.holder = holder


class GridNeeded(StaffError):
    """A grid worker or volunteer serves at least one grid."""


class NoRole(StaffError):
    """An account of the staff holds at least one role."""


class BadDates(StaffError):
    """A backup's last day comes before its first, or has passed."""


class OwnAccount(StaffError):
    """An admin does not close their own account, or take away their own admin role."""


@dataclass
class Staffing:
    """What an admin decides about a person of the staff: their roles, and the grids they serve
    as grid worker or volunteer (by id)."""

    roles: set[Role]
    grids: dict[Role, set[int]] = field(default_factory=dict)


def _check_grids(admin: Person, community: Community, staffing: Staffing) -> None:
    if not staffing.roles:
        raise NoRole()
    ids = {grid.id for grid in community.grids}
    for role in GRID_ROLES:
        if role in staffing.roles:
            chosen = staffing.grids.get(role, set())
            if not chosen:
                raise GridNeeded(role)
            if not chosen <= ids:
                raise NotAdministered(chosen - ids)


def _roles_shown(grants) -> str:
    return ", ".join(sorted(f"{g.role}:{g.grid.name}" if g.grid else str(g.role) for g in grants))


def _apply(person: Person, staffing: Staffing) -> None:
    """Make person's lasting grants those of staffing; backups and their resident or family role
    stay as they are."""
    wanted = {
        (role, grid_id)
        for role in staffing.roles
        for grid_id in (staffing.grids.get(role, set()) if role in GRID_ROLES else {None})
    }
    kept = []
    for grant in person.grants:
        key = (Role(grant.role), grant.grid_id)
        if grant.is_backup or grant.role in KEPT_ROLES or key in wanted:
            kept.append(grant)
            wanted.discard(key)
    person.grants = kept + [RoleGrant(role=role, grid_id=grid_id) for role, grid_id in wanted]


def add(
    admin: Person, community: Community, name: str, phone: str, staffing: Staffing
) -> tuple[Person, str]:
    """A new account of community's staff, and the one-time code it first signs in with (shown
    once); audited."""
    if not admin.administers(community.id):
        raise NotAdministered(community.id)
    _check_grids(admin, community, staffing)
    holder = db.session.scalar(select(Person).where(Person.phone == phone))
    if holder is not None:
        raise PhoneTaken(holder)
    person = Person(name=name.strip(), phone=phone, community=community)
    _apply(person, staffing)
    code = accounts.issue_one_time_code(person)
    db.session.add(person)
    db.session.flush()
    audit.record(admin, "account.created", person, roles=_roles_shown(person.grants))
    db.session.commit()
    return person, code


def add_partner_person(
    admin: Person, partner: Partner, name: str, phone: str
) -> tuple[Person, str]:
    """A new account for someone who acts for partner, and the one-time code it first signs in
    with (shown once); audited."""
    if not admin.administers(partner.community_id):
        raise NotAdministered(partner.community_id)
    holder = db.session.scalar(select(Person).where(Person.phone == phone))
    if holder is not None:
        raise PhoneTaken(holder)
    person = Person(name=name.strip(), phone=phone, community_id=partner.community_id)
    person.grants.append(RoleGrant(role=Role.PARTNER, partner=partner))
    code = accounts.issue_one_time_code(person)
    db.session.add(person)
    db.session.flush()
    audit.record(admin, "account.created", person, roles=f"{Role.PARTNER}:{partner.name}")
    db.session.commit()
    return person, code


def people_of(partner: Partner) -> list[Person]:
    """Everyone who acts for partner, closed accounts too, by pinyin."""
    query = (
        select(Person)
        .join(RoleGrant, RoleGrant.person_id == Person.id)
        .where(RoleGrant.role == Role.PARTNER, RoleGrant.partner_id == partner.id)
        .order_by(Person.active.desc(), Person.name_pinyin, Person.id)
    )
    return list(db.session.scalars(query))


def change(admin: Person, person: Person, staffing: Staffing) -> str | None:
    """Give person the roles and grids of staffing; "old → new" when they changed (audited)."""
    _administered(admin, person)
    if person.id == admin.id and Role.ADMIN not in staffing.roles:
        raise OwnAccount()
    _check_grids(admin, person.community, staffing)
    old = _roles_shown(person.grants)
    _apply(person, staffing)
    db.session.flush()
    new = _roles_shown(person.grants)
    if old == new:
        return None
    audit.record(admin, "account.roles_changed", person, roles=f"{old} → {new}")
    db.session.commit()
    return f"{old} → {new}"


def _administered(admin: Person, person: Person) -> None:
    if person.community_id is None or not admin.administers(person.community_id):
        raise NotAdministered(person.id)


def add_backup(
    admin: Person, person: Person, grid: Grid, starts_on: date, ends_on: date, today: date
) -> RoleGrant:
    """person takes grid's queue as a grid worker from starts_on to ends_on, while its worker
    is away; audited."""
    _administered(admin, person)
    if grid.community_id != person.community_id:
        raise NotAdministered(grid.id)
    if ends_on < starts_on or ends_on < today:
        raise BadDates()
    if any(g.role == Role.GRID_WORKER and g.grid_id == grid.id for g in person.grants):
        raise BadDates()
    grant = RoleGrant(role=Role.GRID_WORKER, grid=grid, starts_on=starts_on, ends_on=ends_on)
    person.grants.append(grant)
    audit.record(
        admin, "account.backup_added", person, grid=grid.name, days=f"{starts_on} – {ends_on}"
    )
    db.session.commit()
    return grant


def end_backup(admin: Person, grant: RoleGrant) -> None:
    _administered(admin, grant.person)
    audit.record(
        admin,
        "account.backup_ended",
        grant.person,
        grid=grant.grid.name,
        days=f"{grant.starts_on} – {grant.ends_on}",
    )
    db.session.delete(grant)
    db.session.commit()


def issue_code(admin: Person, person: Person) -> str:
    """A one-time code for person (staff, or family who forgot their password, after the office
    checked who they are); their password stops working and their devices are signed out."""
    _administered_or_family(admin, person)
    code = accounts.issue_one_time_code(person)
    audit.record(admin, "account.code_issued", person)
    db.session.commit()
    return code


def _administered_or_family(admin: Person, person: Person) -> None:
    """Family members belong to no community: an admin resets those linked to a resident of a
    community they run."""
    if person.community_id is not None:
        _administered(admin, person)
        return
    if not person.has_role(Role.FAMILY) or not accounts.family_of_administered(admin, person):
        raise NotAdministered(person.id)


def close(admin: Person, person: Person, now: datetime | None = None) -> dict[str, int]:
    """Close person's account: signed out everywhere, no more sign-in, and what they held (help
    requests) handed back to their grids' queues, all at once; audited."""
    _administered(admin, person)
    if person.id == admin.id:
        raise OwnAccount()
    now = now or utcnow()
    person.active = False
    accounts.sign_out_everywhere(person, admin, now)
    handed: dict[str, int] = {}
    for _receiver, answer in seams.account_closed.send(person, by=admin, now=now):
        handed.update(answer or {})
    audit.record(admin, "account.closed", person, **{k: v for k, v in handed.items() if v})
    db.session.commit()
    return handed


def reopen(admin: Person, person: Person) -> None:
    _administered(admin, person)
    person.active = True
    audit.record(admin, "account.reopened", person)
    db.session.commit()


def staff_of(admin: Person, page: int = 1, active: bool = True) -> Pagination:
    """The staff and volunteers of the communities admin runs, by pinyin."""
    staff_grant = aliased(RoleGrant)
    query = (
        select(Person)
        .where(administered_by(admin, Person.community_id), Person.active.is_(active))
        .where(
            exists().where(
                and_(staff_grant.person_id == Person.id, staff_grant.role.in_(STAFF_ROLES))
            )
        )
        .order_by(Person.name_pinyin, Person.id)
        .options(db.selectinload(Person.grants).joinedload(RoleGrant.grid))
    )
    return page_of(query, page, STAFF_PAGE)


def person_of(admin: Person, person_id: int) -> Person | None:
    person = db.session.get(Person, person_id)
    if person is None or person.community_id is None or not admin.administers(person.community_id):
        return None
    return person
