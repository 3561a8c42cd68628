"""The places residents live in, as their admins keep them: a street office's communities, a
community's grids and its buildings. A place people live in is never deleted: it is renamed, or
merged into another, or its residents are moved; every change is audited."""

from dataclasses import dataclass

from sqlalchemy import func, select, update

from portal.accounts.models import Person, RoleGrant, administered_by
from portal.administration.retention import street_offices_of
from portal.audit import services as audit
from portal.community import seams
from portal.community.models import Building, Community, Grid, StreetOffice
from portal.extensions import db


class PlaceError(Exception):
    """A change to the places that a rule refuses; nothing is saved."""


class NotAdministered(PlaceError):
    """The place is in a community the admin does not run, or the admin runs no street office."""


class NameTaken(PlaceError):
    """Another community, grid (in the community) or building (in the grid) has the name."""


class PeopleOnRecord(PlaceError):
    """People live in the building or grid (or lived there and are on record): it cannot go."""

    def __init__(self, count: int):
        super().__init__(count)
        self.count = count


class HasHistory(PlaceError):
    """Requests or rounds name the grid: it is merged into another instead of deleted."""


class SamePlace(PlaceError):
    """A grid merged into itself, or residents moved to the building they live in."""


class OtherCommunity(PlaceError):
    """Grids merge, and buildings move, only within one community."""


# Communities: the street office's admins ----------------------------------------------------------


def communities_of(admin: Person) -> list[Community]:
    """The communities admin runs, by name, with their grids and buildings loaded."""
    query = (
        select(Community)
        .where(administered_by(admin, Community.id))
        .order_by(Community.name)
        .options(db.selectinload(Community.grids).selectinload(Grid.buildings))
    )
    return list(db.session.scalars(query))


def _community_name_free(name: str, community: Community | None = None) -> None:
    holder = db.session.scalar(select(Community).where(Community.name == name))
    if holder is not None and holder is not community:
        raise NameTaken(name)


def add_community(
    admin: Person, office: StreetOffice, name: str, hotline: str, timezone: str
) -> Community:
    """A new community of office; for the street office's admins only."""
    if office not in street_offices_of(admin):
        raise NotAdministered(office.id)
    name = name.strip()
    _community_name_free(name)
    community = Community(
        street_office=office, name=name, hotline=hotline.strip(), timezone=timezone
    )
    db.session.add(community)
    audit.record(
        admin, "place.community_added", community=name, street_office=office.name, hotline=hotline
    )
    db.session.commit()
    return community


def change_community(admin: Person, community: Community, name: str, hotline: str) -> dict:
    """Rename community or change its hotline; returns the changes, audited as old → new."""
    if not admin.administers_every_community:
        raise NotAdministered(community.id)
    name = name.strip()
    _community_name_free(name, community)
    was = community.name
    changed = audit.apply_changes(
        community, ("name", "hotline"), {"name": name, "hotline": hotline.strip()}
    )
    if changed:
        audit.record(admin, "place.community_changed", community=was, **changed)
    db.session.commit()
    return changed


# Grids ------------------------------------------------------------------------------------------


def _administered(admin: Person, community_id: int) -> None:
    if not admin.administers(community_id):
        raise NotAdministered(community_id)


def _grid_name_free(community: Community, name: str, grid: Grid | None = None) -> None:
    holder = db.session.scalar(
        select(Grid).where(Grid.community_id == community.id, Grid.name == name)
    )
    if holder is not None and holder is not grid:
        raise NameTaken(name)


def add_grid(admin: Person, community: Community, name: str) -> Grid:
    _administered(admin, community.id)
    name = name.strip()
    _grid_name_free(community, name)
    grid = Grid(community=community, name=name)
    db.session.add(grid)
    audit.record(admin, "place.grid_added", community=community.name, grid=name)
    db.session.commit()
    return grid


def rename_grid(admin: Person, grid: Grid, name: str) -> dict:
    _administered(admin, grid.community_id)
    name = name.strip()
    _grid_name_free(grid.community, name, grid)
    was = grid.name
    changed = audit.apply_changes(grid, ("name",), {"name": name})
    if changed:
        audit.record(
            admin, "place.grid_renamed", community=grid.community.name, grid=was, **changed
        )
    db.session.commit()
    return changed


def people_in_grid(grid: Grid) -> int:
    """How many people on record live, or lived, in the grid's buildings."""
    return db.session.scalar(
        select(func.count(Person.id))
        .join(Building, Building.id == Person.building_id)
        .where(Building.grid_id == grid.id)
    )


@dataclass
class Merged:
    buildings: int
    staff: int
    records: dict[str, int]


def merge_grids(admin: Person, grid: Grid, into: Grid) -> Merged:
    """Make grid part of into: its buildings, its workers and volunteers, and every feature's
    records (requests, rounds) move to into, and grid is no more. Refused when a building of
    each has the same name (rename one first)."""
    _administered(admin, grid.community_id)
    if into.id == grid.id:
        raise SamePlace(grid.id)
    if into.community_id != grid.community_id:
        raise OtherCommunity(into.id)
    names = {building.name for building in into.buildings}
    clash = next((b.name for b in grid.buildings if b.name in names), None)
    if clash is not None:
        raise NameTaken(clash)
    buildings = len(grid.buildings)
    for building in list(grid.buildings):
        building.grid = into
    staff = 0
    for grant in db.session.scalars(select(RoleGrant).where(RoleGrant.grid_id == grid.id)):
        holds = db.session.scalar(
            select(RoleGrant.id).where(
                RoleGrant.person_id == grant.person_id,
                RoleGrant.role == grant.role,
                RoleGrant.grid_id == into.id,
            )
        )
        if holds is None:
            grant.grid_id = into.id
        else:
            db.session.delete(grant)
        staff += 1
    db.session.flush()
    records: dict[str, int] = {}
    for _receiver, moved in seams.grid_merging.send(grid, into=into, by=admin):
        records.update(moved)
    audit.record(
        admin,
        "place.grids_merged",
        community=grid.community.name,
        grid=grid.name,
        into=into.name,
        buildings=buildings,
        staff=staff,
        **{what: count for what, count in records.items() if count},
    )
    db.session.delete(grid)
    db.session.commit()
    return Merged(buildings, staff, records)


def delete_grid(admin: Person, grid: Grid) -> None:
    """Delete a grid made by mistake, with its empty buildings. Refused while anyone on record
    lives in it, and when requests, rounds or staff name it (merge it instead)."""
    _administered(admin, grid.community_id)
    people = people_in_grid(grid)
    if people:
        raise PeopleOnRecord(people)
    staff = db.session.scalar(select(func.count(RoleGrant.id)).where(RoleGrant.grid_id == grid.id))
    history = sum(count for _receiver, count in seams.grid_records.send(grid))
    if staff or history:
        raise HasHistory(grid.id)
    for building in list(grid.buildings):
        db.session.delete(building)
    audit.record(admin, "place.grid_deleted", community=grid.community.name, grid=grid.name)
    db.session.delete(grid)
    db.session.commit()


# Buildings --------------------------------------------------------------------------------------


@dataclass
class BuildingDetails:
    name: str
    grid_id: int
    has_lift: bool = False
    units: int | None = None
    floors: int | None = None
    address_zh_hans: str | None = None
    address_zh_hant: str | None = None
    address_en: str | None = None


_BUILDING_FIELDS = (
    "name",
    "grid_id",
    "has_lift",
    "units",
    "floors",
    "address_zh_hans",
    "address_zh_hant",
    "address_en",
)


def _values(details: BuildingDetails) -> dict:
    values = {name: getattr(details, name) for name in _BUILDING_FIELDS}
    for name, value in values.items():
        if isinstance(value, str):
            values[name] = value.strip() or None
    values["name"] = details.name.strip()
    return values


def _checked_grid(admin: Person, details: BuildingDetails, building: Building | None) -> Grid:
    grid = db.session.get(Grid, details.grid_id)
    if grid is None:
        raise NotAdministered(details.grid_id)
    _administered(admin, grid.community_id)
    if building is not None and grid.community_id != building.grid.community_id:
        raise OtherCommunity(grid.id)
    holder = db.session.scalar(
        select(Building).where(Building.grid_id == grid.id, Building.name == details.name.strip())
    )
    if holder is not None and holder is not building:
        raise NameTaken(details.name)
    return grid


def add_building(admin: Person, details: BuildingDetails) -> Building:
    grid = _checked_grid(admin, details, None)
    building = Building(**_values(details))
    db.session.add(building)
    audit.record(
        admin,
        "place.building_added",
        community=grid.community.name,
        grid=grid.name,
        building=building.name,
    )
    db.session.commit()
    return building


def change_building(admin: Person, building: Building, details: BuildingDetails) -> dict:
    """Record details for building (it may move to another grid of its community); returns the
    changes, audited as old → new."""
    _administered(admin, building.grid.community_id)
    grid = _checked_grid(admin, details, building)
    was, grid_was = building.name, building.grid.name
    values = _values(details)
    changed = audit.apply_changes(building, _BUILDING_FIELDS, values)
    if "grid_id" in changed:
        changed["grid_id"] = f"{grid_was} → {grid.name}"
        building.grid = grid
    if changed:
        audit.record(
            admin,
            "place.building_changed",
            community=grid.community.name,
            building=was,
            **{("grid" if key == "grid_id" else key): value for key, value in changed.items()},
        )
    db.session.commit()
    return changed


def people_in_building(building: Building) -> int:
    """How many people on record live, or lived, in building."""
    return db.session.scalar(select(func.count(Person.id)).where(Person.building_id == building.id))


def move_residents(admin: Person, building: Building, into: Building) -> int:
    """Move everyone on record in building to into (of the same community), each move in the
    mover's history; returns how many moved."""
    _administered(admin, building.grid.community_id)
    if into.id == building.id:
        raise SamePlace(into.id)
    if into.grid.community_id != building.grid.community_id:
        raise OtherCommunity(into.id)
    people = list(db.session.scalars(select(Person).where(Person.building_id == building.id)))
    for person in people:
        audit.record(admin, "resident.moved", person, building=f"{building.name} → {into.name}")
    db.session.execute(
        update(Person).where(Person.building_id == building.id).values(building_id=into.id)
    )
    audit.record(
        admin,
        "place.residents_moved",
        community=building.grid.community.name,
        building=building.name,
        into=into.name,
        people=len(people),
    )
    db.session.commit()
    return len(people)


def delete_building(admin: Person, building: Building) -> None:
    """Delete a building nobody on record lives in."""
    _administered(admin, building.grid.community_id)
    people = people_in_building(building)
    if people:
        raise PeopleOnRecord(people)
    audit.record(
        admin,
        "place.building_deleted",
        community=building.grid.community.name,
        grid=building.grid.name,
        building=building.name,
    )
    db.session.delete(building)
    db.session.commit()


def people_per_building(communities: list[Community]) -> dict[int, int]:
    """{building id: how many residents live there now} for the buildings of communities."""
    ids = [c.id for c in communities]
    rows = db.session.execute(
        select(Person.building_id, func.count(Person.id))
        .where(Person.community_id.in_(ids), Person.active.is_(True))
        .where(Person.building_id.is_not(None))
        .group_by(Person.building_id)
    )
    return dict(rows.all())
