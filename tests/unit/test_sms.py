"""Text messages through Alibaba Cloud SMS, checked by a local server that speaks its documented
API: a number is proved with a code before anything is sent to it, an urgent tap reaches a proved
worker's phone, and a refusal is tried again without sending twice."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.help import services as help
from portal.help.models import Category
from portal.model_base import utcnow
from portal.notifications import services as outbox
from portal.notifications import sms
from portal.notifications.models import Dispatch, Notification, NotificationSettings
from tests.sms_provider import CODE_TEMPLATE, TEMPLATE, SmsProvider


@pytest.fixture
def provider(app):
    with SmsProvider() as running:
        app.config.update(running.config(), PORTAL_URL="https://linli.example.cn")
        yield running


def _code(provider, phone: str) -> str:
    [sent] = [
        m for m in provider.accepted if m["template"] == CODE_TEMPLATE and m["phone"] == phone
    ]
    return sent["variables"]["code"]


def _prove(provider, person) -> None:
    outbox.send_sms_code(person)
    outbox.check_sms_code(person, _code(provider, person.phone))


def test_a_number_is_proved_with_the_code_texted_to_it(provider, people):
    worker = people.worker
    now = utcnow()
    outbox.send_sms_code(worker, now=now)
    code = _code(provider, worker.phone)
    assert len(code) == 6 and code.isdigit()
    with pytest.raises(outbox.CodeTooSoon):
        outbox.send_sms_code(worker, now=now + timedelta(seconds=30))
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(outbox.CodeNotValid):
        outbox.check_sms_code(worker, wrong, now=now)
    outbox.check_sms_code(worker, f" {code} ", now=now)
    chosen = db.session.get(NotificationSettings, worker.id)
    assert chosen.sms_verified(worker) and chosen.chose("sms") and chosen.sms_code_hash is None
    with pytest.raises(outbox.CodeNotValid):
        outbox.check_sms_code(worker, code, now=now)  # a code proves once


def test_a_code_expires_and_five_wrong_tries_use_it_up(provider, people):
    now = utcnow()
    outbox.send_sms_code(people.worker, now=now)
    code = _code(provider, people.worker.phone)
    with pytest.raises(outbox.CodeNotValid):
        outbox.check_sms_code(people.worker, code, now=now + outbox.SMS_CODE_LIFETIME)
    outbox.send_sms_code(people.family, now=now)
    family_code = _code(provider, people.family.phone)
    for _try in range(outbox.SMS_CODE_TRIES):
        with pytest.raises(outbox.CodeNotValid):
            outbox.check_sms_code(people.family, "999999" if family_code != "999999" else "0")
    with pytest.raises(outbox.CodeNotValid):
        outbox.check_sms_code(people.family, family_code)
    assert not db.session.get(NotificationSettings, people.family.id).sms_verified(people.family)


def test_an_urgent_tap_reaches_a_proved_workers_phone(provider, people):
    _prove(provider, people.worker)
    request, _new = help.raise_request(people.resident, Category.UNWELL, people.resident)
    outbox.deliver_pending()
    [text] = [m for m in provider.accepted if m["template"] == TEMPLATE]
    assert text["phone"] == people.worker.phone
    content = text["variables"]["content"]
    assert "王桂兰" in content and f"https://linli.example.cn/help/requests/{request.id}" in content


def test_nobody_whose_number_is_not_proved_gets_a_text(provider, people):
    db.session.add(NotificationSettings(person_id=people.worker.id, channels=["sms"]))
    db.session.commit()
    help.raise_request(people.resident, Category.UNWELL, people.resident)
    outbox.deliver_pending()
    assert provider.accepted == []


def test_a_changed_number_must_be_proved_again(provider, people):
    _prove(provider, people.worker)
    people.worker.phone = "13911112222"
    db.session.commit()
    help.raise_request(people.resident, Category.UNWELL, people.resident)
    outbox.deliver_pending()
    assert [m for m in provider.accepted if m["template"] == TEMPLATE] == []


def test_a_refused_text_is_tried_again_and_sent_once(provider, people):
    _prove(provider, people.worker)
    people.other_worker.active = False
    db.session.commit()
    provider.refusals.append("isv.BUSINESS_LIMIT_CONTROL")
    help.raise_request(people.resident, Category.UNWELL, people.resident)
    now = utcnow()
    assert outbox.deliver_pending(now=now).retrying == 1
    assert outbox.deliver_pending(now=now + timedelta(minutes=1)).sent == 1
    assert outbox.deliver_pending(now=now + timedelta(hours=2)).sent == 0
    assert len([m for m in provider.accepted if m["template"] == TEMPLATE]) == 1
    [alert] = db.session.scalars(select(Notification).where(Notification.kind == "help.urgent"))
    dispatch = db.session.scalar(
        select(Dispatch).filter_by(notification_id=alert.id, channel="sms")
    )
    assert dispatch.attempts == 2 and "BUSINESS_LIMIT_CONTROL" in dispatch.last_error


def test_the_provider_refuses_a_request_signed_with_the_wrong_secret(app, provider, people):
    app.config["SMS_ACCESS_KEY_SECRET"] = "not-the-secret"
    with pytest.raises(sms.SmsRefused, match="SignatureDoesNotMatch"):
        sms.send(people.worker.phone, TEMPLATE, {"content": "测试"})
    assert provider.accepted == []


def test_the_signature_follows_the_documented_example():
    """The worked example of Alibaba Cloud's RPC signature documentation (DescribeRegions, the
    AccessKey testid and its secret testsecret) signs to CT9X0VtwR86fNWSnsc6v8YGOjuE=."""
    parameters = {
        "TimeStamp": "2016-02-23T12:46:24Z",
        "Format": "XML",
        "AccessKeyId": "testid",
        "Action": "DescribeRegions",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
        "Version": "2014-05-26",
        "SignatureVersion": "1.0",
    }
    assert sms.signature(parameters, "testsecret") == "CT9X0VtwR86fNWSnsc6v8YGOjuE="


def _email_only_with_a_proved_phone(provider, worker) -> None:
    _prove(provider, worker)
    outbox.choose(
        worker,
        email="wangfang@example.cn",
        by_email=True,
        by_sms=False,
        quiet_from=None,
        quiet_until=None,
    )


def test_an_urgent_message_falls_back_to_a_text_when_email_fails(app, provider, people):
    """The worker chose e-mail only; their mail server is down. The urgent message is tried again
    15 seconds later on every channel that can reach them, and their proved phone gets it."""
    _email_only_with_a_proved_phone(provider, people.worker)
    people.other_worker.active = False
    db.session.commit()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=9)  # nothing listens there
    help.raise_request(people.resident, Category.UNWELL, people.resident)
    now = utcnow()
    first = outbox.deliver_pending(now=now)
    assert first.retrying == 1 and not [m for m in provider.accepted if m["template"] == TEMPLATE]
    [alert] = db.session.scalars(select(Notification).where(Notification.kind == "help.urgent"))
    assert alert.next_attempt_at == now + timedelta(seconds=15)
    assert outbox.deliver_pending(now=now + timedelta(seconds=15)).sent == 1
    [text] = [m for m in provider.accepted if m["template"] == TEMPLATE]
    assert text["phone"] == people.worker.phone
    sent = {
        d.channel: d.sent_at
        for d in db.session.scalars(select(Dispatch).filter_by(notification_id=alert.id))
    }
    assert sent["email"] is None and sent["sms"] is not None


def test_a_message_that_can_wait_does_not_fall_back(app, provider, people):
    _email_only_with_a_proved_phone(provider, people.worker)
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=9)
    help.raise_request(people.resident, Category.REPAIR, people.resident)
    now = utcnow()
    outbox.deliver_pending(now=now)
    assert outbox.deliver_pending(now=now + timedelta(minutes=1)).retrying >= 1
    assert [m for m in provider.accepted if m["template"] == TEMPLATE] == []
