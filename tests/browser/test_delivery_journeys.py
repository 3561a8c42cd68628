"""Meal delivery in Chromium: a family member applies for their parent on a phone, canteen staff
approve it and print today's round sheet, a volunteer runs the round on a phone, marks one door
delivered, one unanswered and the rest delivered, sees the round's points and spends some on a
meal voucher; the grid worker finds the urgent welfare check in the queue."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import (
    CANTEEN_STAFF,
    PHONE,
    VOLUNTEER,
    follow,
    sign_in_with_password,
    submit,
)

pytestmark = pytest.mark.browser

# A demo family member and the parent they are linked to, used by no other test.
FAMILY_APPLIES = "13800000421"
# The grid worker of the grid whose lunch round the demo volunteer runs (第二网格, 幸福里社区).
ROUND_GRID_WORKER = "13800000102"


def answer(page: Page, fill) -> None:
    fill()
    submit(page, page.locator("main form button.button--huge"))


def test_family_applies_staff_approve_and_a_volunteer_s_no_answer_raises_an_alert(
    new_context, live
):
    # The family member applies on a phone, in English.
    family = new_context(language="en", viewport=PHONE).new_page()
    sign_in_with_password(family, live, FAMILY_APPLIES)
    submit(family, family.locator("main a[href^='/delivery/residents/']").first)
    expect(family.locator("h1")).to_contain_text("Meal delivery for")
    parent = family.locator("h1").inner_text().removeprefix("Meal delivery for").strip()
    submit(family, family.get_by_role("link", name="Apply for meal delivery"))
    answer(family, lambda: family.get_by_label("Lunch").check())
    # No weekday chosen: told so, at the question.
    answer(family, lambda: None)
    expect(family.locator(".error-summary")).to_be_visible()
    answer(
        family,
        lambda: [family.get_by_label(day).check() for day in ("Monday", "Wednesday", "Friday")],
    )
    answer(family, lambda: family.locator("input[name='start']").first.check())
    answer(family, lambda: family.fill("input[name='floor']", "4"))
    answer(family, lambda: family.get_by_label("Soft").check())
    answer(family, lambda: family.fill("input[name='contact_phone']", "139 1234 5678"))
    expect(family.locator("h1")).to_have_text("Check the application")
    expect(family.locator("main")).to_contain_text("Monday, Wednesday")
    expect(family.locator("main")).to_contain_text("13912345678")
    submit(family, family.locator("main form button.button--huge"))
    expect(family.locator("main")).to_contain_text(re.compile(r"D\d{6}"))

    # Canteen staff approve it, in Traditional Chinese.
    staff = new_context(language="zh_Hant").new_page()
    sign_in_with_password(staff, live, CANTEEN_STAFF)
    staff.goto(live("/delivery/staff/"))
    follow(staff, staff.locator("main a[href^='/delivery/staff/enrolments/']", has_text=parent))
    submit(staff, staff.locator("main form[action$='/approve'] button"))
    expect(staff.locator("main")).to_contain_text("已核准")

    # The family member sees it approved.
    follow(family, family.get_by_role("link", name="See the meal delivery page"))
    expect(family.locator("main")).to_contain_text("Meals are delivered")

    # Staff open today's round sheet.
    staff.goto(live("/delivery/staff/"))
    follow(staff, staff.locator("main a[href$='/rounds']").first)
    follow(staff, staff.locator("main a[href*='/sheet']").first)
    expect(staff.locator("main")).to_contain_text("第二网格")

    # The volunteer takes today's lunch round in the second grid on a phone, in Simplified Chinese.
    volunteer = new_context(language="zh_Hans", viewport=PHONE).new_page()
    sign_in_with_password(volunteer, live, VOLUNTEER)
    volunteer.goto(live("/delivery/rounds/"))
    card = (
        volunteer.locator("main section, main li, main .card")
        .filter(has_text="午餐")
        .filter(has_text="第二网格")
    )
    follow(volunteer, card.locator("a[href^='/delivery/rounds/']").first)
    take = volunteer.locator("main form[action$='/take'] button")
    if take.count():
        submit(volunteer, take)
    # Coming back to the round, the first door shows on the phone's first screen.
    volunteer.reload()
    door = volunteer.locator("main .drop__name").first.bounding_box()
    assert door["y"] + door["height"] <= PHONE["height"], door
    drops = volunteer.locator("main [id^='drop-']")
    first, second = drops.nth(0), drops.nth(1)
    absent = second.locator("h3, .drop__name").first.inner_text().strip()
    first.locator("button[value='delivered']").click()
    expect(volunteer.locator("#status")).to_contain_text("已送达")
    second.locator("textarea, input[name='note']").first.fill("敲门三次无人应答")
    second.locator("button[value='no_answer']").click()
    expect(volunteer.locator("#status")).to_contain_text("上门探视")
    # The last doors delivered, the round is done, and it shows on the volunteer's points page.
    for index in range(2, drops.count()):
        drop = volunteer.locator(f"main #{drops.nth(index).get_attribute('id')}")
        if drop.locator("button[value='delivered']").count():
            drop.locator("button[value='delivered']").click()
            expect(drop).to_have_class(re.compile(r"drop--delivered"))
    volunteer.goto(live("/points/"))
    earned = volunteer.locator("main .movements__item").filter(has_text="第二网格").first
    expect(earned).to_contain_text("+20")
    expect(earned).to_contain_text("送午餐")
    # The volunteer spends points on a meal voucher: a check, then one confirmation.
    follow(volunteer, volunteer.locator("main a[href='/points/vouchers']"))
    follow(volunteer, volunteer.locator(".card", has_text="爱心午餐券").locator("a.button"))
    expect(volunteer.locator("h1")).to_have_text("核对：爱心午餐券")
    submit(volunteer, volunteer.locator("main form button.button--huge"))
    expect(volunteer.locator("h1")).to_contain_text("兑换成功")
    expect(volunteer.locator(".panel .key-figure")).to_contain_text(re.compile(r"Q\d{6}"))

    # The grid worker finds an urgent welfare check for that resident, raised by the round.
    worker = new_context(language="zh_Hans").new_page()
    sign_in_with_password(worker, live, ROUND_GRID_WORKER)
    worker.goto(live("/help/queue"))
    alert = worker.locator("#queue li.queue__item--urgent").filter(has_text="上门探视")
    follow(worker, alert.first.locator("a").first)
    expect(worker.locator("main")).to_contain_text(absent)
    expect(worker.locator("main")).to_contain_text("敲门三次无人应答")
