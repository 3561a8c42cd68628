"""On PostgreSQL, a page that only reads costs one round trip to the server per statement: no
BEGIN, no ROLLBACK, no ping of a connection in steady use. Round trips are counted on the wire,
by a relay between the portal and the server (tests/postgres/wire.py)."""

from contextlib import contextmanager

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bench.query_plans import read_pages, readers
from portal import postgres
from portal.accounts.models import Person
from portal.extensions import db
from portal.site.demo import build_demo
from tests.conftest import _new_app
from tests.postgres.wire import CountingRelay

# What a page that writes as it is read (an audited read, messages marked read) costs more than
# its statements: a BEGIN and a COMMIT.
TRANSACTION = 2


@pytest.fixture
def relayed(app, database_url):
    """A second portal whose connections pass through a CountingRelay, on the same database."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("round trips are PostgreSQL's")
    url = make_url(database_url)
    relay = CountingRelay(url.host or "127.0.0.1", url.port or 5432)
    through = url.set(host="127.0.0.1", port=relay.port).update_query_dict(
        {"sslmode": "disable", "gssencmode": "disable"}
    )
    portal = _new_app(through.render_as_string(hide_password=False))
    yield portal, relay
    with portal.app_context():
        db.engine.dispose()
    relay.close()


@pytest.fixture
def demo(app):
    build_demo()
    with app.test_request_context():
        everyone = readers()
    db.session.remove()
    return everyone


def test_a_page_that_reads_makes_one_round_trip_per_statement(relayed, demo, monkeypatch):
    portal, relay = relayed
    monkeypatch.setattr(postgres, "IDLE_BEFORE_PING", 3600)
    trips: list[int] = []

    @contextmanager
    def counting():
        before = relay.trips - relay.preparations
        yield
        trips.append(relay.trips - relay.preparations - before)

    with portal.app_context():
        pages = {
            label: (statements, trips[-1])
            for label, seen in read_pages(portal, db.engine, demo, twice=True, around=counting)
            for statements in [len(seen) + TRANSACTION * any(_writes(sql) for sql, _ in seen)]
        }
    assert len(pages) > 60
    over = {label: counted for label, counted in pages.items() if counted[1] != counted[0]}
    assert not over, f"(statements, round trips) of pages: {over}"


def _writes(sql: str) -> bool:
    return not sql.lstrip().upper().startswith(("SELECT", "WITH"))


def test_writes_in_a_request_are_committed_or_rolled_back_together(relayed, demo):
    portal, _relay = relayed
    with portal.app_context():
        people = db.session.scalar(select(func.count(Person.id)))
        person = db.session.scalars(select(Person).order_by(Person.id)).first()
        person.name, first = "甲", person.name
        db.session.flush()
        db.session.add(Person(name="乙", phone="13999999999"))
        db.session.flush()
        db.session.rollback()
        assert db.session.scalar(select(func.count(Person.id))) == people
        assert db.session.get(Person, person.id).name == first


def test_a_connection_asked_for_in_autocommit_runs_what_no_transaction_may(app):
    """VACUUM refuses to run in a transaction: no BEGIN goes before it."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("round trips are PostgreSQL's")
    with db.engine.connect() as connection:
        autocommit = connection.execution_options(isolation_level="AUTOCOMMIT")
        autocommit.exec_driver_sql("VACUUM ANALYZE help_request")
        assert autocommit.connection.dbapi_connection.info.transaction_status.name == "IDLE"


def test_a_connection_dropped_while_idle_is_replaced_before_a_page_uses_it(
    relayed, demo, monkeypatch
):
    portal, relay = relayed
    reader = demo[0]
    client = portal.test_client()
    for path, form in reader.sign_in:
        client.post(path, data=form)
    page = reader.pages[0]
    assert client.get(page.path).status_code == page.status
    relay.drop()
    monkeypatch.setattr(postgres, "IDLE_BEFORE_PING", 0)
    assert client.get(page.path).status_code == page.status
