"""Browser tests: the portal on a local port, seeded with the demo community, driven by Chromium.

The live server shares the schema built by the session fixture database_url (SQLite, or PostgreSQL
when DATABASE_URL is set). Its tables are emptied and the demo community built once, when the
package starts; the tests in other folders empty the tables again inside their own app fixture.
"""

import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
import time_machine
from playwright.sync_api import sync_playwright
from sqlalchemy import select
from werkzeug.serving import WSGIRequestHandler, make_server

from portal import create_app
from portal.accounts import services as accounts
from portal.accounts.models import Kinship, Person
from portal.community.models import Community
from portal.extensions import db
from portal.notifications.push import new_keys
from portal.site.demo import COMMUNITIES, build_demo
from tests.browser.support import (
    ADMIN,
    CHROMIUM,
    CHROMIUM_ARGS,
    FAMILY,
    RESIDENT_FOR_PAGES,
    LiveServer,
    open_context,
)
from tests.clock import START
from tests.helpers import empty_tables
from tests.wechat_server import WeChatServer

HERE = Path(__file__).parent

# The production defaults: the idle tests move the clock rather than wait.
IDLE_SECONDS = 240
WARNING_SECONDS = 90
SECOND_FAMILY = "13800000402"
VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY = new_keys()
PENDING_FOR_FAMILY = "100036"

LIVE_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "browser-test-secret",
    "SESSION_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_SECURE": False,
    "RATELIMIT_ENABLED": False,
    "WTF_CSRF_ENABLED": True,
    "KIOSK_IDLE_SECONDS": IDLE_SECONDS,
    "KIOSK_WARNING_SECONDS": WARNING_SECONDS,
    # So that the pages offer e-mail and Web Push; no test here sends any.
    "MAIL_SERVER": "127.0.0.1",
    "VAPID_PUBLIC_KEY": VAPID_PUBLIC_KEY,
    "VAPID_PRIVATE_KEY": VAPID_PRIVATE_KEY,
    "VAPID_SUBJECT": "mailto:office@linli.example.cn",
}


class QuietRequestHandler(WSGIRequestHandler):
    """No line per request in the captured log; errors are still logged."""

    def log_request(self, *args, **kwargs) -> None:
        pass


def pytest_collection_modifyitems(config, items):
    """Every test in this folder drives a browser."""
    for item in items:
        if HERE in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)


def _person(**key) -> Person:
    return db.session.scalar(select(Person).filter_by(**key))


def _seed() -> str:
    """The demo community, a few more family links, and one enrolled kiosk; return its token."""
    empty_tables()
    build_demo()
    # The pages' resident gets a pending request next to the demo's active link, and the demo
    # family member a pending request next to their active one, so both kinds of card show.
    accounts.request_link(_person(phone=SECOND_FAMILY), RESIDENT_FOR_PAGES, Kinship.GRANDCHILD)
    accounts.request_link(_person(phone=FAMILY), PENDING_FOR_FAMILY, Kinship.SON)
    community = db.session.scalar(select(Community).filter_by(name=COMMUNITIES[0][0]))
    _kiosk, token = accounts.enrol_kiosk(community, "活动室", _person(phone=ADMIN))
    return token


@pytest.fixture(scope="package")
def wechat():
    """WeChat's API on 127.0.0.1, so that the pages offer WeChat and can show a code to scan."""
    with WeChatServer() as running:
        yield running


@pytest.fixture(scope="package")
def live_server(database_url, wechat):
    """The portal on 127.0.0.1 and a free port, in a daemon thread, with CSRF protection on."""
    app = create_app({**LIVE_CONFIG, **wechat.config(), "SQLALCHEMY_DATABASE_URI": database_url})
    # Seeded at the instant every test starts at, so the demo's today is each test's today.
    with app.app_context(), time_machine.travel(START, tick=True):
        token = _seed()
        db.session.remove()
    with serving(app, kiosk_token=token) as live:
        yield live


@contextmanager
def serving(app, kiosk_token: str = ""):
    """app on 127.0.0.1 and a free port, in a daemon thread, until the block ends."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-portal", daemon=True)
    thread.start()
    try:
        yield LiveServer(
            app=app,
            url=f"http://127.0.0.1:{server.server_port}",
            kiosk_token=kiosk_token,
            idle_seconds=IDLE_SECONDS,
            warning_seconds=WARNING_SECONDS,
        )
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium; its absence is a failure, never a skip."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package to run these tests")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser, live_server):
    """Make browser contexts with chosen preferences; all are closed when the test ends.

    new_context(language="en", size=200, scheme="yk", kiosk=True, javascript=False,
                viewport={"width": 390, "height": 844})
    """
    contexts = []

    def make(**preferences):
        context = open_context(browser, live_server, **preferences)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def live(live_server) -> LiveServer:
    return live_server
