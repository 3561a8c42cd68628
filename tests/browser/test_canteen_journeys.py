"""Booking a meal in Chromium: a resident books and cancels at the kiosk, with and without
JavaScript; a family member books for their parent from a phone; the canteen adds a dish."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.pages import menu_editor
from tests.browser.support import (
    CANTEEN_STAFF,
    PHONE,
    TABLET,
    follow,
    sign_in_at_kiosk,
    sign_in_with_password,
    submit,
)

pytestmark = pytest.mark.browser

RESIDENT_BOOKS = {True: "100031", False: "100032"}
# A demo family member and the parent they are linked to, used by no other test.
FAMILY_BOOKS = "13800000403"
PARENT_BOOKED_FOR = "100022"


def book_last_meal(page: Page) -> str:
    """Three taps from the canteen tile: the last day of the week, its first dish, confirm.
    Returns the dish's name."""
    day = page.locator("a.day-picker__day").last
    follow(page, day)
    expect(page.locator("a.day-picker__day").last).to_have_attribute("aria-current", "date")
    dish = page.locator("a.dish").first
    name = dish.locator(".dish__name").inner_text().strip()
    follow(page, dish)
    expect(page.locator("#canteen-panel h1")).to_have_text("Check your booking")
    expect(page).to_have_title("Check your booking – Linli")
    expect(page.locator("#canteen-panel")).to_contain_text(name)
    submit(page, page.locator("main form button.button--primary"))
    return name


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_resident_books_and_cancels_at_the_kiosk(new_context, live, javascript):
    page = new_context(kiosk=True, javascript=javascript, language="en").new_page()
    sign_in_at_kiosk(page, live, RESIDENT_BOOKS[javascript])
    submit(page, page.locator("a.tile--primary"))
    dish = book_last_meal(page)
    expect(page.locator("h1")).to_contain_text("Your meal is booked")
    expect(page.locator("main")).to_contain_text("Reference B")
    submit(page, page.locator("main a.button--primary"))
    card = page.locator(".card", has_text=dish)
    # Cancelling asks first; "No" keeps the booking, "Yes" cancels it.
    follow(page, card.locator("a[href$='/cancel']"))
    expect(page.locator("h1")).to_have_text("Cancel this booking?")
    expect(page.locator("main")).to_contain_text(dish)
    follow(page, page.locator("main a.button", has_text="No, keep it"))
    expect(page.locator(".card", has_text=dish)).to_have_count(1)
    follow(page, card.locator("a[href$='/cancel']"))
    submit(page, page.locator("main form button.button--warning"))
    expect(page.locator("#status")).to_contain_text("Your booking is cancelled")
    expect(page.locator(".plain-list")).to_contain_text("Cancelled")


def test_family_books_for_their_parent_on_a_phone(new_context, live):
    family = new_context(language="en", viewport=PHONE).new_page()
    sign_in_with_password(family, live, FAMILY_BOOKS)
    submit(family, family.locator("main a[href^='/canteen/residents/']").first)
    expect(family.locator("h1")).to_contain_text("Which meal for")
    dish = book_last_meal(family)
    expect(family.locator("h1")).to_contain_text("'s meal is booked")

    resident = new_context(kiosk=True, language="en").new_page()
    sign_in_at_kiosk(resident, live, PARENT_BOOKED_FOR)
    submit(resident, resident.locator("a.tile[href$='/bookings']"))
    expect(resident.locator(".card", has_text=dish)).to_contain_text("Booked by your")


def test_switching_days_is_announced_and_keeps_the_address(new_context, live):
    page = new_context(kiosk=True, language="zh_Hans").new_page()
    sign_in_at_kiosk(page, live, RESIDENT_BOOKS[True])
    submit(page, page.locator("a.tile--primary"))
    # The canteen's number is a target a finger can hit (44 × 44 px at least).
    phone = page.locator("main a[href^='tel:']").bounding_box()
    assert phone["width"] >= 44 and phone["height"] >= 44, phone
    day = page.locator("a.day-picker__day").nth(1)
    heading_top = page.locator("h1").bounding_box()["y"]
    follow(page, day)
    expect(page.locator("#status")).to_contain_text("的菜单")
    assert "?day=" in page.url
    # The day just chosen keeps the focus, and the page does not move under the finger.
    expect(page.locator("a.day-picker__day").nth(1)).to_be_focused()
    assert page.locator("h1").bounding_box()["y"] == heading_top
    follow(page, page.locator("a.dish").first)
    expect(page.locator("#status")).to_contain_text("请核对")
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("h1")).to_be_focused()
    assert page.title().startswith(page.locator("h1").inner_text())
    follow(page, page.locator("#canteen-panel a.back-link"))
    expect(page.locator("a.day-picker__day").nth(1)).to_have_attribute("aria-current", "date")


def test_the_menu_editor_puts_the_new_dish_beside_the_menu_and_asks_its_kind(new_context, live):
    page = new_context(language="en").new_page()
    sign_in_with_password(page, live, CANTEEN_STAFF)
    menu_editor(page, live)
    # On a desk's 1280×800 screen the form to add a dish starts on the first screen.
    name = page.locator("#name_zh_hans").bounding_box()
    assert name["y"] + name["height"] <= TABLET["height"], name
    expect(page.locator("input[name=category]:checked")).to_have_count(0)
    page.fill("#name_zh_hans", "葱油饼")
    page.fill("#price", "6")
    submit(page, page.locator("main form[action$='/dishes'] button.button--primary"))
    expect(page.locator(".error-summary")).to_contain_text("Choose the kind of dish.")
    expect(page.locator("#name_zh_hans")).to_have_value("葱油饼")
