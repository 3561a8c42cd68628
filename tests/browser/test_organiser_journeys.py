"""The organiser in Chromium: a weekly series made through the form, and people checked in by
tapping their names, answered in place."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select, update

from portal.accounts.models import Person
from portal.activities.models import Event, SignUp, SignUpStatus, Venue
from portal.extensions import db
from portal.model_base import utcnow
from tests.browser.support import ORGANISER, sign_in_with_password, submit
from tests.clock import shanghai_today

pytestmark = pytest.mark.browser

# Residents of the organiser's community that no other browser test signs in as.
ATTENDING = ("100043", "100045")


def _today_with_two_going(live) -> int:
    """An activity on now in the organiser's community, with two residents going; its id. Its
    test starts at 10:30, as check-in is open on the activity's day: it cannot begin yesterday."""
    with live.app.app_context():
        organiser = db.session.scalar(select(Person).filter_by(phone=ORGANISER))
        venue = db.session.scalar(
            select(Venue).filter_by(community_id=organiser.community_id, name="阅览角")
        )
        now = utcnow().replace(second=0, microsecond=0)
        event = Event(
            community_id=organiser.community_id,
            venue_id=venue.id,
            organiser_id=organiser.id,
            title_zh_hans="读报会",
            title_en="Newspaper reading",
            category="other",
            starts_at=now - timedelta(minutes=5),
            ends_at=now + timedelta(minutes=5),
            capacity=10,
            going=len(ATTENDING),
        )
        db.session.add(event)
        db.session.flush()
        for code in ATTENDING:
            resident = db.session.scalar(select(Person).filter_by(resident_code=code))
            db.session.add(
                SignUp(
                    event_id=event.id,
                    resident_id=resident.id,
                    signed_up_by_id=resident.id,
                    status=SignUpStatus.GOING,
                    active_key=f"{resident.id}:{event.id}",
                )
            )
        db.session.commit()
        event_id = event.id
        db.session.remove()
    return event_id


def test_organiser_creates_a_weekly_series(new_context, live):
    page = new_context(language="en").new_page()
    sign_in_with_password(page, live, ORGANISER)
    page.goto(live("/activities/organise/"))
    submit(page, page.get_by_role("link", name="Add an activity"))
    first = shanghai_today() + timedelta(days=15)
    page.fill("#title_zh_hans", "木工手工")
    page.fill("#title_en", "Woodwork")
    page.check("input[name=category][value=crafts]")
    page.select_option("#venue", index=1)
    page.fill("#day", first.isoformat())
    page.fill("#starts", "19:00")
    page.fill("#ends", "20:00")
    page.check("input[name=repeat][value=weekly]")
    page.fill("#last_day", (first + timedelta(weeks=3)).isoformat())
    page.fill("#capacity", "12")
    submit(page, page.locator("main form button.button--primary").last)
    expect(page.locator("#status")).to_contain_text("木工手工")
    with live.app.app_context():
        weeks = db.session.scalars(
            select(Event.series_day).where(Event.title_zh_hans == "木工手工")
        ).all()
        db.session.remove()
    assert sorted(weeks) == [first + timedelta(weeks=n) for n in range(4)]


@pytest.mark.clock_at(10, 30)
def test_organiser_checks_people_in_by_tapping_names(new_context, live):
    event_id = _today_with_two_going(live)
    page = new_context(language="en").new_page()
    sign_in_with_password(page, live, ORGANISER)
    page.goto(live(f"/activities/organise/events/{event_id}"))
    button = page.locator("button.attendee__check-in").first
    name = button.locator(".visually-hidden").inner_text().strip(": ")
    with page.expect_response(lambda response: response.request.method == "POST"):
        button.click()
    expect(page.locator("#status")).to_contain_text(name)
    expect(page.locator("tr.attendee--came")).to_have_count(1)
    expect(page.locator("button.attendee__check-in")).to_have_count(1)
    with live.app.app_context():
        came = db.session.scalars(
            select(SignUp).where(SignUp.event_id == event_id, SignUp.checked_in_at.is_not(None))
        ).all()
        db.session.remove()
    assert len(came) == 1

    # The other resident leaves while the list is open: tapping their name is refused in place.
    with live.app.app_context():
        db.session.execute(
            update(SignUp)
            .where(SignUp.event_id == event_id, SignUp.checked_in_at.is_(None))
            .values(status=SignUpStatus.LEFT, active_key=None)
        )
        db.session.commit()
        db.session.remove()
    with page.expect_response(lambda response: response.status == 422):
        page.locator("button.attendee__check-in").first.click()
    expect(page.locator("#status")).to_contain_text("has no place at this activity")
    expect(page.locator("tr.attendee--came")).to_have_count(1)
