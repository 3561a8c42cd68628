"""Notifications leave the portal on each reader's channels: every one in the log, and by e-mail
to a real SMTP server on 127.0.0.1 for people who chose it, in their language, urgent ones at
once and others after their quiet hours; a channel that has sent is never asked again."""

import logging
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.accounts.models import Role
from portal.extensions import db
from portal.help import services as help
from portal.help.models import Category
from portal.notifications import services as outbox
from portal.notifications.models import Dispatch, Notification, NotificationSettings
from tests.mailbox import Mailbox

PORTAL_URL = "https://linli.example.cn"


@pytest.fixture
def mailbox(app):
    box = Mailbox()
    box.start()
    app.config.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=box.port,
        MAIL_FROM="linli@example.cn",
        PORTAL_URL=PORTAL_URL,
    )
    yield box
    box.stop()


def _choose_email(person, address: str, language: str = "en", **quiet) -> None:
    person.language = language
    db.session.add(
        NotificationSettings(person_id=person.id, channels=["email"], email=address, **quiet)
    )
    db.session.commit()


def test_an_urgent_tap_reaches_the_workers_mailbox_in_their_language(app, people, mailbox):
    _choose_email(people.worker, "wangfang@example.cn")
    _choose_email(people.other_worker, "liqiang@example.cn", language="zh_Hans")
    people.resident.room = "301"
    db.session.commit()
    request, _new = help.raise_request(people.resident, Category.UNWELL, people.resident)
    tally = outbox.deliver_pending()
    assert tally.sent == 4 and tally.retrying == 0  # two workers, the resident, the daughter
    mail = {to[0]: message for to, message in mailbox.received}
    assert set(mail) == {"wangfang@example.cn", "liqiang@example.cn"}
    english = mail["wangfang@example.cn"]
    assert english["Subject"] == "Linli: urgent" and english["From"] == "linli@example.cn"
    body = english.get_content()
    assert "Urgent: Feeling unwell for 王桂兰, 1号楼 301." in body
    assert f"{PORTAL_URL}/help/requests/{request.id}" in body
    chinese = mail["liqiang@example.cn"]
    assert chinese["Subject"] == "邻里：紧急"
    assert "紧急：王桂兰，身体不适，1号楼 301。" in chinese.get_content()


def test_every_message_is_written_to_the_log(people, caplog):
    help.raise_request(people.resident, Category.REPAIR, people.resident)
    with caplog.at_level(logging.INFO, logger="portal.notifications"):
        assert outbox.deliver_pending().sent == 4
    lines = [r.getMessage() for r in caplog.records if r.name == "portal.notifications"]
    assert len(lines) == 4
    assert any("New request: Repair for 王桂兰" in line or "新求助" in line for line in lines)


def test_a_mail_server_that_is_down_is_tried_again_and_the_log_is_not_written_twice(
    app, people, mailbox
):
    _choose_email(people.worker, "wangfang@example.cn")
    people.other_worker.active = False
    db.session.commit()
    mailbox.stop()
    help.raise_request(people.resident, Category.UNWELL, people.resident)
    now = datetime(2026, 12, 7, 2, 0)
    first = outbox.deliver_pending(now=now)
    assert (first.sent, first.retrying) == (2, 1)  # the resident and family have no e-mail
    mailbox.start()
    assert outbox.deliver_pending(now=now + timedelta(minutes=1)).sent == 1
    assert [to for to, _message in mailbox.received] == [["wangfang@example.cn"]]
    [alert] = db.session.scalars(select(Notification).where(Notification.kind == "help.urgent"))
    sent = {
        d.channel: d
        for d in db.session.scalars(select(Dispatch).filter_by(notification_id=alert.id))
    }
    assert sent["log"].attempts == 1 and sent["email"].attempts == 2
    assert alert.sent_at is not None and "Connection" in sent["email"].last_error


def test_quiet_hours_hold_what_can_wait_but_never_what_is_urgent(app, people, mailbox):
    # 23:00 in Shanghai; the worker's quiet hours are 22:00 to 07:00.
    night = datetime(2026, 12, 7, 15, 0)
    for worker in (people.worker, people.other_worker):
        _choose_email(worker, f"{worker.id}@example.cn", quiet_from=time(22), quiet_until=time(7))
    help.raise_request(people.resident, Category.REPAIR, people.resident, now=night)
    tally = outbox.deliver_pending(now=night)
    assert tally.held == 2 and mailbox.received == []
    held = db.session.scalars(select(Notification).where(Notification.kind == "help.new")).all()
    assert {n.next_attempt_at for n in held} == {datetime(2026, 12, 7, 23, 0)}  # 07:00 there
    help.raise_request(people.resident, Category.UNWELL, people.resident, now=night)
    assert outbox.deliver_pending(now=night).held == 0
    assert len(mailbox.received) == 2
    assert outbox.deliver_pending(now=datetime(2026, 12, 7, 23, 0)).sent == 2
    assert len(mailbox.received) == 4


def test_no_mail_server_no_email_and_nothing_fails(app, people):
    app.config["MAIL_SERVER"] = ""
    _choose_email(people.worker, "wangfang@example.cn")
    help.raise_request(people.resident, Category.UNWELL, people.resident)
    tally = outbox.deliver_pending()
    assert tally.sent == 4 and tally.failed == tally.retrying == 0
    channels = set(db.session.scalars(select(Dispatch.channel)))
    assert channels == {"log"}


def test_family_are_told_of_an_urgent_tap_by_email_too(app, people, mailbox):
    _choose_email(people.family, "lina@example.cn")
    help.raise_request(people.resident, Category.UNWELL, people.resident)
    outbox.deliver_pending()
    [(to, message)] = [(to, m) for to, m in mailbox.received if to == ["lina@example.cn"]]
    assert "王桂兰's request for help (Feeling unwell) is now: Waiting." in message.get_content()


def test_a_busy_morning_reaches_a_worker_as_one_message_not_many(app, world, people, mailbox):
    _choose_email(people.worker, "wangfang@example.cn")
    people.other_worker.active = False
    db.session.commit()
    morning = datetime(2026, 12, 7, 1, 0)  # 09:00 in Shanghai
    others = [world.person(Role.RESIDENT, name=f"老人{index}") for index in (1, 2, 3)]
    help.raise_request(people.resident, Category.REPAIR, people.resident, now=morning)
    assert outbox.deliver_pending(now=morning).sent == 3  # the worker, the resident, the daughter
    for minute, resident in enumerate(others, start=1):
        at = morning + timedelta(minutes=minute)
        help.raise_request(resident, Category.REPAIR, resident, now=at)
        tally = outbox.deliver_pending(now=at)
        assert (tally.held, tally.sent) == (1, 1)  # the worker waits; the resident is told
    help.raise_request(people.resident, Category.UNWELL, people.resident, now=morning)
    outbox.deliver_pending(now=morning + timedelta(minutes=3))
    subjects = [message["Subject"] for _to, message in mailbox.received]
    assert subjects == ["Linli: a new message", "Linli: urgent"]  # the urgent one never waits
    assert outbox.deliver_pending(now=morning + timedelta(minutes=5)).sent == 3
    assert len(mailbox.received) == 3
    together = mailbox.received[-1][1].get_content()
    assert together.startswith("3 new requests: Repair for 老人1 (H000002); Repair for 老人2")
    assert f"{PORTAL_URL}/help/queue" in together
    waiting = select(Notification).where(Notification.sent_at.is_(None))
    assert db.session.scalars(waiting).all() == []


def test_a_portal_answering_only_its_own_names_links_its_messages_to_the_first(
    app, people, mailbox, monkeypatch
):
    """Production sets the names the portal answers to; without an address of its own, the
    messages link to the first of them, and every one is sent."""
    from portal.config import from_environment

    monkeypatch.setenv("LINLI_TRUSTED_HOSTS", "linli.example.cn,www.linli.example.cn")
    monkeypatch.delenv("LINLI_PORTAL_URL", raising=False)
    settings = from_environment(Path(app.instance_path))
    assert settings["PORTAL_URL"] == PORTAL_URL
    app.config.update(TRUSTED_HOSTS=settings["TRUSTED_HOSTS"], PORTAL_URL=settings["PORTAL_URL"])
    _choose_email(people.worker, "wangfang@example.cn")
    request, _new = help.raise_request(people.resident, Category.UNWELL, people.resident)
    tally = outbox.deliver_pending()
    assert tally.sent == 4 and tally.retrying == 0
    ((to, message),) = mailbox.received
    assert f"{PORTAL_URL}/help/requests/{request.id}" in message.get_content()
