"""Help requests end to end: a resident taps a button at the kiosk, a grid worker takes and
resolves it, the resident says it is fixed; an urgent request nobody takes escalates; a new urgent
request is announced to a worker watching the queue."""

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from portal.help.models import HelpRequest
from tests.browser.support import (
    ADMIN,
    GRID_WORKER,
    PHONE,
    LiveServer,
    follow,
    sign_in_at_kiosk,
    sign_in_with_password,
    submit,
)

pytestmark = pytest.mark.browser

# Residents of the demo who live in the grid GRID_WORKER serves, one per journey.
RESIDENT_REPAIR = {True: "100013", False: "100014"}
RESIDENT_URGENT = "100025"
RESIDENT_ANNOUNCED = "100026"
RESIDENT_SPEAKS = "100027"


def tap(page: Page, category: str) -> None:
    submit(page, page.locator(f".help-buttons form:has(input[value='{category}']) button"))


def request_id(page: Page) -> int:
    """The request id from a /help/requests/<id>/sent address."""
    return int(page.url.rstrip("/").split("/")[-2])


def worker_resolves(page: Page, live: LiveServer, number: int, text: str) -> None:
    page.goto(live(f"/help/requests/{number}"))
    submit(page, page.locator("main form[action$='/take'] button"))
    page.locator("details.action:has(form[action$='/resolve']) > summary").click()
    page.fill("form[action$='/resolve'] textarea", text)
    submit(page, page.locator("form[action$='/resolve'] button"))
    expect(page.locator(".history")).to_contain_text(text)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_repair_from_tap_to_fixed(new_context, live, javascript):
    resident = new_context(kiosk=True, javascript=javascript, language="en").new_page()
    sign_in_at_kiosk(resident, live, RESIDENT_REPAIR[javascript])
    tap(resident, "repair")
    expect(resident.locator("h1")).to_contain_text("Your request has been sent")
    expect(resident.locator("main")).to_contain_text("reached your grid worker")
    number = request_id(resident)

    # A second tap within ten minutes lands on the same request.
    resident.goto(live("/resident"))
    tap(resident, "repair")
    assert request_id(resident) == number

    resident.fill("textarea", "厨房水龙头漏水")
    submit(
        resident, resident.locator("main form[action$='/notes/resident'] button.button--primary")
    )

    worker = new_context(language="en").new_page()
    sign_in_with_password(worker, live, GRID_WORKER)
    worker.goto(live("/help/queue"))
    expect(worker.locator(f"#queue a[href='/help/requests/{number}']")).to_be_visible()
    worker_resolves(worker, live, number, "换了新的水龙头")

    resident.goto(live("/resident"))
    submit(resident, resident.locator("a.tile[href^='/help/residents/']"))
    card = resident.locator(".card", has_text="换了新的水龙头")
    expect(card).to_contain_text("says it is done")
    submit(resident, card.locator("form:has(input[value='yes']) button"))
    expect(resident.locator("#status")).to_contain_text("The request is closed")
    with live.app.app_context():
        from portal.extensions import db

        assert db.session.get(HelpRequest, number).status == "closed"
        db.session.remove()


def test_unacknowledged_urgent_request_escalates_to_the_community(new_context, live, clock):
    resident = new_context(kiosk=True, language="zh_Hans").new_page()
    sign_in_at_kiosk(resident, live, RESIDENT_URGENT)
    tap(resident, "unwell")
    expect(resident.locator("main a.button--emergency[href='tel:120']")).to_be_visible()
    number = request_id(resident)

    clock.shift(timedelta(minutes=5, seconds=1))  # nobody has taken it in five minutes
    admin = new_context(language="zh_Hans").new_page()
    sign_in_with_password(admin, live, ADMIN)
    admin.goto(live("/help/queue"))
    row = admin.locator(f"#queue a[href='/help/requests/{number}']")
    expect(row).to_contain_text("已上报至：社区")
    admin.goto(live(f"/help/requests/{number}"))
    expect(admin.locator(".history")).to_contain_text("上报")


def test_a_new_urgent_request_is_announced_to_a_worker_watching_the_queue(new_context, live):
    worker = new_context(language="en").new_page()
    worker.clock.install()  # the queue's polling runs on a clock the test moves
    sign_in_with_password(worker, live, GRID_WORKER)
    worker.goto(live("/help/queue"))
    expect(worker.locator("#queue")).to_be_visible()

    resident = new_context(kiosk=True).new_page()
    sign_in_at_kiosk(resident, live, RESIDENT_ANNOUNCED)
    tap(resident, "unwell")

    with worker.expect_response(lambda response: "/help/queue" in response.url):
        worker.clock.run_for(6_000)  # the queue asks again every six seconds
    expect(worker.locator("#status")).to_contain_text("A new urgent request is waiting")
    number = request_id(resident)
    expect(worker.locator(f"#queue a[href='/help/requests/{number}']")).to_be_visible()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_grid_worker_narrows_the_queue_on_a_phone(new_context, live, javascript):
    """Each filter says how many it holds, and shows that many, with and without JavaScript."""
    worker = new_context(language="zh_Hans", viewport=PHONE, javascript=javascript).new_page()
    sign_in_with_password(worker, live, GRID_WORKER)
    worker.goto(live("/help/queue"))
    for name in ("未接单", "我接的", "全部"):
        link = worker.locator(".queue-filters__link", has_text=name)
        count = int(link.locator(".queue-filters__count").inner_text())
        follow(worker, link)
        expect(worker.locator(".queue-filters__link[aria-current=page]")).to_contain_text(name)
        expect(worker.locator("#queue .queue__item")).to_have_count(count)
        if name == "未接单":
            for card in worker.locator("#queue .queue__item").all():
                expect(card).to_contain_text("已等待")


def test_voice_input_is_offered_only_where_it_can_work(new_context, live):
    """Without JavaScript the microphone cannot listen: neither its button nor its notice shows."""
    live.app.config["DICTATION"] = True
    try:
        page = new_context(kiosk=True, javascript=False, language="en").new_page()
        sign_in_at_kiosk(page, live, RESIDENT_SPEAKS)
        tap(page, "company")
        expect(page.locator("h1")).to_contain_text("Your request has been sent")
        expect(page.get_by_role("button", name="Speak instead of typing")).to_be_hidden()
        expect(page.locator("#dictation-privacy")).to_be_hidden()
    finally:
        live.app.config["DICTATION"] = False
