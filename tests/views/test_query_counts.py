"""Every main page sends as many SQL statements over a generated block of 400 residents and their
years of history as over the small demo: a page whose count grows with the data loads something
once per row (an N+1)."""

from sqlalchemy import select

from bench import query_plans
from bench.query_plans import read_pages, readers
from bench.street import SCALES, build_street
from portal.accounts.models import FamilyLink, LinkStatus, Person, Role, RoleGrant
from portal.accounts.services import decide_link, request_link
from portal.extensions import db
from portal.help import services as help
from portal.help.models import Category
from portal.site.demo import build_demo
from tests.helpers import empty_tables

PAGED_LIST_COUNT = "SELECT count(*) AS count_1 \nFROM ("


def give_the_resident_family_and_a_request() -> None:
    """The resident the pages are read for has a linked family member and has asked for help, in
    either data set, so that every list on their pages and their family's has rows to draw."""
    resident = db.session.scalars(query_plans.residents_with_most_to_show().limit(1)).first()
    family = db.session.scalar(
        select(Person)
        .join(FamilyLink, FamilyLink.family_id == Person.id)
        .where(FamilyLink.resident_id == resident.id, FamilyLink.status == LinkStatus.ACTIVE)
    )
    if family is None:
        family = db.session.scalar(
            select(Person)
            .join(RoleGrant, RoleGrant.person_id == Person.id)
            .where(RoleGrant.role == Role.FAMILY)
            .order_by(Person.id)
        )
        decide_link(request_link(family, resident.resident_code, "daughter"), resident, True)
    help.raise_request(resident, Category.ERRAND, raised_by=family)


def statements_per_page(app) -> dict[str, int]:
    """Sign in as each main role of the data in the database and count each page's statements,
    but for the count of a paged list's rows, which is sent only when the list runs past its
    first page (portal.web.paging)."""
    return {
        label: sum(1 for statement, _ in seen if not statement.startswith(PAGED_LIST_COUNT))
        for label, seen in read_pages(app, db.engine, readers(), twice=True)
    }


def test_no_main_page_sends_more_statements_over_more_data(app):
    list(build_demo())
    give_the_resident_family_and_a_request()
    small = statements_per_page(app)
    db.session.remove()  # PostgreSQL's TRUNCATE waits for any transaction still reading
    empty_tables()
    build_street(SCALES["block"])
    give_the_resident_family_and_a_request()
    large = statements_per_page(app)

    assert small.keys() <= large.keys()
    grown = {page: (small[page], large[page]) for page in small if small[page] != large[page]}
    assert not grown, f"statements (demo, block) differ: {grown}"
    assert small["volunteer: queue poll unchanged"] <= 3
    assert small["grid worker: queue poll unchanged"] <= 3
    assert small["grid worker: day poll unchanged"] <= 2
    assert small["canteen staff: rounds poll unchanged"] <= 2
