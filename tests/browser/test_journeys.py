"""Whole journeys in Chromium: signing in at the kiosk and with a password, with and without
JavaScript (row 25), family links, the kiosk's idle warning (row 15), the toolbar (rows 4, 8, 27)
and read-aloud (row 26)."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from portal.accounts.models import Person
from portal.extensions import db
from tests.browser.support import (
    FAMILY,
    RESIDENT_FOR_ATTACK,
    RESIDENT_FOR_LINK,
    RESIDENT_HOME_TABLET,
    RESIDENT_IDLE_KEPT,
    RESIDENT_IDLE_LEFT,
    RESIDENT_JS,
    RESIDENT_NO_JS,
    RESIDENT_PIN_RETRY,
    RESIDENT_WRONG_PIN,
    STREET_ADMIN,
    TABLET,
    LiveServer,
    follow,
    main_form_button,
    sign_in_at_kiosk,
    sign_in_with_password,
    submit,
)

pytestmark = pytest.mark.browser

NEW_FAMILY_PHONE = "13912340001"
# A resident no other test signs in as.
RESIDENT_NEW_PIN = "100046"
NEW_FAMILY_NAME = "测试家属"
NEW_FAMILY_PASSWORD = "a long family password"


def name_of(live: LiveServer, **key) -> str:
    with live.app.app_context():
        name = db.session.scalar(select(Person.name).filter_by(**key))
        db.session.remove()
    assert name, f"no person with {key}"
    return name


def key(page: Page, value: str):
    return page.locator(f".keypad button[name='key'][value='{value}']")


def press_without_javascript(page: Page, field: str, digits: str) -> None:
    """Each keypad press posts the form; the page comes back with the digit added."""
    typed = page.input_value(field)
    for digit in digits:
        submit(page, key(page, digit))
        typed += digit
        expect(page.locator(field)).to_have_value(typed)


def press_with_javascript(page: Page, field: str, digits: str) -> None:
    """Each keypad press types into the field; the page is never reloaded."""
    page.evaluate("() => { window.notReloaded = true; }")
    typed = page.input_value(field)
    for digit in digits:
        key(page, digit).click()
        typed += digit
        expect(page.locator(field)).to_have_value(typed)
    assert page.evaluate("() => window.notReloaded === true"), "a keypad press reloaded the page"


def error_texts(page: Page) -> tuple[str, str]:
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    return summary.inner_text(), page.locator(".field__error").inner_text()


# Kiosk sign-in -------------------------------------------------------------------------------


def test_kiosk_sign_in_by_keypad_without_javascript(new_context, live):
    page = new_context(kiosk=True, javascript=False).new_page()
    page.goto(live("/kiosk"))
    press_without_javascript(page, "#code", RESIDENT_NO_JS)
    submit(page, page.locator("button.button--huge"))  # Next
    assert page.url == live("/kiosk/pin")

    page.fill("#pin", "2580")  # the PIN keypad has its own test, below
    submit(page, page.locator("button.button--huge"))  # Sign in

    assert page.url == live("/resident")
    expect(page.locator("h1")).to_contain_text(name_of(live, resident_code=RESIDENT_NO_JS))


def test_kiosk_pin_by_keypad_without_javascript(new_context, live):
    page = new_context(kiosk=True, javascript=False).new_page()
    page.goto(live("/kiosk"))
    press_without_javascript(page, "#code", RESIDENT_NO_JS)
    submit(page, page.locator("button.button--huge"))
    assert page.url == live("/kiosk/pin")

    press_without_javascript(page, "#pin", "2580")
    submit(page, page.locator("button.button--huge"))

    assert page.url == live("/resident")
    expect(page.locator("h1")).to_contain_text(name_of(live, resident_code=RESIDENT_NO_JS))


def assert_keypad_on_first_screen(page: Page) -> None:
    """The whole keypad and the button that sends it show without scrolling on the kiosk."""
    for part in (page.locator(".keypad"), page.locator("button.button--huge")):
        box = part.bounding_box()
        assert box["y"] + box["height"] <= TABLET["height"], box


def test_kiosk_sign_in_by_keypad_with_javascript(new_context, live):
    page = new_context(kiosk=True).new_page()
    page.goto(live("/kiosk"))
    assert_keypad_on_first_screen(page)
    press_with_javascript(page, "#code", RESIDENT_JS[:3])
    key(page, "delete").click()
    key(page, "clear").click()
    expect(page.locator("#code")).to_have_value("")
    press_with_javascript(page, "#code", RESIDENT_JS)
    submit(page, page.locator("button.button--huge"))
    assert page.url == live("/kiosk/pin")

    press_with_javascript(page, "#pin", "2580")
    # The PIN shows as dots, so the status region says how many digits there are.
    expect(page.locator("#status")).to_contain_text("4")
    assert_keypad_on_first_screen(page)
    submit(page, page.locator("button.button--huge"))

    assert page.url == live("/resident")
    expect(page.locator("h1")).to_contain_text(name_of(live, resident_code=RESIDENT_JS))


def test_a_wrong_pin_and_an_unknown_code_get_the_same_message(new_context, live):
    page = new_context(kiosk=True, javascript=False, language="en").new_page()
    page.goto(live("/kiosk"))
    press_without_javascript(page, "#code", RESIDENT_WRONG_PIN)
    submit(page, page.locator("button.button--huge"))
    page.fill("#pin", "1111")  # typed: the keypad has its own test
    submit(page, page.locator("button.button--huge"))

    assert page.url == live("/kiosk/pin")
    assert page.title().startswith("Error:")
    wrong_pin = error_texts(page)
    assert "That resident code and PIN do not match" in wrong_pin[0]

    page.goto(live("/kiosk"))
    page.fill("#code", "199999")
    submit(page, page.locator("button.button--huge"))
    page.fill("#pin", "2580")
    submit(page, page.locator("button.button--huge"))
    assert error_texts(page) == wrong_pin, "the messages tell a wrong PIN from an unknown code"

    # The resident can still sign in: one wrong PIN does not lock the account.
    page.goto(live("/kiosk"))
    page.fill("#code", RESIDENT_WRONG_PIN)
    submit(page, page.locator("button.button--huge"))
    page.fill("#pin", "2580")
    submit(page, page.locator("button.button--huge"))
    assert page.url == live("/resident")


def test_after_a_wrong_pin_the_keypad_starts_again_empty(new_context, live):
    page = new_context(kiosk=True, language="en").new_page()
    page.goto(live("/kiosk"))
    press_with_javascript(page, "#code", RESIDENT_PIN_RETRY)
    submit(page, page.locator("button.button--huge"))
    masked = name_of(live, resident_code=RESIDENT_PIN_RETRY)[0]
    expect(page.locator(".signing-in-as")).to_have_text(
        f"Signing in {masked}**, resident code {RESIDENT_PIN_RETRY}."
    )
    press_with_javascript(page, "#pin", "1111")
    submit(page, page.locator("button.button--huge"))
    assert "do not match" in error_texts(page)[1]
    expect(page.locator("#pin")).to_have_value("")
    press_with_javascript(page, "#pin", "2580")
    submit(page, page.locator("button.button--huge"))
    assert page.url == live("/resident")


def test_signing_out_of_a_home_tablet_signs_out(new_context, live):
    """On a tablet that is not a kiosk the resident stays signed in; signing out there ends it,
    and the next person to pick the tablet up meets the sign-in page."""
    context = new_context(language="en")
    page = context.new_page()
    sign_in_at_kiosk(page, live, RESIDENT_HOME_TABLET)
    assert page.url == live("/resident")
    name = name_of(live, resident_code=RESIDENT_HOME_TABLET)
    assert any(c["name"] == "remember_token" for c in context.cookies())
    submit(page, page.locator("[data-sign-out-form] button"))
    expect(page.locator("main")).to_contain_text("You have signed out")
    expect(page.locator("body")).not_to_contain_text(name)
    assert not any(c["name"] == "remember_token" for c in context.cookies())
    page.goto(live("/resident"))
    assert page.url.startswith(live("/kiosk")) or page.url.startswith(live("/sign-in"))


def test_a_form_on_another_site_cannot_act_for_a_signed_in_resident(new_context, live):
    """Another site's form posting to the portal is refused with no form to press again, and
    the resident's cookies on the home tablet stay as they were; the portal's own expired form
    still keeps what was typed."""
    context = new_context(language="en")
    page = context.new_page()
    sign_in_at_kiosk(page, live, RESIDENT_FOR_ATTACK)
    assert page.url == live("/resident")
    before = {(c["name"], c["value"]) for c in context.cookies()}

    attacker = context.new_page()
    attacker.set_content(
        f'<form method="post" action="{live("/help/requests")}">'
        '<input name="category" value="unwell"><button>Win a prize</button></form>'
    )
    submit(attacker, attacker.locator("button"))
    expect(attacker.locator("h1")).to_have_text("This was not sent")
    expect(attacker.locator("main form")).to_have_count(0)
    assert {(c["name"], c["value"]) for c in context.cookies()} == before

    page.goto(live("/resident"))
    assert page.url == live("/resident"), "the resident was signed out"
    form = page.locator("main form[action^='/help/requests']").first
    form.locator("input[name=csrf_token]").evaluate("input => input.value = 'stale'")
    submit(page, form.locator("button"))
    expect(page.locator("h1")).to_have_text("This page expired, please try again")
    expect(page.locator("main form input[name=category]")).to_have_count(1)


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_errors_are_summarised_at_the_top_and_focused(new_context, live, javascript):
    """Row 17, on the password sign-in form sent empty."""
    page = new_context(javascript=javascript, language="en").new_page()
    page.goto(live("/sign-in"))
    submit(page, main_form_button(page, "/sign-in"))

    assert page.title().startswith("Error:")
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary.locator("h2")).to_have_text("There is a problem")
    expect(summary.locator("a[href='#phone']")).to_have_text("Enter your mobile number.")
    expect(page.locator("#phone-error")).to_contain_text("Enter your mobile number.")
    expect(page.locator("#phone")).to_have_attribute("aria-invalid", "true")
    summary.locator("a[href='#password']").click()
    expect(page.locator("#password")).to_be_focused()


# Family members ------------------------------------------------------------------------------


def test_family_member_signs_in_without_javascript(new_context, live):
    page = new_context(javascript=False).new_page()
    sign_in_with_password(page, live, FAMILY)
    assert page.url == live("/family")
    expect(page.locator("h1")).to_contain_text(name_of(live, phone=FAMILY))
    expect(page.locator(".card .tag--active").first).to_be_visible()


def test_new_family_member_links_to_a_resident_who_allows_it_at_the_kiosk(new_context, live):
    family = new_context(javascript=False).new_page()
    family.goto(live("/register"))
    family.fill("#name", NEW_FAMILY_NAME)
    family.fill("#phone", NEW_FAMILY_PHONE)
    family.fill("#password", NEW_FAMILY_PASSWORD)
    family.fill("#confirm", NEW_FAMILY_PASSWORD)
    expect(family.locator("#privacy-title")).to_be_visible()
    family.check("#consent")
    submit(family, main_form_button(family, "/register"))
    assert family.url == live("/family/links/new")

    family.fill("#resident_code", RESIDENT_FOR_LINK)
    family.locator("label.choice").first.click()
    submit(family, main_form_button(family, "/family/links/new"))
    assert family.url == live("/family")
    resident_name = name_of(live, resident_code=RESIDENT_FOR_LINK)
    # Until the resident agrees, the request shows their code and never their name.
    expect(family.locator("main")).not_to_contain_text(resident_name)
    waiting = family.locator(".card", has_text=RESIDENT_FOR_LINK)
    expect(waiting.locator(".tag--pending")).to_be_visible()

    resident = new_context(kiosk=True, javascript=False).new_page()
    sign_in_at_kiosk(resident, live, RESIDENT_FOR_LINK)
    resident.goto(live("/resident/family"))
    request = resident.locator(".card", has_text=NEW_FAMILY_NAME)
    submit(resident, request.locator("button.button--primary"))  # "Yes, allow"
    assert resident.url == live("/resident/family")
    expect(
        resident.locator(".card", has_text=NEW_FAMILY_NAME).locator(".tag--active")
    ).to_be_visible()

    family.reload()
    card = family.locator(".card", has_text=resident_name)
    expect(card.locator(".tag--active")).to_be_visible()
    expect(card.locator(".tag--pending")).to_have_count(0)


# The kiosk's idle warning --------------------------------------------------------------------


def idle_kiosk(new_context, live, code: str) -> Page:
    """A kiosk page whose timers run on a clock the test moves, with the resident signed in."""
    page = new_context(kiosk=True).new_page()
    page.clock.install()
    sign_in_at_kiosk(page, live, code)
    assert page.url == live("/resident")
    return page


def wait(page: Page, clock, seconds: float) -> None:
    """Let seconds pass without a tap, for the portal's clock and then for the kiosk's, whose
    timers then fire once each, as on a tablet that wakes from sleep (firing the kiosk's
    once-a-second check for every second would send the sign-out form many times over)."""
    clock.shift(seconds)
    page.clock.fast_forward(round(seconds * 1000))


def test_idle_warning_shows_and_i_am_still_here_keeps_the_resident_signed_in(
    new_context, live, clock
):
    page = idle_kiosk(new_context, live, RESIDENT_IDLE_KEPT)
    # Only "I'm still here" may reach the server until the reload, or the test proves nothing.
    calls = []
    page.on("request", lambda request: calls.append(urlsplit(request.url).path))
    dialog = page.locator("[data-idle-warning]")
    # The kiosk signs out 2 s before the server would, and warns warning_seconds before that.
    quiet = live.idle_seconds - 2 - live.warning_seconds
    wait(page, clock, quiet - 1)
    expect(dialog).to_be_hidden()
    wait(page, clock, 2)
    expect(dialog).to_be_visible()
    expect(dialog.locator("#idle-warning-title")).to_be_visible()
    expect(dialog.locator("[data-idle-text]")).to_have_text(
        re.compile(rf"\b{live.warning_seconds - 1}\b")  # seconds left
    )
    expect(dialog.locator("[data-still-here]")).to_be_focused()

    # Press late, when the resident has all but run out of time.
    wait(page, clock, live.warning_seconds - 3.5)
    expect(dialog).to_be_visible()
    with page.expect_response(lambda response: "/kiosk/still-here" in response.url) as pressed:
        dialog.locator("[data-still-here]").click()
    assert pressed.value.status == 204
    expect(dialog).to_be_hidden()

    # Past the moment the first page's session would have expired on the server.
    wait(page, clock, 6)
    assert [path for path in calls if not path.startswith("/static/")] == ["/kiosk/still-here"]
    page.goto(live("/resident"))
    assert page.url == live("/resident"), "the resident was signed out despite 'I'm still here'"
    expect(page.locator("h1")).to_contain_text(name_of(live, resident_code=RESIDENT_IDLE_KEPT))


def test_idle_kiosk_signs_the_resident_out_by_itself(new_context, live, clock):
    page = idle_kiosk(new_context, live, RESIDENT_IDLE_LEFT)
    wait(page, clock, live.idle_seconds - 2 - live.warning_seconds + 1)
    expect(page.locator("[data-idle-warning]")).to_be_visible()
    with page.expect_navigation(url=live("/kiosk")):
        wait(page, clock, live.warning_seconds)
    expect(page.locator("#code")).to_be_visible()

    page.goto(live("/resident"))
    assert page.url.startswith(live("/kiosk")), "the resident is still signed in"


def test_the_server_ends_an_idle_kiosk_session_without_the_page(new_context, live, clock):
    """A kiosk whose page stopped (closed, crashed, no JavaScript) is signed out all the same."""
    page = new_context(kiosk=True, javascript=False).new_page()
    sign_in_at_kiosk(page, live, RESIDENT_IDLE_LEFT)
    assert page.url == live("/resident")
    clock.shift(live.idle_seconds - 5)
    page.goto(live("/resident"))
    assert page.url == live("/resident")
    clock.shift(live.idle_seconds - 5)  # counted again from the last page
    page.goto(live("/resident"))
    assert page.url == live("/resident")
    clock.shift(live.idle_seconds + 1)
    page.goto(live("/resident"))
    assert page.url.startswith(live("/kiosk")), "the idle resident is still signed in"


# The toolbar and read-aloud ------------------------------------------------------------------


def root_font_size(page: Page) -> float:
    return page.evaluate("() => parseFloat(getComputedStyle(document.documentElement).fontSize)")


def html_classes(page: Page) -> list[str]:
    return (page.locator("html").get_attribute("class") or "").split()


def toolbar_button(page: Page, name: str, value: str):
    return page.locator(f".toolbar button[name='{name}'][value='{value}']")


def test_toolbar_works_without_javascript_and_is_remembered(new_context, live):
    page = new_context(javascript=False).new_page()
    page.goto(live("/sign-in"))
    expect(page.locator("html")).to_have_attribute("lang", "en")  # Chromium asks for en-US

    for language, tag in (("zh_Hant", "zh-Hant"), ("zh_Hans", "zh-Hans"), ("en", "en")):
        submit(page, toolbar_button(page, "language", language))
        expect(page.locator("html")).to_have_attribute("lang", tag)
        expect(toolbar_button(page, "language", language)).to_have_attribute("aria-pressed", "true")
    submit(page, toolbar_button(page, "language", "zh_Hant"))

    before = root_font_size(page)
    page.locator(".toolbar__details > summary").click()
    submit(page, toolbar_button(page, "step", "up"))
    assert root_font_size(page) > before
    assert "size-125" in html_classes(page)

    page.locator(".toolbar__details > summary").click()
    submit(page, toolbar_button(page, "scheme", "yk"))
    assert "scheme-yk" in html_classes(page)
    expect(toolbar_button(page, "scheme", "yk")).to_have_attribute("aria-pressed", "true")

    page.goto(live("/register"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hant")
    assert {"size-125", "scheme-yk"} <= set(html_classes(page))
    assert root_font_size(page) == pytest.approx(20)

    page.goto(live("/kiosk"))
    assert {"size-125", "scheme-yk"} <= set(html_classes(page))
    page.locator(".toolbar__details > summary").click()
    submit(page, toolbar_button(page, "step", "reset"))
    assert root_font_size(page) == pytest.approx(16)
    assert "size-100" in html_classes(page)


def test_toolbar_keeps_you_on_the_same_page(new_context, live):
    page = new_context(javascript=False).new_page()
    page.goto(live("/register"))
    submit(page, toolbar_button(page, "language", "zh_Hans"))
    assert page.url == live("/register")
    page.locator(".toolbar__details > summary").click()
    submit(page, toolbar_button(page, "step", "up"))
    assert page.url == live("/register")


def test_read_aloud_is_offered_only_when_it_can_work(new_context, live):
    page = new_context().new_page()
    page.goto(live("/sign-in"))
    assert page.evaluate("() => 'speechSynthesis' in window")
    expect(page.locator("[data-read-aloud]")).to_be_visible()

    page = new_context(javascript=False).new_page()
    page.goto(live("/sign-in"))
    expect(page.locator("[data-read-aloud]")).to_be_hidden()


def test_an_admin_issues_a_pin_and_the_resident_signs_in_with_it(new_context, live):
    admin = new_context(language="en").new_page()
    sign_in_with_password(admin, live, STREET_ADMIN)
    admin.goto(live("/admin/residents/"))
    admin.fill("#q", RESIDENT_NEW_PIN)
    submit(admin, admin.locator("main form[role=search] button"))
    follow(admin, admin.locator("main tbody a").first)
    follow(admin, admin.locator("main a", has_text="Issue a new PIN"))
    expect(admin.locator("h1")).to_contain_text("Issue a new PIN for")
    submit(admin, admin.locator("main form button.button--primary"))
    expect(admin.locator("[data-print]")).to_be_visible()
    pin = admin.locator(".pin-slip dd").nth(1).inner_text().strip()
    assert len(pin) == 6 and pin.isdigit()
    resident = new_context(kiosk=True, language="en").new_page()
    sign_in_at_kiosk(resident, live, RESIDENT_NEW_PIN, pin=pin)
    assert resident.url == live("/resident")
