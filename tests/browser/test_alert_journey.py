"""An elder's urgent tap reaches pockets, end to end: a resident taps "feeling unwell" at the kiosk
in Chromium; two `portal notify --loop` workers, as systemd runs them beside the portal, send the
alert to the grid's two workers on duty and the resident's daughter by e-mail, text message, Web
Push and WeChat, each once, checked at local servers that speak each channel's protocol. The
worker opens the pushed address on a phone and takes the request in one tap, and the other worker
is told it is handled. On a database of its own, so that nothing here is sent for other tests."""

import os
import subprocess
import sys
import threading
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from playwright.sync_api import expect
from sqlalchemy import select

from portal import PROJECT_ROOT, create_app
from portal.accounts import services as accounts
from portal.accounts.models import Person, Role, RoleGrant
from portal.community.models import Community
from portal.extensions import db
from portal.model_base import utcnow
from portal.notifications.models import NotificationSettings, PushSubscription
from portal.site.demo import COMMUNITIES, build_demo
from tests.browser.conftest import LIVE_CONFIG, VAPID_PUBLIC_KEY, serving
from tests.browser.support import (
    FAMILY,
    PHONE,
    empty_database,
    open_context,
    sign_in_at_kiosk,
    sign_in_with_password,
    submit,
)
from tests.clock import START
from tests.mailbox import Mailbox
from tests.push_service import PushService
from tests.sms_provider import TEMPLATE, SmsProvider
from tests.wechat_server import WeChatServer

pytestmark = pytest.mark.browser

PORTAL = str(Path(sys.executable).with_name("portal"))
ALERTS_DATABASE = "linli_alerts"
# FAMILY's father, in 锦绣园社区's first grid, whose worker is DUTY_WORKER; BACKUP_WORKER, of
# another grid, serves it too here.
FATHER = "100008"
DUTY_WORKER = "13800000105"
BACKUP_WORKER = "13800000104"
WAIT_SECONDS = 30
TAKEN = "您已接单。"


class Channels:
    """The four providers, running on 127.0.0.1 for the length of the test."""

    def __init__(self) -> None:
        self.mailbox = Mailbox()
        self.sms = SmsProvider()
        self.push = PushService(VAPID_PUBLIC_KEY)
        self.wechat = WeChatServer()

    def environment(self, database_url: str, portal_url: str) -> dict:
        return {
            **os.environ,
            "DATABASE_URL": database_url,
            "LINLI_PORTAL_URL": portal_url,
            "LINLI_LOG_LEVEL": "WARNING",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(self.mailbox.port),
            "MAIL_FROM": "linli@example.cn",
            "VAPID_PUBLIC_KEY": LIVE_CONFIG["VAPID_PUBLIC_KEY"],
            "VAPID_PRIVATE_KEY": LIVE_CONFIG["VAPID_PRIVATE_KEY"],
            "VAPID_SUBJECT": LIVE_CONFIG["VAPID_SUBJECT"],
            **self.sms.config(),
            **self.wechat.config(),
        }

    def received(self) -> dict[str, Counter]:
        """How many messages each channel took, by whom they were for."""
        return {
            "email": Counter(to for rcpt, _message in self.mailbox.received for to in rcpt),
            "sms": Counter(m["phone"] for m in self.sms.accepted if m["template"] == TEMPLATE),
            "push": Counter(r["endpoint"] for r in self.push.received),
            "wechat": Counter(m["touser"] for m in self.wechat.accepted),
        }

    def __enter__(self) -> "Channels":
        self.mailbox.start()
        self.sms.__enter__()
        self.push.__enter__()
        self.wechat.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self.wechat.__exit__()
        self.push.__exit__()
        self.sms.__exit__()
        self.mailbox.stop()


def _reachable_everywhere(person: Person, channels: Channels) -> dict[str, str]:
    """person chose every channel and can be reached on each: an address, a proved number, a
    phone that allowed notifications, a bound WeChat. Their address on each channel."""
    info = channels.push.subscription()
    address = {
        "email": f"person{person.id}@example.cn",
        "sms": person.phone,
        "push": info["endpoint"],
        "wechat": f"oLinli-{person.id:020d}",
    }
    db.session.add(
        NotificationSettings(
            person_id=person.id,
            channels=["email", "sms", "push", "wechat"],
            email=address["email"],
            sms_phone=person.phone,
            sms_verified_at=utcnow(),
            wechat_openid=address["wechat"],
            wechat_bound_at=utcnow(),
        )
    )
    db.session.add(
        PushSubscription(
            person_id=person.id,
            endpoint=info["endpoint"],
            p256dh=info["keys"]["p256dh"],
            auth=info["keys"]["auth"],
        )
    )
    return address


def _seed(channels: Channels) -> tuple[str, dict[str, dict[str, str]]]:
    """The demo, a second worker on the father's grid, and everyone told of his requests
    reachable on every channel; the kiosk's token, and each one's addresses by phone number."""
    build_demo()

    def person(**key) -> Person:
        return db.session.scalar(select(Person).filter_by(**key))

    father = person(resident_code=FATHER)
    db.session.add(
        RoleGrant(person=person(phone=BACKUP_WORKER), role=Role.GRID_WORKER, grid=father.grid)
    )
    addresses = {
        phone: _reachable_everywhere(person(phone=phone), channels)
        for phone in (DUTY_WORKER, BACKUP_WORKER, FAMILY)
    }
    db.session.commit()
    community = db.session.scalar(select(Community).filter_by(name=COMMUNITIES[1][0]))
    _kiosk, token = accounts.enrol_kiosk(community, "活动室", person(phone=DUTY_WORKER))
    return token, addresses


def _workers(environment: dict) -> list[subprocess.Popen]:
    """Two notify workers, their clocks where this process's is now."""
    command = [
        sys.executable,
        "-m",
        "tests.at",
        datetime.now(UTC).isoformat(),
        *("portal", "notify", "--loop", "--every", "0.2", "--stop-after", "120"),
    ]
    return [
        subprocess.Popen(
            command, env=environment, stdout=subprocess.PIPE, text=True, cwd=PROJECT_ROOT
        )
        for _ in range(2)
    ]


def _until(condition, what: str) -> None:
    for _ in range(WAIT_SECONDS * 10):
        if condition():
            return
        threading.Event().wait(0.1)
    raise AssertionError(f"not within {WAIT_SECONDS} seconds: {what}")


def test_an_urgent_tap_reaches_every_pocket_once_and_taking_it_tells_the_others(
    browser, database_url, tmp_path
):
    url = empty_database(database_url, tmp_path, ALERTS_DATABASE)
    set_up = subprocess.run(
        [PORTAL, "setup"], env={**os.environ, "DATABASE_URL": url}, capture_output=True
    )
    assert set_up.returncode == 0, set_up.stderr
    with Channels() as channels:
        app = create_app({**LIVE_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
        with app.app_context(), time_machine.travel(START, tick=True):
            token, addresses = _seed(channels)
            db.session.remove()
        with serving(app, kiosk_token=token) as live:
            app.config["PORTAL_URL"] = live.url
            workers = _workers(channels.environment(url, live.url))
            try:
                _journey(browser, live, channels, addresses)
            finally:
                for worker in workers:
                    worker.terminate()
                for worker in workers:
                    worker.communicate(timeout=20)
        assert [worker.returncode for worker in workers] == [0, 0]


def _journey(browser, live, channels: Channels, addresses) -> None:
    resident = open_context(browser, live, kiosk=True, language="zh_Hans").new_page()
    sign_in_at_kiosk(resident, live, FATHER)
    submit(resident, resident.locator(".help-buttons form:has(input[value='unwell']) button"))
    expect(resident.locator("main a.button--emergency[href='tel:120']")).to_be_visible()
    number = int(resident.url.rstrip("/").split("/")[-2])

    everyone = [addresses[phone] for phone in (DUTY_WORKER, BACKUP_WORKER, FAMILY)]
    expected = {
        channel: Counter({person[channel]: 1 for person in everyone})
        for channel in ("email", "sms", "push", "wechat")
    }
    _until(lambda: channels.received() == expected, f"one alert on each channel: {expected}")
    assert channels.push.refused == []
    pushed = {r["endpoint"]: r for r in channels.push.received}
    alert = pushed[addresses[DUTY_WORKER]["push"]]
    assert alert["urgency"] == "high" and "冯建华" in alert["message"]["body"]
    assert alert["message"]["url"] == live(f"/help/requests/{number}")
    [email] = [m for rcpt, m in channels.mailbox.received if addresses[FAMILY]["email"] in rcpt]
    assert "冯建华" in email.get_content()

    # The worker on duty opens the pushed address on a phone and takes the request in one tap.
    worker = open_context(browser, live, language="zh_Hans", viewport=PHONE).new_page()
    sign_in_with_password(worker, live, DUTY_WORKER)
    worker.goto(alert["message"]["url"])
    submit(worker, worker.locator("main form[action$='/take'] button"))
    expect(worker.locator("main")).to_contain_text(TAKEN)

    # The other worker is told it is handled, on each channel once more; the taker is not.
    backup = addresses[BACKUP_WORKER]
    _until(
        lambda: all(channels.received()[c][backup[c]] == 2 for c in expected),
        "the backup told it is taken",
    )
    assert all(channels.received()[c][addresses[DUTY_WORKER][c]] == 1 for c in expected)
    [taken] = [
        m
        for m in channels.sms.accepted
        if m["phone"] == backup["sms"] and "徐浩然" in m["variables"]["content"]
    ]
    assert f"/help/requests/{number}" in taken["variables"]["content"]
