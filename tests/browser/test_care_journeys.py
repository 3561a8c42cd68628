"""Care in Chromium: a grid worker's round of visits on a phone (the due list in walking order,
three visits recorded one after the other, one raising a help request on the spot, each resident
leaving the list once seen); a resident's "I'm fine today" at the kiosk; and a missed daily
check-in reaching the grid worker's day, where they take the call to make."""

from datetime import time

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.accounts.models import Person
from portal.care import services as care
from portal.community.models import Building
from portal.extensions import db
from tests.browser.measure import problems_on
from tests.browser.support import (
    GRID_WORKER,
    PHONE,
    sign_in_at_kiosk,
    sign_in_with_password,
    submit,
)

pytestmark = pytest.mark.browser

# A demo resident no other journey signs in as.
FINE_TODAY = "100029"


def test_a_grid_worker_walks_the_due_list_and_records_three_visits(new_context, live):
    page = new_context(language="en", viewport=PHONE).new_page()
    sign_in_with_password(page, live, GRID_WORKER)
    page.goto(live("/care/"))
    expect(page.locator("h1")).to_have_text("Visits due")
    due = page.locator("main .care-due > li")
    before = due.count()
    assert before >= 3
    first = due.first.bounding_box()
    assert first["y"] + first["height"] <= PHONE["height"], (first, due.first.inner_text())
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


def test_a_resident_says_they_are_fine_and_a_missed_check_in_reaches_the_worker(new_context, live):
    resident = new_context(kiosk=True, language="zh_Hans").new_page()
    sign_in_at_kiosk(resident, live, FINE_TODAY)
    submit(resident, resident.locator("form.check-in button"))
    expect(resident.locator("main")).to_contain_text("已记下您今天很好")
    expect(resident.locator(".check-in-done")).to_be_visible()
    expect(resident.locator("form.check-in")).to_have_count(0)

    # Another resident of the worker's grid checks in every day by midnight, and has not.
    with live.app.app_context():
        worker = db.session.scalar(select(Person).where(Person.phone == GRID_WORKER))
        grid_id = next(g.grid_id for g in worker.grants if g.role == "grid_worker")
        quiet = db.session.scalar(
            select(Person)
            .join(Building, Building.id == Person.building_id)
            .where(Building.grid_id == grid_id, Person.resident_code.is_not(None))
            .order_by(Person.id.desc())
        )
        name = quiet.name
        care.plan_check_ins(quiet, worker, time(0))
        assert care.follow_missed_check_ins()["calls"] == 1
        db.session.remove()

    page = new_context(language="zh_Hans", viewport=PHONE).new_page()
    sign_in_with_password(page, live, GRID_WORKER)
    # The worker's home is their day: the call to make is there, taken in one tap.
    expect(page.locator("h1")).to_have_text("今日工作")
    call = page.locator("ol.day > li", has_text=name).filter(has_text="今天没有报平安")
    submit(page, call.locator("form button"))
    expect(page.locator("main")).to_contain_text("您已接单。")
    expect(page.locator("main")).to_contain_text(
        f"{name}每天 00:00 前报平安，今天还没有。请先打电话。"
    )
