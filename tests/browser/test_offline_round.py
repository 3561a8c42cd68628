"""A volunteer's round in a stairwell, in Chromium on a phone: the round opens without signal, two
doors are marked there and the page says they are not sent yet; when the signal comes back they
arrive, once each, with the time of the knock, even when the first answer never reached the
phone."""

import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.community.models import Community
from portal.delivery.models import Delivery, DropMark
from portal.extensions import db
from portal.model_base import utcnow
from tests.browser.support import PHONE, VOLUNTEER, follow, sign_in_with_password, submit

pytestmark = pytest.mark.browser

# The dinner round of 幸福里社区's first grid, which no other test marks.
ROUND_TEXT = ("Dinner", "第一网格")
KEPT_PAGES = "linli-rounds"


def _time_in_the_stairwell(live) -> timedelta:
    """How long the doors wait on the phone: five minutes, or less just after midnight, so
    that every knock is still on the round's own day."""
    with live.app.app_context():
        community = db.session.scalar(select(Community).where(Community.name == "幸福里社区"))
        now = utcnow()
        zone = ZoneInfo(community.timezone)
        midnight = datetime.combine(community.today(now), time(0), tzinfo=zone)
        since_midnight = now.replace(tzinfo=UTC) - midnight
        db.session.remove()
    return max(timedelta(0), min(timedelta(minutes=5), since_midnight - timedelta(seconds=30)))


def test_doors_marked_without_signal_arrive_once_with_the_time_of_the_knock(new_context, live):
    context = new_context(language="en", viewport=PHONE)
    page = context.new_page()
    page.clock.install()
    sign_in_with_password(page, live, VOLUNTEER)
    page.goto(live("/delivery/rounds/"))
    card = page.locator("main section, main li, main .card")
    for text in ROUND_TEXT:
        card = card.filter(has_text=text)
    follow(page, card.locator("a[href^='/delivery/rounds/']").first)
    take = page.locator("main form[action$='/take'] button")
    if take.count():
        submit(page, take)
    round_path = re.sub(r"^https?://[^/]+", "", page.url).split("#")[0]
    # The phone keeps the round once the page has opened with signal.
    for _ in range(80):
        kept = "path => caches.open('linli-rounds').then(c => c.match(path)).then(Boolean)"
        if page.evaluate(kept, round_path):
            break
        page.wait_for_timeout(250)
    assert page.evaluate(kept, round_path), "the round is not kept on the phone"

    context.set_offline(True)
    page.reload()
    expect(page.locator("h1")).to_contain_text("第一网格")
    drops = page.locator("main li[id^='drop-']")
    first, second = drops.nth(0), drops.nth(1)
    first_id = int(first.get_attribute("id").removeprefix("drop-"))
    second_id = int(second.get_attribute("id").removeprefix("drop-"))
    first.locator("button[value='delivered']").click()
    expect(first.locator(".drop__waiting")).to_contain_text("Delivered at ")
    expect(first.locator(".drop__waiting")).to_contain_text("not sent yet")
    second.locator("input[name='note']").fill("Said no thank you")
    second.locator("button[value='refused']").click()
    waiting = page.locator("#round-waiting")
    expect(waiting).to_be_visible()
    expect(waiting).to_contain_text("2 doors are marked but not sent yet.")
    expect(waiting).to_contain_text("phone the grid worker")
    expect(second.locator("button[value='refused']")).to_have_attribute("aria-pressed", "true")

    stairwell = _time_in_the_stairwell(live)
    page.clock.fast_forward(int(stairwell.total_seconds() * 1000))

    # Back in signal, the first answer is lost on its way back: the phone must send it again.
    posts = []
    page.on(
        "request",
        lambda request: posts.append(request.url) if request.method == "POST" else None,
    )
    lost = []

    def lose_the_answer(route):
        if not lost:
            lost.append(route.fetch())  # the portal has it; the phone never hears back
            route.abort()
        else:
            route.continue_()

    page.route("**/delivery/drops/*/mark", lose_the_answer)
    context.set_offline(False)
    for _ in range(80):
        if "Everything you marked is sent." in waiting.inner_text():
            break
        # As the phone does every 15 seconds, and whenever it finds signal again.
        page.evaluate("() => window.dispatchEvent(new Event('online'))")
        page.wait_for_timeout(250)
    expect(waiting).to_contain_text("Everything you marked is sent.")
    expect(first.locator(".drop__outcome")).to_contain_text("Delivered")
    expect(page.locator(".drop__waiting")).to_have_count(0)
    assert lost and lost[0].status == 200
    assert len(posts) == 3, posts

    with live.app.app_context():
        marks = db.session.scalars(
            select(DropMark).where(DropMark.delivery_id.in_([first_id, second_id]))
        ).all()
        assert sorted(mark.delivery_id for mark in marks) == [first_id, second_id]
        for mark in marks:
            drop = db.session.get(Delivery, mark.delivery_id)
            waited = mark.received_at - drop.marked_at
            assert stairwell <= waited <= stairwell + timedelta(seconds=60), waited
        refused = db.session.get(Delivery, second_id)
        assert (refused.outcome, refused.note) == ("refused", "Said no thank you")
        assert db.session.get(Delivery, first_id).outcome == "delivered"
        db.session.remove()
