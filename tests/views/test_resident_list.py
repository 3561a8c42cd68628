"""The admin's resident list: found by name, pinyin, initials, code, phone, building or room; in
pinyin order; narrowed; a page at a time; each admin sees their own communities."""

import pytest

from portal.accounts.models import Role
from portal.administration import residents
from portal.community.models import Building, Community, Grid
from portal.extensions import db
from tests.helpers import html

URL = "/admin/residents/"


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("linli_lang", "en")


@pytest.fixture
def street(world):
    """Residents of the world's community, and one of another community of the street."""
    other = Community(street_office=world.community.street_office, name="春城社区", hotline="1")
    building = Building(name="9号楼", grid=Grid(name="第一网格", community=other))
    db.session.add_all([other, building])
    db.session.commit()
    people = {
        "wang": world.person(Role.RESIDENT, name="王芳", room="501", phone="13700000001"),
        "wang2": world.person(Role.RESIDENT, name="汪方", care_colour="red"),
        "li": world.person(Role.RESIDENT, name="李娜", special_support=True),
        "zhou": world.person(Role.RESIDENT, name="周海燕", active=False),
        "far": world.person(Role.RESIDENT, name="王芳芳", community=other, building=building),
    }
    world.person(Role.FAMILY, name="王方")  # not a resident
    return people


def _names(response) -> list[str]:
    return [row.th.get_text(" ").split()[0] for row in html(response).select("tbody tr")]


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("", ["李娜", "汪方", "王芳"]),
        ("王芳", ["王芳"]),
        ("wangfang", ["汪方", "王芳"]),
        ("Wang Fang", ["汪方", "王芳"]),
        ("wf", ["汪方", "王芳"]),
        ("ln", ["李娜"]),
        ("501", ["王芳"]),
        ("137 0000 0001", ["王芳"]),
        ("1号楼", ["李娜", "汪方", "王芳"]),
        ("%", []),
    ],
)
def test_residents_are_found_by_what_staff_know_of_them(
    client, world, sign_in, street, typed, found
):
    sign_in.password(world.person(Role.ADMIN))
    assert _names(client.get(URL, query_string={"q": typed})) == found


def test_a_code_finds_its_resident_and_filters_narrow_the_list(client, world, sign_in, street):
    sign_in.password(world.person(Role.ADMIN))
    code = street["li"].resident_code
    assert _names(client.get(URL, query_string={"q": code})) == ["李娜"]
    assert _names(client.get(URL, query_string={"care": "red"})) == ["汪方"]
    assert _names(client.get(URL, query_string={"support": "yes"})) == ["李娜"]
    left = html(client.get(URL, query_string={"state": "inactive"}))
    assert [row.th.get_text(" ", strip=True) for row in left.select("tbody tr")] == [
        "周海燕 No longer active"
    ]
    assert len(_names(client.get(URL, query_string={"state": "all"}))) == 4
    page = html(client.get(URL, query_string={"q": "nobody at all"}))
    assert "No resident matches." in page.get_text()


def test_each_admin_sees_their_own_communities(client, world, sign_in, street):
    sign_in.password(world.person(Role.ADMIN))
    page = html(client.get(URL, query_string={"q": "wang"}))
    assert "王芳芳" not in page.get_text()
    sign_in.out()
    sign_in.password(world.person(Role.ADMIN, community=None))
    page = html(client.get(URL, query_string={"q": "wangfang"}))
    assert [row.th.get_text(" ").split()[0] for row in page.select("tbody tr")] == [
        "汪方",
        "王芳",
        "王芳芳",
    ]
    # Both communities have a 第一网格: the street's admin sees whose.
    grids = [o.get_text() for o in page.select("#grid option")]
    assert "春城社区 · 第一网格" in grids and f"{world.community.name} · 第一网格" in grids
    sign_in.out()
    sign_in.password(world.person(Role.GRID_WORKER))
    assert client.get(URL).status_code == 403


def test_a_grid_that_is_not_offered_is_refused_in_words(client, world, sign_in, street):
    sign_in.password(world.person(Role.ADMIN))
    response = client.get(URL, query_string={"grid": "99999"})
    assert response.status_code == 422
    assert html(response).select_one("#grid-error")


def test_the_list_comes_a_page_at_a_time_in_pinyin_order(world, street):
    admin = world.person(Role.ADMIN)
    everyone = residents.Filters(active=None)
    first = residents.find(admin, everyone, per_page=2)
    # Names read alike (wāng fāng, wáng fāng) keep one order.
    assert (first.total, [p.name for p in first]) == (4, ["李娜", "汪方"])
    assert [p.name for p in residents.find(admin, everyone, page=5, per_page=2)] == [
        "王芳",
        "周海燕",
    ]
