"""Service points in Chromium: a resident given points for helping a neighbour gets a free-meal
voucher at the kiosk (check, then one confirmation), then books lunch with it, and the check page
shows the price after the voucher: ¥0.00."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.accounts.models import Person
from portal.extensions import db
from portal.points import rules
from tests.browser.support import ADMIN, TABLET, follow, sign_in_at_kiosk, submit

pytestmark = pytest.mark.browser

# A demo resident used by no other test.
RESIDENT_WITH_POINTS = "100033"


def test_a_resident_gets_a_meal_voucher_and_books_lunch_with_it(new_context, live):
    with live.app.app_context():
        resident = db.session.scalar(select(Person).filter_by(resident_code=RESIDENT_WITH_POINTS))
        admin = db.session.scalar(select(Person).filter_by(phone=ADMIN))
        rules.award(resident, resident.community_id, 100, "帮邻居取药", "journey", admin)

    page = new_context(kiosk=True, language="zh_Hans", viewport=TABLET).new_page()
    sign_in_at_kiosk(page, live, RESIDENT_WITH_POINTS)
    follow(page, page.locator("a.tile[href='/points/']"))
    expect(page.locator(".facts .key-figure")).to_have_text("100")
    expect(page.locator(".movements__item").first).to_contain_text("帮邻居取药")
    follow(page, page.locator("main a[href='/points/vouchers']"))
    free_meal = page.locator(".card").filter(has_text="免费午餐券")
    follow(page, free_meal.locator("a.button"))
    facts = page.locator(".facts")
    expect(facts).to_contain_text("100")
    expect(page.locator(".facts .key-figure")).to_have_text("20")
    submit(page, page.locator("main form button.button--huge"))
    expect(page.locator("h1")).to_contain_text("兑换成功")
    reference = page.locator(".panel .key-figure").inner_text()
    assert re.search(r"Q\d{6}", reference), reference

    # Lunch, booked with the voucher: the check page says what is left to pay.
    page.goto(live("/"))
    submit(page, page.locator("a.tile--primary"))
    follow(page, page.locator("a.day-picker__day").last)
    follow(page, page.locator("a.dish").first)
    expect(page.locator("#canteen-panel .facts .key-figure")).to_have_text("¥0.00")
    expect(page.locator("input[name=pay]:checked")).to_have_value(re.compile(r"^voucher:"))
    submit(page, page.locator("main form button.button--huge"))
    expect(page.locator("main")).to_contain_text("¥0.00")
    expect(page.locator("main")).to_contain_text(reference.split()[-1])
