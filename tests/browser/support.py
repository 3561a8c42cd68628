"""What the browser tests share: the demo people, signing in through the real forms, cookies."""

from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Locator, Page
from sqlalchemy import create_engine, make_url, text

from portal.accounts.kiosk import KIOSK_COOKIE
from portal.site.demo import DEMO_PASSWORD, DEMO_PIN
from portal.web.i18n import LANGUAGE_COOKIE, SCHEME_COOKIE, SIZE_COOKIE

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

LANGUAGES = ("zh_Hans", "zh_Hant", "en")
HTML_LANG = {"zh_Hans": "zh-Hans", "zh_Hant": "zh-Hant", "en": "en"}
SIZES = (100, 125, 150, 175, 200)
SCHEMES = ("default", "bw", "yb", "by", "yk")

TABLET = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
NARROW = {"width": 320, "height": 640}

# The demo community (portal/site/demo.py).
ADMIN = "13800000001"
STREET_ADMIN = "13800000003"
ORGANISER = "13800000002"
GRID_WORKER = "13800000101"
VOLUNTEER = "13800000201"
CANTEEN_STAFF = "13800000301"
FAMILY = "13800000401"
PARTNER = "13800000501"
PASSWORD = DEMO_PASSWORD
PIN = DEMO_PIN

# Residents each journey signs in as, kept apart so that one test's wrong PINs or links do not
# change what another test sees. 100008 is linked to FAMILY (active) and, after seeding, asked
# for by a second family member (pending), so its family page shows both kinds of card.
RESIDENT_FOR_PAGES = "100008"
RESIDENT_NO_JS = "100001"
RESIDENT_JS = "100002"
RESIDENT_WRONG_PIN = "100003"
RESIDENT_IDLE_KEPT = "100004"
RESIDENT_IDLE_LEFT = "100005"
RESIDENT_FOR_LINK = "100050"
RESIDENT_FOR_ATTACK = "100006"
RESIDENT_PIN_RETRY = "100007"
RESIDENT_HOME_TABLET = "100009"


@dataclass
class LiveServer:
    app: Flask
    url: str
    kiosk_token: str
    idle_seconds: int
    warning_seconds: int

    def __call__(self, path: str = "/") -> str:
        return self.url + path


def preference_cookies(
    url: str,
    language: str | None = None,
    size: int | None = None,
    scheme: str | None = None,
    kiosk_token: str | None = None,
) -> list[dict]:
    """Cookies as the toolbar and kiosk enrolment would have set them."""
    values = {
        LANGUAGE_COOKIE: language,
        SIZE_COOKIE: str(size) if size else None,
        SCHEME_COOKIE: scheme,
        KIOSK_COOKIE: kiosk_token,
    }
    return [
        {"name": name, "value": value, "url": url, "httpOnly": True, "sameSite": "Lax"}
        for name, value in values.items()
        if value
    ]


def submit(page: Page, button: Locator) -> None:
    """Press a button that sends a form, and wait for the page that comes back."""
    with page.expect_navigation(wait_until="load"):
        button.click()


def follow(page: Page, link: Locator) -> None:
    """Tap a link that htmx may answer in place: wait for its answer, or for the next page when
    the page runs without JavaScript."""
    if page.evaluate("() => Boolean(window.htmx)") and link.get_attribute("data-hx-get"):
        with page.expect_response(lambda response: response.request.headers.get("hx-request")):
            link.click()
        page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping')")
    else:
        submit(page, link)


def main_form_button(page: Page, action: str) -> Locator:
    """The primary submit button of the form in <main> that posts to action."""
    return page.locator(f"main form[action^='{action}'] button.button--primary").first


def sign_in_with_password(page: Page, live: LiveServer, phone: str, password: str = PASSWORD):
    page.goto(live("/sign-in"))
    page.fill("#phone", phone)
    page.fill("#password", password)
    submit(page, main_form_button(page, "/sign-in"))


def sign_in_at_kiosk(page: Page, live: LiveServer, code: str, pin: str = PIN):
    """A resident's code, then PIN, typed into the fields and sent with the big button."""
    page.goto(live("/kiosk"))
    page.fill("#code", code)
    submit(page, page.locator("button.button--huge"))
    page.fill("#pin", pin)
    submit(page, page.locator("button.button--huge"))


def open_context(
    browser: Browser,
    live: LiveServer,
    language: str | None = None,
    size: int | None = None,
    scheme: str | None = None,
    kiosk: bool = False,
    javascript: bool = True,
    viewport: dict | None = None,
    storage_state: dict | None = None,
) -> BrowserContext:
    """A fresh browser context with the chosen preference cookies, and the kiosk's if kiosk.

    storage_state carries the cookies of an earlier context, for example a signed-in session.
    """
    context = browser.new_context(
        viewport=viewport or TABLET,
        java_script_enabled=javascript,
        base_url=live.url,
        storage_state=storage_state,
    )
    context.set_default_timeout(15_000)
    token = live.kiosk_token if kiosk else None
    cookies = preference_cookies(live.url, language, size, scheme, token)
    if cookies:
        context.add_cookies(cookies)
    return context


def empty_database(database_url: str, tmp_path: Path, name: str) -> str:
    """A new, empty database of the kind the suite runs on: a SQLite file, or a PostgreSQL
    database called name beside the suite's."""
    if not database_url.startswith("postgresql"):
        return f"sqlite:///{tmp_path / (name + '.sqlite')}"
    engine = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {name}"))
    engine.dispose()
    return make_url(database_url).set(database=name).render_as_string(False)
