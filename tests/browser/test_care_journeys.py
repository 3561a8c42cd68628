"""A grid worker's round of care visits on a phone: the due list in walking order, three visits
recorded one after the other (one of them raising a help request on the spot), each resident
leaving the list once seen."""

import pytest
from playwright.sync_api import expect

from tests.browser.measure import problems_on
from tests.browser.support import GRID_WORKER, PHONE, sign_in_with_password, submit

pytestmark = pytest.mark.browser


def test_a_grid_worker_walks_the_due_list_and_records_three_visits(new_context, live):
    page = new_context(language="en", viewport=PHONE).new_page()
    sign_in_with_password(page, live, GRID_WORKER)
    page.goto(live("/care/"))
    expect(page.locator("h1")).to_have_text("Visits due")
    due = page.locator("main .care-due > li")
    before = due.count()
    assert before >= 3
    first = due.first.bounding_box()
    assert first["y"] + first["height"] <= PHONE["height"], first
    assert problems_on(page) == []

    for outcome, needs_help in (("well", None), ("by_phone", None), ("concerns", "paperwork")):
        name = due.first.locator(".queue__title").inner_text().split(maxsplit=1)[1]
        submit(page, due.first.locator("a.queue__link"))
        expect(page.locator("h1")).to_contain_text(name)
        page.locator(f"input[name=outcome][value={outcome}]").check()
        page.fill("textarea[name=note]", "精神不错" if outcome == "well" else "说要办养老金认证")
        if needs_help:
            page.select_option("select[name=needs_help]", needs_help)
        submit(page, page.locator("main form[action$='/visits'] button"))
        expect(page.locator("h1")).to_have_text("Visits due")
        expect(page.locator("main")).to_contain_text(f"Visit to {name} recorded.")
        if needs_help:
            expect(page.locator("main")).to_contain_text("A help request was raised for them.")
        expect(page.locator("main .care-due")).not_to_contain_text(name)
    assert due.count() == before - 3
