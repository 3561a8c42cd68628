"""Keeping the places: communities, grids and buildings are added, renamed, merged and deleted
by their admins; a place people live in is never deleted, and every change is audited."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.accounts.models import Person, Role, RoleGrant
from portal.administration import places
from portal.administration.places import BuildingDetails
from portal.audit.models import AuditEntry
from portal.community.models import Building, Community, Grid
from portal.delivery.models import Delivery, DeliveryEnrolment, DeliveryRound
from portal.extensions import db
from portal.help import services as help
from portal.help.models import Category, HelpRequest


def _entry(action):
    return db.session.scalar(select(AuditEntry).where(AuditEntry.action == action))


def _grid(world, name="第二网格", community=None):
    grid = Grid(name=name, community=community or world.community)
    db.session.add(grid)
    db.session.commit()
    return grid


def _building(grid, name):
    building = Building(name=name, grid=grid)
    db.session.add(building)
    db.session.commit()
    return building


def test_a_community_admin_adds_and_renames_grids_with_unique_names(world):
    admin = world.person(Role.ADMIN)
    grid = places.add_grid(admin, world.community, " 第二网格 ")
    assert grid.name == "第二网格" and grid.community is world.community
    assert _entry("place.grid_added").detail == {"community": "测试社区", "grid": "第二网格"}
    with pytest.raises(places.NameTaken):
        places.add_grid(admin, world.community, "第一网格")
    with pytest.raises(places.NameTaken):
        places.rename_grid(admin, grid, "第一网格")
    assert places.rename_grid(admin, grid, "第三网格") == {"name": "第二网格 → 第三网格"}
    assert _entry("place.grid_renamed").detail["grid"] == "第二网格"
    # Renamed to its own name, nothing changes and nothing is recorded.
    assert places.rename_grid(admin, grid, "第三网格") == {}


def test_another_communitys_grid_is_the_same_name_and_not_the_admins_to_touch(world):
    admin = world.person(Role.ADMIN)
    elsewhere = Community(name="锦绣园社区", hotline="0871-62222222", street_office=world.street)
    db.session.add(elsewhere)
    db.session.commit()
    with pytest.raises(places.NotAdministered):
        places.add_grid(admin, elsewhere, "第二网格")
    street_admin = world.person(Role.ADMIN, community=None)
    assert places.add_grid(street_admin, elsewhere, "第一网格").community is elsewhere
    assert [c.name for c in places.communities_of(admin)] == ["测试社区"]
    assert len(places.communities_of(street_admin)) == 2


def test_only_the_street_offices_admins_add_and_change_communities(world):
    admin = world.person(Role.ADMIN)
    street_admin = world.person(Role.ADMIN, community=None)
    with pytest.raises(places.NotAdministered):
        places.add_community(admin, world.street, "锦绣园社区", "0871-62222222", "Asia/Shanghai")
    made = places.add_community(
        street_admin, world.street, "锦绣园社区", "0871-62222222", "Asia/Shanghai"
    )
    assert made.street_office is world.street
    with pytest.raises(places.NameTaken):
        places.add_community(street_admin, world.street, "测试社区", "110", "Asia/Shanghai")
    with pytest.raises(places.NameTaken):
        places.change_community(street_admin, made, "测试社区", "0871-62222222")
    with pytest.raises(places.NotAdministered):
        places.change_community(admin, world.community, "新名", "0871-61111111")
    changed = places.change_community(street_admin, made, "锦绣社区", "0871-63333333")
    assert changed == {"name": "锦绣园社区 → 锦绣社区", "hotline": "0871-62222222 → 0871-63333333"}


def test_a_building_is_added_changed_and_moved_to_another_grid_of_its_community(world):
    admin = world.person(Role.ADMIN)
    second = _grid(world)
    building = places.add_building(
        admin,
        BuildingDetails(
            name="5号楼",
            grid_id=world.grid.id,
            has_lift=True,
            units=3,
            floors=18,
            address_zh_hans=" 测试社区5号楼 ",
            address_en="",
        ),
    )
    assert (building.units, building.floors, building.has_lift) == (3, 18, True)
    assert building.address_zh_hans == "测试社区5号楼" and building.address_en is None
    # A language without an address of its own shows the first one given.
    assert building.address("en") == "测试社区5号楼"
    with pytest.raises(places.NameTaken):
        places.add_building(admin, BuildingDetails(name="1号楼", grid_id=world.grid.id))
    changed = places.change_building(
        admin,
        building,
        BuildingDetails(
            name="5号楼",
            grid_id=second.id,
            has_lift=True,
            units=3,
            floors=18,
            address_zh_hans="测试社区5号楼",
            address_en="Building 5",
        ),
    )
    assert changed["grid_id"] == "第一网格 → 第二网格"
    assert building.grid is second and building.address("en") == "Building 5"
    entry = _entry("place.building_changed")
    assert entry.detail["grid"] == "第一网格 → 第二网格"
    assert entry.detail["address_en"] == " → Building 5"


def test_a_building_does_not_move_to_another_community(world):
    admin = world.person(Role.ADMIN, community=None)
    elsewhere = Community(name="锦绣园社区", hotline="0871-62222222", street_office=world.street)
    away = _grid(world, "第一网格", community=elsewhere)
    with pytest.raises(places.OtherCommunity):
        places.change_building(
            admin, world.building, BuildingDetails(name="1号楼", grid_id=away.id)
        )


def test_a_building_people_live_in_is_not_deleted_until_they_are_moved(world):
    admin = world.person(Role.ADMIN)
    resident = world.person(Role.RESIDENT, name="王桂兰")
    gone = world.person(Role.RESIDENT, name="李秀英", active=False)
    other = _building(world.grid, "2号楼")
    with pytest.raises(places.PeopleOnRecord) as refused:
        places.delete_building(admin, world.building)
    assert refused.value.count == 2
    with pytest.raises(places.SamePlace):
        places.move_residents(admin, world.building, world.building)
    assert places.move_residents(admin, world.building, other) == 2
    db.session.expire_all()
    assert resident.building_id == other.id and gone.building_id == other.id
    moved = db.session.scalar(
        select(AuditEntry).where(
            AuditEntry.action == "resident.moved", AuditEntry.subject_id == resident.id
        )
    )
    assert moved.detail == {"building": "1号楼 → 2号楼"}
    assert _entry("place.residents_moved").detail["people"] == "2"
    places.delete_building(admin, world.building)
    assert db.session.get(Building, world.building.id) is None
    assert _entry("place.building_deleted").detail["building"] == "1号楼"


def test_a_merged_grid_hands_over_its_buildings_staff_requests_and_rounds(world):
    admin = world.person(Role.ADMIN)
    second = _grid(world)
    there = _building(second, "7号楼")
    resident = world.person(Role.RESIDENT, name="王桂兰")
    # A worker of both grids keeps one grant; the other grid's worker moves over.
    both = world.person(Role.GRID_WORKER, name="王芳")
    db.session.add(RoleGrant(person=both, role=Role.GRID_WORKER, grid=second))
    only_first = world.person(Role.GRID_WORKER, name="李强")
    request, _new = help.raise_request(resident, Category.ERRAND, resident)
    day = world.lunch(resident.today())
    lone_day = world.lunch(resident.today() + timedelta(days=1))
    first_round = DeliveryRound(meal_day=day, grid=world.grid, runner=only_first)
    second_round = DeliveryRound(meal_day=day, grid=second)
    lone_round = DeliveryRound(meal_day=lone_day, grid=world.grid)
    enrolment = DeliveryEnrolment(
        resident=resident,
        canteen_id=day.service.canteen_id,
        applied_by_id=resident.id,
        weekdays="0,1,2,3,4",
        start_day=resident.today(),
        contact_phone="13800000001",
    )
    drop = Delivery(enrolment=enrolment, round=first_round, meal_day=day)
    db.session.add_all([first_round, second_round, lone_round, enrolment, drop])
    db.session.commit()

    merged = places.merge_grids(admin, world.grid, second)
    db.session.expire_all()
    assert (merged.buildings, merged.staff) == (1, 2)
    assert merged.records == {"help requests": 1, "delivery rounds": 2}
    assert db.session.get(Grid, world.grid.id) is None
    assert {b.name for b in second.buildings} == {"1号楼", "7号楼"}
    assert there.grid_id == second.id
    assert db.session.get(HelpRequest, request.id).grid_id == second.id
    grants = db.session.scalars(select(RoleGrant).where(RoleGrant.role == Role.GRID_WORKER))
    assert sorted((g.person.name, g.grid_id) for g in grants) == [
        ("李强", second.id),
        ("王芳", second.id),
    ]
    # The meal both grids had a round of is one round now, the runner of either kept.
    assert db.session.get(DeliveryRound, first_round.id) is None
    assert drop.round_id == second_round.id and second_round.runner_id == only_first.id
    assert lone_round.grid_id == second.id
    detail = _entry("place.grids_merged").detail
    assert detail["grid"] == "第一网格" and detail["into"] == "第二网格"
    assert detail["help requests"] == "1" and detail["buildings"] == "1"
    assert db.session.get(Person, resident.id).building.grid is second


def test_grids_with_buildings_of_one_name_do_not_merge(world):
    admin = world.person(Role.ADMIN)
    second = _grid(world)
    _building(second, "1号楼")
    with pytest.raises(places.NameTaken):
        places.merge_grids(admin, world.grid, second)
    with pytest.raises(places.SamePlace):
        places.merge_grids(admin, world.grid, world.grid)
    assert db.session.get(Grid, world.grid.id) is not None


def test_only_an_empty_grid_without_history_is_deleted(world):
    admin = world.person(Role.ADMIN)
    resident = world.person(Role.RESIDENT)
    with pytest.raises(places.PeopleOnRecord):
        places.delete_grid(admin, world.grid)
    mistake = _grid(world)
    _building(mistake, "9号楼")
    places.delete_grid(admin, mistake)
    assert db.session.get(Grid, mistake.id) is None
    assert db.session.scalar(select(Building).where(Building.name == "9号楼")) is None
    # A grid whose residents moved away, but whose requests remain, is merged instead.
    history = _grid(world, "第三网格")
    help.raise_request(resident, Category.ERRAND, resident)
    places.move_residents(admin, world.building, _building(history, "3号楼"))
    with pytest.raises(places.HasHistory):
        places.delete_grid(admin, world.grid)
    staffed = _grid(world, "第四网格")
    world.person(Role.VOLUNTEER, grid=staffed)
    with pytest.raises(places.HasHistory):
        places.delete_grid(admin, staffed)
