"""A daughter's phone learns to tell her of her mother's messages: the portal installs its
service worker, and the page offers to tell her on this phone."""

import pytest
from playwright.sync_api import expect

from tests.browser.measure import problems_on
from tests.browser.support import FAMILY, PHONE, sign_in_with_password

pytestmark = pytest.mark.browser


def test_the_settings_page_offers_push_on_a_phone_that_can_have_it(new_context, live):
    page = new_context(language="en", viewport=PHONE).new_page()
    sign_in_with_password(page, live, FAMILY)
    page.goto(live("/inbox"))
    page.locator("main a", has_text="How you are told").click()
    expect(page.locator("h1")).to_have_text("How you are told")
    offer = page.locator("section[data-push-key]")
    expect(offer).to_be_visible()
    expect(offer.locator("button", has_text="Tell me on this phone")).to_be_visible()
    worker = page.evaluate("navigator.serviceWorker.ready.then((r) => r.active.scriptURL)")
    assert worker == live("/sw.js")
    manifest = page.evaluate(
        "fetch(document.querySelector('link[rel=manifest]').href).then((r) => r.json())"
    )
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/"
    assert not problems_on(page)


def test_without_javascript_the_offer_stays_hidden(new_context, live):
    page = new_context(language="en", viewport=PHONE, javascript=False).new_page()
    sign_in_with_password(page, live, FAMILY)
    page.goto(live("/account/notifications"))
    expect(page.locator("section[data-push-key]")).to_be_hidden()
    expect(page.locator("h1")).to_have_text("How you are told")
