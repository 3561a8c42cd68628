"""Two copies of a job at once do its work once: the outbox, the help timers, the reminders and
the daily run, on SQLite and on PostgreSQL.

Each copy runs in a thread of its own with its own session and connection, as a second host would.
Every copy waits for the others just before its first write to the database, so that all have
read what they are about to act on before any has written: the moment a race needs."""

import os
import signal
import subprocess
import sys
import threading
from contextlib import contextmanager, suppress
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, func, select

from portal.accounts.models import Role
from portal.activities import services as activities
from portal.activities.models import Event, Series, Venue
from portal.extensions import db
from portal.help import services as help
from portal.help.models import HelpEvent, HelpRequest, Level
from portal.jobs import AlreadyRunning, JobLock, run_alone
from portal.model_base import utcnow
from portal.notifications import services as outbox
from portal.notifications.models import Notification
from tests.helpers import tomorrow_at

WRITES = ("INSERT", "UPDATE", "DELETE")


@contextmanager
def copies_meet_before_writing(count: int):
    """While open, each thread that calls the returned arm() waits for the others before its
    first write. A copy that is made to wait for another's lock meets nobody: it goes on after
    a few seconds."""
    barrier = threading.Barrier(count, timeout=3)
    mine = threading.local()

    def before_write(_conn, _cursor, statement, *_args):
        if not getattr(mine, "armed", False) or not statement.lstrip().upper().startswith(WRITES):
            return
        mine.armed = False
        with suppress(threading.BrokenBarrierError):
            barrier.wait()

    def arm():
        mine.armed = True

    engine = db.engine
    event.listen(engine, "before_cursor_execute", before_write)
    try:
        yield arm
    finally:
        event.remove(engine, "before_cursor_execute", before_write)


def at_once(app, work, count: int = 2) -> list:
    """Run work() in count threads at once, each with its own app context; return each result
    (or the exception it raised)."""
    db.session.commit()
    results: list = [None] * count
    with copies_meet_before_writing(count) as arm:

        def run(index):
            with app.app_context():
                arm()
                try:
                    results[index] = work()
                except Exception as error:  # noqa: BLE001 - the outcome is what the test reads
                    results[index] = error
                finally:
                    db.session.remove()

        threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    db.session.expire_all()
    return results


class RecordingSender:
    """A channel that reaches everyone and records what it sent, or fails every time."""

    name = "recording"

    def __init__(self, fail: bool = False) -> None:
        self.sent: list[int] = []
        self.fail = fail
        self._lock = threading.Lock()

    def reaches(self, person, settings, *, fallback=False) -> bool:
        return True

    def send(self, message) -> None:
        if self.fail:
            raise ConnectionError("the provider did not answer")
        with self._lock:
            self.sent.append(message.notification_id)


# The outbox ------------------------------------------------------------------------------------


def _messages(person, count: int) -> list[int]:
    made = [outbox.notify(person, "outbox.test", link="/inbox") for _ in range(count)]
    db.session.commit()
    return [message.id for message in made]


def test_two_senders_at_once_send_each_message_once(app, world):
    ids = _messages(world.person(Role.GRID_WORKER), 50)
    sender = RecordingSender()
    tallies = at_once(app, lambda: outbox.deliver_pending([sender]))
    assert sorted(sender.sent) == ids
    assert sum(tally.sent for tally in tallies) == 50
    assert db.session.scalar(select(func.count()).where(Notification.sent_at.is_(None))) == 0


def test_a_failed_send_is_tried_again_later_then_marked_failed(world):
    (message_id,) = _messages(world.person(Role.GRID_WORKER), 1)
    broken, now = RecordingSender(fail=True), utcnow()
    waits = []
    for _attempt in range(4):
        assert outbox.deliver_pending([broken], now=now).retrying == 1
        message = db.session.get(Notification, message_id)
        waits.append(message.next_attempt_at - now)
        # Not before its time.
        assert outbox.deliver_pending(
            [broken], now=message.next_attempt_at - timedelta(seconds=1)
        ) == (outbox.Delivery())
        now = message.next_attempt_at
    assert waits == [timedelta(minutes=minutes) for minutes in (1, 4, 16, 64)]
    assert outbox.deliver_pending([broken], now=now).failed == 1
    message = db.session.get(Notification, message_id)
    assert message.failed_at == now and message.attempts == 5 and message.sent_at is None
    assert "did not answer" in message.last_error
    assert outbox.outbox_counts() == {"waiting": 0, "failed": 1}
    # A failed message is not tried again.
    assert outbox.deliver_pending([RecordingSender()], now=now + timedelta(days=1)) == (
        outbox.Delivery()
    )


def test_a_send_that_works_on_a_later_try_is_sent_once(world):
    (message_id,) = _messages(world.person(Role.GRID_WORKER), 1)
    now = utcnow()
    outbox.deliver_pending([RecordingSender(fail=True)], now=now)
    working = RecordingSender()
    assert outbox.deliver_pending([working], now=now + timedelta(minutes=1)).sent == 1
    assert outbox.deliver_pending([working], now=now + timedelta(hours=2)).sent == 0
    assert working.sent == [message_id]
    assert outbox.outbox_counts() == {"waiting": 0, "failed": 0}


def test_a_message_claimed_by_a_sender_that_died_is_sent_after_the_lease(world):
    (message_id,) = _messages(world.person(Role.GRID_WORKER), 1)
    now = utcnow()
    db.session.get(Notification, message_id).claim = "a-sender-that-died"
    db.session.get(Notification, message_id).claimed_until = now + outbox.CLAIM_LEASE
    db.session.commit()
    sender = RecordingSender()
    assert outbox.deliver_pending([sender], now=now).sent == 0
    assert outbox.deliver_pending([sender], now=now + outbox.CLAIM_LEASE).sent == 1
    assert sender.sent == [message_id]


def test_notify_reports_what_it_sent_and_what_is_left(runner, world):
    _messages(world.person(Role.GRID_WORKER), 3)
    result = runner.invoke(args=["notify"])
    assert result.exit_code == 0
    assert result.output.strip() == (
        "sent: 3, to try again: 0, failed now: 0, held for quiet hours: 0; "
        "in the outbox: 0 waiting, 0 failed"
    )


# The help timers -------------------------------------------------------------------------------


def test_two_escalations_at_once_escalate_each_request_once(app, people):
    raised = utcnow()
    for category in ("repair", "errand", "unwell"):
        help.raise_request(people.resident, category, people.resident, now=raised)
    later = raised + timedelta(days=3)
    results = at_once(app, lambda: help.escalate_overdue(later))
    assert not [result for result in results if isinstance(result, Exception)]
    escalations = db.session.scalar(select(func.count()).where(HelpEvent.kind == "escalated"))
    # Each request goes up twice, to the community and to the street, once each.
    assert escalations == 6
    levels = db.session.scalars(select(HelpRequest.level)).all()
    assert levels == [Level.STREET] * 3


# The reminders ---------------------------------------------------------------------------------


def test_two_reminder_runs_at_once_remind_each_person_once(app, world):
    tai_chi = world.event(tomorrow_at(world.community, 14))
    for number in range(16):
        resident = world.person(Role.RESIDENT, name=f"居民{number}")
        activities.join(resident, tai_chi, resident)
    results = at_once(app, activities.send_reminders)
    assert sorted(results) in ([0, 16], [16, 0])
    reminders = select(func.count()).where(Notification.kind == "activity.reminder")
    assert db.session.scalar(reminders) == 16


# The daily run ---------------------------------------------------------------------------------


def test_a_second_copy_of_a_job_does_nothing_while_the_first_runs(app):
    def run_for_a_moment():
        with run_alone("daily", lease=timedelta(hours=2)):
            threading.Event().wait(0.5)
        return "ran"

    results = at_once(app, run_for_a_moment)
    assert sorted(map(type, results), key=str) == sorted([str, AlreadyRunning], key=str)
    assert db.session.get(JobLock, "daily").held_until is None


def test_a_job_that_died_is_taken_to_have_stopped_when_its_lease_ends(app):
    started = utcnow()
    running = run_alone("daily", lease=timedelta(hours=2), now=started)
    running.__enter__()
    with pytest.raises(AlreadyRunning), run_alone("daily", lease=timedelta(hours=2)):
        pass
    with run_alone("daily", lease=timedelta(hours=2), now=started + timedelta(hours=2)):
        pass


def _weekly_chess(world) -> Series:
    room = Venue(community=world.community, name="活动室", capacity=30)
    db.session.add(room)
    db.session.commit()
    first_day = datetime.now(ZoneInfo(world.community.timezone)).date() + timedelta(days=1)
    series = Series(
        community_id=world.community.id,
        venue_id=room.id,
        organiser_id=world.person(Role.ORGANISER).id,
        title_zh_hans="象棋",
        category="chess",
        weekday=first_day.weekday(),
        starts=time(14),
        ends=time(16),
        first_day=first_day,
        last_day=first_day + timedelta(weeks=12),
    )
    db.session.add(series)
    db.session.commit()
    return series


def test_daily_does_nothing_while_another_copy_runs(runner, world):
    _weekly_chess(world)
    with run_alone("daily", lease=timedelta(hours=2)):
        result = runner.invoke(args=["daily"])
        assert result.exit_code == 0 and result.output.startswith("another copy is running")
        assert db.session.scalar(select(func.count()).select_from(Event)) == 0
    result = runner.invoke(args=["daily"])
    assert result.exit_code == 0 and "activity weeks added:" in result.output
    assert db.session.scalar(select(func.count()).select_from(Event)) > 0


def test_the_notify_worker_sends_messages_as_they_come_and_stops_by_itself(database_url, world):
    """`portal notify --loop` as its own process, as systemd runs it beside gunicorn."""
    person = world.person(Role.GRID_WORKER)
    (first,) = _messages(person, 1)
    environment = {**os.environ, "DATABASE_URL": database_url, "LINLI_LOG_LEVEL": "WARNING"}
    worker = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("portal")),
            "notify",
            "--loop",
            "--every",
            "0.1",
            "--stop-after",
            "20",
        ],
        env=environment,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert _sent_while(worker, first)
        (second,) = _messages(person, 1)
        assert _sent_while(worker, second)
        worker.send_signal(signal.SIGTERM)
        output, _errors = worker.communicate(timeout=20)
    finally:
        worker.kill()
    assert worker.returncode == 0 and output.rstrip().endswith("stopped")


def _sent_while(worker, message_id: int) -> bool:
    """Whether message_id is marked sent before worker ends."""
    while worker.poll() is None:
        db.session.expire_all()
        if db.session.get(Notification, message_id).sent_at is not None:
            return True
        db.session.rollback()
        threading.Event().wait(0.05)
    return False
