"""The admins' pages for communities, grids and buildings."""

import pytest
from sqlalchemy import select

from portal.accounts.models import Role
from portal.community.models import Building, Community, Grid
from portal.extensions import db
from tests.helpers import html


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("linli_lang", "en")


def _follow(client, response):
    assert response.status_code in (302, 303), response.status_code
    return html(client.get(response.headers["Location"]))


def test_a_community_admin_adds_a_grid_and_a_building_from_the_places_page(client, world, sign_in):
    admin = world.person(Role.ADMIN)
    world.person(Role.RESIDENT)
    sign_in.password(admin)
    assert html(client.get("/staff")).select_one("a[href='/admin/places/']")
    page = html(client.get("/admin/places/"))
    row = page.select_one("table tbody tr")
    assert row.th.text == "第一网格" and "1号楼" in row.text and row.select("td")[-1].text == "1"
    # Only the street office's admins add communities.
    assert page.select_one("a[href='/admin/communities/new']") is None
    assert client.get("/admin/communities/new").status_code == 403
    field = f"community-{world.community.id}-name"
    refused = client.post(f"/admin/communities/{world.community.id}/grids", data={field: " "})
    assert refused.status_code == 422
    assert "Enter the grid's name" in html(refused).select_one(f"#{field}-error").text
    taken = client.post(f"/admin/communities/{world.community.id}/grids", data={field: "第一网格"})
    assert "has a grid of that name already" in html(taken).select_one(f"#{field}-error").text
    added = _follow(
        client,
        client.post(f"/admin/communities/{world.community.id}/grids", data={field: "第二网格"}),
    )
    assert "第二网格 has been added." in added.get_text()
    grid = db.session.scalar(select(Grid).where(Grid.name == "第二网格"))

    form = html(client.get(f"/admin/grids/{grid.id}/buildings/new"))
    assert form.select_one("#grid option[selected]")["value"] == str(grid.id)
    bad = client.post(
        f"/admin/grids/{grid.id}/buildings/new",
        data={"name": "8号楼", "grid": grid.id, "units": "x", "floors": "120", "has_lift": "no"},
    )
    assert bad.status_code == 422
    errors = html(bad)
    assert "whole number" in errors.select_one("#units-error").text
    assert "from 1 to 99 floors" in errors.select_one("#floors-error").text
    done = client.post(
        f"/admin/grids/{grid.id}/buildings/new",
        data={
            "name": "8号楼",
            "grid": grid.id,
            "units": "３",
            "floors": "6层",
            "has_lift": "yes",
            "address_zh_hans": "测试社区8号楼",
        },
    )
    assert "8号楼 has been added." in _follow(client, done).get_text()
    building = db.session.scalar(select(Building).where(Building.name == "8号楼"))
    assert (building.units, building.floors, building.has_lift) == (3, 6, True)


def test_a_building_is_changed_its_people_moved_and_then_it_is_deleted(client, world, sign_in):
    admin = world.person(Role.ADMIN)
    resident = world.person(Role.RESIDENT)
    other = Building(name="2号楼", grid=world.grid)
    db.session.add(other)
    db.session.commit()
    sign_in.password(admin)
    page = html(client.get(f"/admin/buildings/{world.building.id}"))
    assert "1 person on record lives here." in page.get_text()
    assert page.select_one("#name")["value"] == "1号楼"
    # Nobody is deleted with their home: the button is not offered, and the post is refused.
    assert page.select_one(f"form[action='/admin/buildings/{world.building.id}/delete']") is None
    refused = _follow(client, client.post(f"/admin/buildings/{world.building.id}/delete"))
    assert "move them to another building first" in refused.get_text()
    taken = client.post(
        f"/admin/buildings/{world.building.id}",
        data={"name": "2号楼", "grid": world.grid.id, "has_lift": "no"},
    )
    assert "has a building of that name already" in html(taken).select_one("#name-error").text
    changed = client.post(
        f"/admin/buildings/{world.building.id}",
        data={"name": "1栋", "grid": world.grid.id, "has_lift": "no", "floors": "7"},
    )
    assert "Saved: 1栋." in _follow(client, changed).get_text()
    moved = client.post(f"/admin/buildings/{world.building.id}/move", data={"into": other.id})
    assert "1 person moved to 2号楼." in _follow(client, moved).get_text()
    db.session.expire_all()
    assert resident.building_id == other.id
    gone = client.post(f"/admin/buildings/{world.building.id}/delete")
    assert "1栋 has been deleted." in _follow(client, gone).get_text()
    assert db.session.scalar(select(Building.id).where(Building.id == world.building.id)) is None


def test_merging_a_grid_asks_first_then_moves_everything(client, world, sign_in):
    admin = world.person(Role.ADMIN)
    world.person(Role.RESIDENT)
    second = Grid(name="第二网格", community=world.community)
    db.session.add(second)
    db.session.commit()
    sign_in.password(admin)
    page = html(client.get(f"/admin/grids/{world.grid.id}"))
    assert page.select_one("#into option")["value"] == str(second.id)
    # A grid people live in offers no delete.
    assert page.select_one(f"form[action='/admin/grids/{world.grid.id}/delete']") is None
    asked = html(client.post(f"/admin/grids/{world.grid.id}/merge", data={"into": second.id}))
    assert "Merge 第一网格 into 第二网格?" in asked.h1.text
    assert "1 building moves to 第二网格." in asked.get_text()
    assert db.session.get(Grid, world.grid.id) is not None
    merged = client.post(
        f"/admin/grids/{world.grid.id}/merge", data={"into": second.id, "confirmed": "yes"}
    )
    assert "Merged into 第二网格: 1 building moved." in _follow(client, merged).get_text()
    assert db.session.scalar(select(Grid.id).where(Grid.id == world.grid.id)) is None
    assert client.get(f"/admin/grids/{world.grid.id}").status_code == 404


def test_an_empty_grid_is_renamed_and_deleted(client, world, sign_in):
    admin = world.person(Role.ADMIN)
    spare = Grid(name="第五网格", community=world.community)
    db.session.add(spare)
    db.session.commit()
    sign_in.password(admin)
    taken = client.post(f"/admin/grids/{spare.id}/name", data={"name": "第一网格"})
    assert taken.status_code == 422
    renamed = client.post(f"/admin/grids/{spare.id}/name", data={"name": "第六网格"})
    assert "Saved: 第六网格." in _follow(client, renamed).get_text()
    gone = client.post(f"/admin/grids/{spare.id}/delete")
    assert "第六网格 has been deleted." in _follow(client, gone).get_text()


def test_the_street_offices_admin_adds_and_changes_communities(client, world, sign_in):
    street_admin = world.person(Role.ADMIN, community=None)
    sign_in.password(street_admin)
    page = html(client.get("/admin/places/"))
    assert page.select_one("a[href='/admin/communities/new']")
    refused = client.post(
        "/admin/communities/new",
        data={"name": "测试社区", "hotline": "abc", "timezone": "Mars/Base"},
    )
    errors = html(refused)
    assert refused.status_code == 422
    assert "digits" in errors.select_one("#hotline-error").text
    assert "time zone" in errors.select_one("#timezone-error").text
    taken = client.post(
        "/admin/communities/new",
        data={"name": "测试社区", "hotline": "0871-62222222", "timezone": "Asia/Shanghai"},
    )
    assert "on record already" in html(taken).select_one("#name-error").text
    added = client.post(
        "/admin/communities/new",
        data={"name": "锦绣园社区", "hotline": "0871-62222222", "timezone": "Asia/Shanghai"},
    )
    assert "锦绣园社区 has been added." in _follow(client, added).get_text()
    made = db.session.scalar(select(Community).where(Community.name == "锦绣园社区"))
    changed = client.post(
        f"/admin/communities/{made.id}/edit", data={"name": "锦绣社区", "hotline": "0871-63333333"}
    )
    assert "Saved: 锦绣社区." in _follow(client, changed).get_text()


def test_places_of_another_community_are_not_found(client, world, sign_in):
    admin = world.person(Role.ADMIN)
    elsewhere = Community(name="锦绣园社区", hotline="0871-62222222", street_office=world.street)
    grid = Grid(name="第一网格", community=elsewhere)
    building = Building(name="1号楼", grid=grid)
    db.session.add_all([elsewhere, grid, building])
    db.session.commit()
    sign_in.password(admin)
    assert client.get(f"/admin/grids/{grid.id}").status_code == 404
    assert client.get(f"/admin/buildings/{building.id}").status_code == 404
    assert client.post(f"/admin/communities/{elsewhere.id}/grids").status_code == 404
    assert client.get(f"/admin/communities/{elsewhere.id}/edit").status_code == 403
    sign_in.password(world.person(Role.GRID_WORKER))
    assert client.get("/admin/places/").status_code == 403
