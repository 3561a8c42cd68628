"""On PostgreSQL, every statement the main pages run reads its rows through an index, except on
the few small configuration tables (bench/query_plans.py says which and why)."""

import pytest

from bench.query_plans import readers, record, shorten, unindexed
from portal.extensions import db
from portal.site.demo import build_demo

ROLES = (
    "resident",
    "resident asking for help",
    "family",
    "volunteer",
    "grid worker",
    "canteen staff",
    "admin",
    "partner",
)


@pytest.fixture
def queries(app):
    """The SELECT statements of every main page, read by each role on the demo data."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("query plans are PostgreSQL's")
    build_demo()
    # Statistics as autovacuum would leave them, so that plans do not depend on when it last ran.
    with db.engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")
    with app.test_request_context():
        everyone = readers()
    # Nothing of the test may hold locks the checks below wait for.
    db.session.remove()
    return record(app, db.engine, everyone)


def _unindexed(queries, drop: str | None = None) -> dict:
    """unindexed() in a transaction that is rolled back, after dropping the index drop."""
    with db.engine.connect() as connection, connection.begin() as transaction:
        if drop:
            connection.exec_driver_sql(f"DROP INDEX {drop}")
        found = unindexed(connection, queries)
        transaction.rollback()
    return found


def test_every_role_reads_its_pages(queries):
    pages = {page.split(":")[0] for query in queries for page in query.pages}
    assert pages == set(ROLES)
    assert len(queries) > 50


def test_every_hot_query_uses_an_index(queries):
    missing = _unindexed(queries)
    assert not missing, "\n".join(
        f"{table}: {shorten(query.sql, 160)} ({', '.join(query.pages)})"
        for table, found in missing.items()
        for query in found
    )


def test_a_missing_index_is_noticed(queries):
    """Without an index on bookings by resident, my bookings must read some table whole: all
    bookings, or every meal to look up each one's bookings. With only sequential scans turned
    off, the planner would walk a whole primary key instead and the check would see nothing."""
    missing = _unindexed(queries, drop="ix_booking_resident_id")
    flagged = {page for found in missing.values() for query in found for page in query.pages}
    assert "resident: my bookings" in flagged
