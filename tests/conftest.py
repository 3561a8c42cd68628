"""Fixtures shared by every test: app, client, CLI runner, a world of people, sign-in helpers.

Every test starts at one instant, the suite's clock (tests/clock.py), whatever the day or hour.
The suite runs on SQLite by default and on PostgreSQL when DATABASE_URL points at one. The schema
is built once per run by the migrations, then every test starts from empty tables.
"""

import os

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from jinja2 import FileSystemBytecodeCache
from sqlalchemy import text

from portal import create_app
from portal.accounts.kiosk import KIOSK_COOKIE
from portal.accounts.models import Role
from portal.accounts.services import decide_link, request_link
from portal.cli import compile_translations
from portal.community.models import Partner, PartnerKind
from portal.extensions import db, limiter
from tests.clock import START, shanghai
from tests.helpers import PASSWORD, PIN, World, empty_tables

TEST_CONFIG = {
    "TESTING": True,
    "WTF_CSRF_ENABLED": False,
    "RATELIMIT_ENABLED": False,
    "SESSION_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_SECURE": False,
    "SECRET_KEY": "test-only-secret",
    "SERVER_NAME": "localhost",
}


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return (
            url.replace("postgresql://", "postgresql+psycopg://", 1)
            if "+psycopg" not in url
            else url
        )
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'linli-test.sqlite'}"


@pytest.fixture(scope="session", autouse=True)
def suite_clock():
    """The session's fixtures (the schema, the browser tests' demo) are built at the suite's instant."""
    with time_machine.travel(START, tick=True) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def clock(request, suite_clock):
    """Every test starts at the suite's instant, or at the time of day that its clock_at marker
    names on the suite's day (before any fixture signs in: a session signed later than the clock
    reads is refused). A test moves its clock on with shift."""
    marker = request.node.get_closest_marker("clock_at")
    start = shanghai(*marker.args, **marker.kwargs) if marker else START
    with time_machine.travel(start, tick=True) as traveller:
        yield traveller


@pytest.fixture(scope="session", autouse=True)
def shared_compiled_templates(tmp_path_factory):
    """Each test builds its own app; their Jinja environments share one bytecode cache, so a
    template is compiled once per run rather than once per test."""
    options = Flask.jinja_options
    folder = tmp_path_factory.mktemp("jinja")
    Flask.jinja_options = {**options, "bytecode_cache": FileSystemBytecodeCache(str(folder))}
    yield
    Flask.jinja_options = options


@pytest.fixture(scope="session", autouse=True)
def quick_password_hashes():
    """Hashing stays real but cheap, so tests that sign in many people stay fast."""
    from portal.accounts import services

    services.HASH_METHOD = "pbkdf2:sha256:1000"


@pytest.fixture(scope="session", autouse=True)
def compiled_translations():
    """Pages are checked in every language, so the catalogues under test must be the ones compiled."""
    compile_translations()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """Build the schema once, from the migrations, on an empty database."""
    url = _database_url(tmp_path_factory)
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
    return url


class FreshContextClient(FlaskClient):
    """Each request gets its own application context, as in production, even though the test
    itself holds one open for its database work; otherwise `g` would leak between requests."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


def _new_app(database_url: str) -> Flask:
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url})
    app.test_client_class = FreshContextClient
    return app


@pytest.fixture(scope="session")
def shared_app(database_url):
    """The app most tests share: building one takes about as long as a view test itself. Each
    test gets its config back as it found it (see app)."""
    return _new_app(database_url)


@pytest.fixture
def app(request, shared_app, database_url):
    """The portal on empty tables. A test marked own_app, which sets the app up otherwise than
    by its config (a rate limiter, routes of its own), gets an app of its own."""
    own = request.node.get_closest_marker("own_app") is not None
    app = _new_app(database_url) if own else shared_app
    config = dict(app.config)
    with app.app_context():
        empty_tables()
        yield app
        db.session.remove()
    app.config.clear()
    app.config.update(config)
    if own:
        # The rate limiter keeps its settings on itself, not on the app: give them back.
        limiter.init_app(shared_app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def world(app) -> World:
    return World()


@pytest.fixture
def people(world):
    """A resident with an approved family link, two grid workers, a volunteer and an admin, all
    of the world's one grid and community."""

    class People:
        resident = world.person(Role.RESIDENT, name="王桂兰")
        worker = world.person(Role.GRID_WORKER, name="王芳")
        other_worker = world.person(Role.GRID_WORKER, name="李强")
        volunteer = world.person(Role.VOLUNTEER, name="志愿者小张")
        family = world.person(Role.FAMILY, name="李娜")
        admin = world.person(Role.ADMIN, name="周海燕")

    link = request_link(People.family, People.resident.resident_code, "daughter")
    decide_link(link, People.resident, approve=True)
    return People


@pytest.fixture
def partners(world):
    """The world's community's property company and water company."""
    property_company = Partner(
        community=world.community, name="物业服务中心", phone="0871-1", kind=PartnerKind.PROPERTY
    )
    water = Partner(
        community=world.community, name="自来水公司", phone="96106", kind=PartnerKind.WATER
    )
    db.session.add_all([property_company, water])
    db.session.commit()
    return property_company, water


class SignIn:
    """Sign people in through the real forms, the way a user does."""

    def __init__(self, client):
        self.client = client

    def password(self, person, password: str = PASSWORD):
        return self.client.post("/sign-in", data={"phone": person.phone, "password": password})

    def resident(self, person, pin: str = PIN, kiosk_token: str | None = None):
        if kiosk_token:
            self.client.set_cookie(KIOSK_COOKIE, kiosk_token)
        self.client.post("/kiosk", data={"code": person.resident_code})
        return self.client.post("/kiosk/pin", data={"pin": pin})

    def as_(self, person, **kwargs):
        """Sign in whoever person is, by PIN for residents and by password for everyone else."""
        if person.resident_code and person.pin_hash:
            return self.resident(person, **kwargs)
        return self.password(person)

    def out(self):
        return self.client.post("/sign-out")


@pytest.fixture
def sign_in(client) -> SignIn:
    return SignIn(client)


@pytest.fixture
def htmx(client):
    """Make a request as htmx would, aimed at the element with id target."""

    def request(method: str, url: str, target: str | None = None, **kwargs):
        headers = {"HX-Request": "true", **({"HX-Target": target} if target else {})}
        headers.update(kwargs.pop("headers", {}))
        return client.open(url, method=method.upper(), headers=headers, **kwargs)

    return request


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """The address of a Redis server of the suite's own: Debian's redis-server on a free port of
    127.0.0.1, keeping nothing on disk, stopped when the run ends. Tests may empty it at will; no
    other Redis on the machine is touched. Without redis-server (tests/setup.sh installs it) the
    tests that need it fail rather than skip."""
    import shutil
    import subprocess
    import time

    import redis

    from tests.concurrency.conftest import _free_port, _stop

    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed; bash tests/setup.sh installs it", pytrace=False)
    folder = tmp_path_factory.mktemp("redis")
    log = folder / "redis.log"

    def start() -> tuple[subprocess.Popen, str] | None:
        # A port the system has just handed out is very likely still free a moment later; if
        # another program takes it first, the server exits and the caller tries another.
        port = _free_port()
        options = ["--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"]
        server = subprocess.Popen(
            [binary, *options, "--dir", str(folder), "--logfile", str(log)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"redis://127.0.0.1:{port}/0"
        deadline = time.monotonic() + 10
        while server.poll() is None and time.monotonic() < deadline:
            try:
                answering = redis.Redis.from_url(url, socket_timeout=1).info("server")
            except redis.ConnectionError:
                time.sleep(0.05)
                continue
            # The one answering must be this server, not another Redis that took the port first.
            if answering["process_id"] == server.pid:
                return server, url
            break
        server.kill()
        server.wait()
        return None

    started = start() or start() or start()
    if started is None:
        said = log.read_text() if log.exists() else "(no log)"
        pytest.fail(f"redis-server did not start; its log:\n{said}", pytrace=False)
    server, url = started
    yield url
    _stop(server)
