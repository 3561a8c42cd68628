"""Activities in Chromium: a resident joins and leaves at the kiosk, with and without JavaScript;
a family member signs their parent up from a phone; switching weeks in place is announced. The
journeys that join make the activity they join, so they never depend on the demo's week."""

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from portal.accounts.models import Person
from portal.activities.models import Event, Venue
from portal.extensions import db
from tests.browser.support import (
    ORGANISER,
    PHONE,
    TABLET,
    follow,
    sign_in_at_kiosk,
    sign_in_with_password,
    submit,
)
from tests.clock import shanghai

pytestmark = pytest.mark.browser

RESIDENT_JOINS = {True: "100040", False: "100041"}
RESIDENT_SWITCHES_WEEKS = "100049"
RESIDENT_SEES_FIRST = "100048"
# A demo family member and the parent they are linked to, used by no other test.
FAMILY_SIGNS_UP = "13800000423"
PARENT_SIGNED_UP = "100042"


def activity_with_places(live, code: str, title: str) -> str:
    """An activity with places tomorrow afternoon, at a step-free venue of the community of the
    resident with code, made for one test; returns its English title."""
    with live.app.app_context():
        resident = db.session.scalar(select(Person).filter_by(resident_code=code))
        venue = db.session.scalars(
            select(Venue).filter_by(community_id=resident.community_id, step_free=True)
        ).first()
        organiser = db.session.scalar(select(Person).filter_by(phone=ORGANISER))
        starts = shanghai(15, days=1).replace(tzinfo=None)
        db.session.add(
            Event(
                community_id=resident.community_id,
                venue_id=venue.id,
                organiser_id=organiser.id,
                title_zh_hans=title,
                title_en=title,
                category="crafts",
                starts_at=starts,
                ends_at=starts + timedelta(hours=1),
                capacity=12,
            )
        )
        db.session.commit()
        db.session.remove()
    return title


def join_activity(page: Page, title: str) -> None:
    """From a calendar page, join the activity titled title, through its page and the check
    page; in the week view tomorrow's activity is next week's on a Sunday."""
    card = page.locator("li.activity", has=page.get_by_text(title, exact=True))
    if not card.count():
        follow(page, page.locator("a.pager__link", has_text="Next week"))
    submit(page, card.locator("a.button--primary", has_text="Join"))
    expect(page.locator("h1")).to_contain_text(title)
    expect(page.locator("dl.facts")).to_contain_text("Step-free access")
    submit(page, page.locator("main form button.button--huge"))


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_resident_joins_and_leaves_at_the_kiosk(new_context, live, javascript):
    page = new_context(kiosk=True, javascript=javascript, language="en").new_page()
    code = RESIDENT_JOINS[javascript]
    title = activity_with_places(live, code, f"Paper cutting {code}")
    sign_in_at_kiosk(page, live, code)
    submit(page, page.locator("a.tile[href^='/activities/residents/']"))
    join_activity(page, title)
    expect(page.locator("h1")).to_contain_text("You're going")
    expect(page.locator("main")).to_contain_text("Reference A")
    submit(page, page.locator("main a.button--primary", has_text="See all my activities"))
    card = page.locator(".card", has_text=title)
    expect(card).to_contain_text("You're going")
    follow(page, card.locator("a[href*='/leave']"))
    expect(page.locator("h1")).to_have_text("Give up your place?")
    expect(page.locator("main dl")).to_contain_text(title)
    submit(page, page.locator("main form button.button--warning"))
    expect(page.locator("#status")).to_contain_text(f"You have left {title}")
    expect(page.locator(".card", has_text=title)).to_have_count(0)


def test_family_signs_up_their_parent_on_a_phone(new_context, live):
    title = activity_with_places(live, PARENT_SIGNED_UP, "Paper cutting for a parent")
    family = new_context(language="en", viewport=PHONE).new_page()
    sign_in_with_password(family, live, FAMILY_SIGNS_UP)
    submit(family, family.locator("main a[href^='/activities/residents/']").first)
    expect(family.locator("h1")).to_contain_text("Activities for")
    join_activity(family, title)
    expect(family.locator("h1")).to_contain_text("is going")

    resident = new_context(kiosk=True, language="en").new_page()
    sign_in_at_kiosk(resident, live, PARENT_SIGNED_UP)
    submit(resident, resident.locator("a.tile[href^='/activities/residents/']"))
    submit(resident, resident.locator("main a", has_text="My activities"))
    expect(resident.locator(".card", has_text=title)).to_contain_text("Signed up by your")


def test_switching_weeks_in_place_is_announced_and_keeps_the_address(new_context, live):
    page = new_context(kiosk=True, language="en").new_page()
    sign_in_at_kiosk(page, live, RESIDENT_SWITCHES_WEEKS)
    submit(page, page.locator("a.tile[href^='/activities/residents/']"))
    follow(page, page.get_by_role("link", name="Week", exact=True))
    expect(page.locator("a.pick-links__link[aria-current=page]")).to_have_text("Week")
    follow(page, page.locator("a.pager__link", has_text="Next week"))
    heading = page.locator("#activities-panel h2")
    expect(page.locator("#status")).to_contain_text("Week of")
    expect(heading).to_be_focused()
    assert "week=" in page.url
    # The kinds are folded away; the summary opens them.
    expect(page.locator("a.pick-links__link", has_text="Chess and cards")).to_be_hidden()
    page.locator("summary.pick-details__summary").click()
    follow(page, page.locator("a.pick-links__link", has_text="Chess and cards"))
    expect(page.locator("summary.pick-details__summary")).to_contain_text("Chess and cards")
    expect(page.locator("#status")).to_contain_text("Chess and cards")
    expect(page.locator(".activity__category")).not_to_have_count(0)
    for category in page.locator(".activity__category").all_inner_texts():
        assert "Chess and cards" in category
    assert "week=" in page.url and "category=chess" in page.url


@pytest.mark.parametrize("language", ["zh_Hans", "en"])
def test_the_first_activity_shows_on_the_kiosk_first_screen(new_context, live, language):
    """Views, kinds and "My activities" leave room for the first activity at 1280×800."""
    activity_with_places(live, RESIDENT_SEES_FIRST, f"Tai chi {language}")
    page = new_context(kiosk=True, language=language).new_page()
    sign_in_at_kiosk(page, live, RESIDENT_SEES_FIRST)
    submit(page, page.locator("a.tile[href^='/activities/residents/']"))
    first = page.locator("li.activity").first.bounding_box()
    assert first["y"] + 44 <= TABLET["height"], first
