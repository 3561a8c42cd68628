"""A volunteer's phone back in signal sends the doors it marked in the stairwell, and sends them
again when it does not hear back: against the portal served by gunicorn, the same marking sent
by many connections at once is kept once, with the time of the knock."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import url_for
from sqlalchemy import select

from portal.accounts.models import Role
from portal.community.models import today_in
from portal.config import DEFAULT_TIMEZONE
from portal.delivery import rounds as delivery_rounds
from portal.delivery import services as delivery
from portal.delivery.models import Delivery, DropMark
from portal.extensions import db
from portal.help.models import HelpRequest
from tests.concurrency.test_booking_race import Browser, _race
from tests.helpers import PASSWORD

pytestmark = pytest.mark.concurrency

SENDS = 12


@pytest.fixture(autouse=True)
def paths_from_url_for(app):
    with app.test_request_context():
        yield


def _todays_drop(world) -> tuple[Delivery, object]:
    today = today_in(DEFAULT_TIMEZONE)
    world.canteen_serving(
        [today + timedelta(days=offset) for offset in range(7)],
        lunch=({"name_zh_hans": "红烧肉套餐", "price_fen": 1500},),
    )
    resident = world.person(Role.RESIDENT, name="王秀英", birth_date=date(1944, 6, 1))
    staff = world.person(Role.CANTEEN_STAFF, name="食堂张姐")
    before = datetime.combine(today - timedelta(days=1), time(4))
    answers = delivery.Application(
        lunch=True,
        weekdays=list(range(7)),
        start_day=today,
        floor=5,
        has_lift=False,
        access_notes="",
        contact_phone="13800000001",
    )
    enrolment, _ = delivery.apply(resident, resident, answers, now=before)
    delivery.approve(enrolment, staff, today, now=before)
    drop = db.session.scalar(select(Delivery).where(Delivery.enrolment_id == enrolment.id))
    volunteer = world.person(Role.VOLUNTEER, name="志愿者小张")
    delivery_rounds.take_round(drop.round, volunteer)
    return drop, volunteer


def _seconds_waited_today() -> int:
    """How long the marking waited on the phone: a minute and a half, or less just after
    midnight, so that the knock is on the round's own day."""
    now = datetime.now(UTC).astimezone(ZoneInfo(DEFAULT_TIMEZONE))
    since_midnight = now - datetime.combine(now.date(), time(0), tzinfo=now.tzinfo)
    return max(0, min(90, int(since_midnight.total_seconds()) - 2))


def test_a_marking_sent_many_times_at_once_is_kept_once(app, world, server):
    drop, volunteer = _todays_drop(world)
    browser = Browser(server.url)
    sign_in = url_for("accounts.sign_in")
    token = browser.form_token(sign_in)
    signed_in = browser.submit(sign_in, token, phone=volunteer.phone, password=PASSWORD)
    assert signed_in.status_code == 303
    round_page = url_for("rounds.show", round_id=drop.round_id)
    token = browser.form_token(round_page)
    mark = url_for("rounds.mark", drop_id=drop.id)
    phone_clock = 1_700_000_000_000
    waited = _seconds_waited_today()
    fields = {
        "outcome": "no_answer",
        "note": "敲了三次门",
        "key": "0f7c2f7e-3f0e-4a57-b7c4-2d8f1b0e9a61",
        "knocked_at": str(phone_clock),
        "sent_at": str(phone_clock + waited * 1000),
    }
    tabs = [browser.twin() for _ in range(SENDS)]
    responses = _race([lambda tab=tab: tab.submit(mark, token, **fields) for tab in tabs])

    assert {r.status_code for r in responses} == {303}, server.log_tail()
    db.session.expire_all()
    (kept,) = db.session.scalars(select(DropMark)).all()
    marked = db.session.get(Delivery, drop.id)
    assert marked.outcome == "no_answer" and marked.note == "敲了三次门"
    assert marked.marked_at == kept.received_at - timedelta(seconds=waited)
    (check,) = db.session.scalars(select(HelpRequest)).all()
    assert check.category == "welfare_check" and marked.help_request_id == check.id
