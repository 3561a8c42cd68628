"""Many residents take the last place at an activity at the same moment, against the portal served
by gunicorn: exactly one gets it, the others get waitlist places in a row, and a resident who taps
twice holds one place."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from flask import url_for
from sqlalchemy import select

from portal.accounts.models import Role
from portal.activities.models import Event, SignUp, SignUpStatus
from portal.extensions import db
from portal.model_base import utcnow
from tests.concurrency.test_booking_race import Browser, _all_at_once, _race

pytestmark = pytest.mark.concurrency

RACERS = 20


@pytest.fixture(autouse=True)
def paths_from_url_for(app):
    with app.test_request_context():
        yield


def _activity(world, capacity: int, going: int = 0) -> Event:
    """Chess tomorrow with capacity places, going of them already taken."""
    starts = utcnow() + timedelta(days=1)
    return world.event(starts, "象棋", "chess", hours=2, capacity=capacity, going=going)


def _ready_to_join(server_url: str, resident, event: Event):
    """A task that signs the resident in and opens the activity's check page, and returns the
    join to send later."""
    browser = Browser(server_url)
    code = resident.resident_code
    page = url_for("activities.event", resident_id=resident.id, event_id=event.id)

    def prepare():
        browser.sign_in(code)
        token = browser.form_token(page)
        return lambda: browser.submit(page, token)

    return prepare


def _signup_id(response, server) -> int:
    assert response.status_code == 303, f"{response.status_code}\n{server.log_tail()}"
    return int(urlsplit(response.headers["Location"]).path.rsplit("/", 1)[1])


def _rows(event: Event) -> list[SignUp]:
    db.session.expire_all()
    return list(
        db.session.scalars(select(SignUp).where(SignUp.event_id == event.id).order_by(SignUp.id))
    )


def test_the_last_place_goes_to_exactly_one_and_the_rest_wait_in_a_row(app, world, server):
    capacity = 6
    event = _activity(world, capacity, going=capacity - 1)
    residents = [world.person(Role.RESIDENT, name=f"居民{n}") for n in range(RACERS)]
    responses = _race(_all_at_once([_ready_to_join(server.url, r, event) for r in residents]))

    ids = [_signup_id(response, server) for response in responses]
    rows = _rows(event)
    assert sorted(ids) == [row.id for row in rows] and len(set(ids)) == RACERS
    statuses = [row.status for row in rows]
    assert statuses.count(SignUpStatus.GOING) == 1
    assert statuses.count(SignUpStatus.WAITING) == RACERS - 1
    db.session.refresh(event)
    assert event.going == capacity
    # Each one who waits was told a distinct place in the queue, 1 to RACERS - 1.
    waiting = [row for row in rows if row.status == SignUpStatus.WAITING]
    browser = Browser(server.url)
    last = waiting[-1]
    browser.sign_in(last.resident.resident_code)
    page = browser.open(
        url_for("activities.joined", resident_id=last.resident_id, signup_id=last.id)
    )
    assert f"You're number {RACERS - 1} on the waitlist" in page.text


@pytest.mark.parametrize("capacity", [5, 1], ids=["places to spare", "the last place"])
def test_a_resident_tapping_again_and_again_holds_one_place(app, world, server, capacity):
    taps = 10
    event = _activity(world, capacity, going=capacity - 1)
    resident = world.person(Role.RESIDENT)
    page = url_for("activities.event", resident_id=resident.id, event_id=event.id)
    browser = Browser(server.url)
    browser.sign_in(resident.resident_code)
    token = browser.form_token(page)
    tabs = [browser.twin() for _ in range(taps)]
    responses = _race([lambda tab=tab: tab.submit(page, token) for tab in tabs])

    assert len({_signup_id(response, server) for response in responses}) == 1
    rows = _rows(event)
    assert [row.status for row in rows] == [SignUpStatus.GOING]
    db.session.refresh(event)
    assert event.going == capacity
