"""Messages in WeChat through the community's Official Account, checked by a local server that
speaks its documented API: a person binds their WeChat once by scanning a code, an urgent tap
reaches the family's WeChat in their language, a refusal is tried again and then falls back,
and someone who stops following the account is no longer sent to."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.help import services as help
from portal.help.models import Category
from portal.model_base import utcnow
from portal.notifications import services as outbox
from portal.notifications import wechat
from portal.notifications.models import Dispatch, Notification, NotificationSettings
from tests.wechat_server import TEMPLATE_ID, WeChatServer

OPENID = "oLinli-family-0000000000001"


@pytest.fixture
def server(app):
    with WeChatServer() as running:
        app.config.update(running.config(), PORTAL_URL="https://linli.example.cn")
        yield running


def _bind(person, openid: str = OPENID, now=None) -> NotificationSettings:
    chosen = outbox.wechat_code(person, now=now)
    assert outbox.bind_wechat(chosen.wechat_scene, openid, now=now) == person
    return db.session.get(NotificationSettings, person.id)


def test_scanning_the_code_binds_the_persons_wechat(server, people):
    now = utcnow()
    chosen = outbox.wechat_code(people.family, now=now)
    [asked] = server.codes
    assert asked["action_name"] == "QR_STR_SCENE" and asked["expire_seconds"] == 600
    assert asked["action_info"]["scene"]["scene_str"] == chosen.wechat_scene
    assert outbox.wechat_code_of(people.family, now=now).startswith("http://weixin.qq.com/q/")
    # The same code is shown again while it can still be scanned.
    assert outbox.wechat_code(people.family, now=now + timedelta(minutes=5)) is chosen
    assert len(server.codes) == 1
    bound = _bind(people.family, now=now + timedelta(minutes=5))
    assert bound.wechat_openid == OPENID and bound.chose("wechat")
    assert bound.wechat_scene is None and outbox.wechat_code_of(people.family) is None
    # WeChat tells of the same scan again: the answer is the same, nothing doubles.
    assert outbox.bind_wechat(chosen.wechat_scene or "gone", OPENID) == people.family
    assert db.session.get(NotificationSettings, people.family.id).channels == ["wechat"]


def test_an_old_code_binds_nobody(server, people):
    now = utcnow()
    chosen = outbox.wechat_code(people.family, now=now)
    scene = chosen.wechat_scene
    assert outbox.bind_wechat(scene, OPENID, now=now + wechat.CODE_LIFETIME) is None
    assert outbox.bind_wechat("bind-guessed", OPENID, now=now) is None
    assert db.session.get(NotificationSettings, people.family.id).wechat_openid is None
    # An old code is replaced by a new one when asked.
    fresh = outbox.wechat_code(people.family, now=now + wechat.CODE_LIFETIME)
    assert fresh.wechat_scene != scene and len(server.codes) == 2


def test_one_wechat_tells_one_person(server, people):
    _bind(people.family)
    _bind(people.worker)
    assert db.session.get(NotificationSettings, people.family.id).wechat_openid is None
    assert not db.session.get(NotificationSettings, people.family.id).chose("wechat")
    assert db.session.get(NotificationSettings, people.worker.id).wechat_openid == OPENID


def test_an_urgent_tap_reaches_the_familys_wechat_in_their_language(server, people):
    people.family.language = "zh_Hans"
    people.resident.room = "301"
    db.session.commit()
    _bind(people.family)
    help.raise_request(people.resident, Category.UNWELL, people.resident)
    outbox.deliver_pending()
    [sent] = server.accepted
    assert sent["touser"] == OPENID and sent["template_id"] == TEMPLATE_ID
    assert sent["url"] == f"https://linli.example.cn/help/residents/{people.resident.id}/requests"
    assert sent["data"]["thing1"]["value"] == "邻里：紧急"
    assert sent["data"]["thing2"]["value"].startswith("王桂兰")
    assert len(sent["data"]["thing2"]["value"]) <= 20
    assert server.token_requests == 1
    # Nobody else bound a WeChat, so nobody else is sent to there.
    help.raise_request(people.resident, Category.UNWELL, people.resident)
    outbox.deliver_pending()
    assert server.token_requests == 1


def test_an_expired_token_is_fetched_again_and_the_message_sent(server, people):
    _bind(people.family)
    server.expire_tokens()
    help.raise_request(people.resident, Category.UNWELL, people.resident)
    assert outbox.deliver_pending().sent >= 1
    assert len(server.accepted) == 1 and server.token_requests == 2


def test_a_refused_message_is_tried_again_and_sent_once(server, people):
    _bind(people.family)
    help.raise_request(people.resident, Category.UNWELL, people.resident)
    server.refusals.append(45009)  # the daily limit of the interface was reached
    now = utcnow()
    outbox.deliver_pending(now=now)
    assert server.accepted == []
    outbox.deliver_pending(now=now + timedelta(minutes=1))
    outbox.deliver_pending(now=now + timedelta(hours=2))
    assert len(server.accepted) == 1
    alert = db.session.scalar(
        select(Notification).where(
            Notification.kind == "help.status", Notification.recipient_id == people.family.id
        )
    )
    dispatch = db.session.scalar(
        select(Dispatch).filter_by(notification_id=alert.id, channel="wechat")
    )
    assert dispatch.attempts == 2 and "45009" in dispatch.last_error


def test_an_urgent_message_falls_back_to_wechat_when_email_fails(app, server, people):
    """The daughter chose e-mail only, but bound her WeChat once; her mail server is down."""
    _bind(people.family)
    outbox.choose(
        people.family,
        email="lina@example.cn",
        by_email=True,
        by_wechat=False,
        quiet_from=None,
        quiet_until=None,
    )
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=9)  # nothing listens there
    help.raise_request(people.resident, Category.UNWELL, people.resident)
    now = utcnow()
    outbox.deliver_pending(now=now)
    assert server.accepted == []
    outbox.deliver_pending(now=now + timedelta(seconds=15))
    [sent] = server.accepted
    assert sent["touser"] == OPENID


def test_someone_who_stops_following_is_no_longer_sent_to(server, people):
    _bind(people.family)
    outbox.wechat_left(OPENID)
    chosen = db.session.get(NotificationSettings, people.family.id)
    assert chosen.wechat_openid is None and not chosen.chose("wechat")
    help.raise_request(people.resident, Category.UNWELL, people.resident)
    outbox.deliver_pending()
    assert server.accepted == []


def test_without_the_accounts_settings_wechat_is_not_offered(app, people):
    assert not wechat.configured()
    app.config.update(WECHAT_APP_ID="wx1", WECHAT_APP_SECRET="s", WECHAT_TOKEN="t")
    assert not wechat.configured()
