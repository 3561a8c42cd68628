from sqlalchemy import select

from bench.query_plans import statements
from portal.accounts.models import Person, Role
from portal.extensions import db
from portal.web.paging import page_of


def _people(world, count: int):
    for number in range(count):
        world.person(Role.RESIDENT, name=f"居民{number}")
    return select(Person).order_by(Person.id)


def test_a_list_that_fits_on_its_first_page_is_not_counted(world):
    query = _people(world, 3)
    with statements(db.engine) as seen:
        found = page_of(query, 1, per_page=5)
    assert len(seen) == 1
    assert (found.total, found.pages, len(found.items), found.has_next) == (3, 1, 3, False)
    assert page_of(_people(world, 0).where(Person.id < 0), 1, per_page=5).total == 0


def test_a_longer_list_is_counted_and_any_page_number_shows_rows(world):
    query = _people(world, 7)
    with statements(db.engine) as seen:
        first = page_of(query, 1, per_page=5)
    assert len(seen) == 2
    assert (first.total, first.pages, first.has_next) == (7, 2, True)
    assert page_of(query, 0, per_page=5).page == 1
    last = page_of(query, 9, per_page=5)
    assert (last.page, len(last.items), last.total) == (2, 2, 7)
    exact = page_of(query, 1, per_page=7)
    assert (exact.total, exact.pages) == (7, 1)
