"""Web Push: an urgent tap pops up on the phones of the grid's workers and of the family who
allowed it, checked by a local push service that verifies the VAPID token and decrypts each
message as the phone would."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.help import services as help
from portal.help.models import Category
from portal.model_base import utcnow
from portal.notifications import push
from portal.notifications import services as outbox
from portal.notifications.models import NotificationSettings, PushSubscription
from tests.push_service import SUBJECT, PushService


@pytest.fixture
def service(app):
    public, private = push.new_keys()
    app.config.update(
        VAPID_PUBLIC_KEY=public,
        VAPID_PRIVATE_KEY=private,
        VAPID_SUBJECT=SUBJECT,
        PORTAL_URL="https://linli.example.cn",
    )
    with PushService(public) as running:
        yield running


def _phone(service, person) -> str:
    """A phone of person's that allowed notifications; its endpoint. Stored as the portal stores
    what a browser sends, but on the stand-in's plain-HTTP address."""
    info = service.subscription()
    db.session.add(
        PushSubscription(
            person_id=person.id,
            endpoint=info["endpoint"],
            p256dh=info["keys"]["p256dh"],
            auth=info["keys"]["auth"],
        )
    )
    chosen = db.session.get(NotificationSettings, person.id) or NotificationSettings(
        person_id=person.id, channels=[]
    )
    chosen.channels = [*chosen.channels, "push"]
    db.session.add(chosen)
    db.session.commit()
    return info["endpoint"]


def test_an_urgent_tap_pops_up_on_the_workers_and_the_familys_phones(service, people):
    worker_phone = _phone(service, people.worker)
    daughter_phone = _phone(service, people.family)
    request, _new = help.raise_request(people.resident, Category.UNWELL, people.resident)
    outbox.deliver_pending()
    assert service.refused == []
    got = {r["endpoint"]: r for r in service.received}
    assert set(got) == {worker_phone, daughter_phone}
    alert = got[worker_phone]
    assert alert["message"]["url"] == f"https://linli.example.cn/help/requests/{request.id}"
    assert "王桂兰" in alert["message"]["body"] and alert["message"]["title"]
    assert alert["urgency"] == "high" and alert["ttl"] == push.TTL_URGENT
    assert got[daughter_phone]["message"]["url"].endswith(
        f"/help/residents/{people.resident.id}/requests"
    )


def test_a_message_that_can_wait_is_pushed_as_normal(service, people):
    _phone(service, people.worker)
    help.raise_request(people.resident, Category.REPAIR, people.resident)
    outbox.deliver_pending()
    [pushed] = service.received
    assert pushed["urgency"] == "normal" and pushed["ttl"] == push.TTL


def test_a_phone_that_revoked_the_permission_is_forgotten_without_failing(service, people):
    revoked = _phone(service, people.worker)
    service.gone.add(revoked)
    help.raise_request(people.resident, Category.UNWELL, people.resident)
    tally = outbox.deliver_pending()
    assert tally.retrying == 0 and tally.failed == 0
    assert db.session.scalar(select(PushSubscription).filter_by(endpoint=revoked)) is None


def test_a_token_signed_with_another_key_is_refused_and_tried_again(app, service, people):
    _phone(service, people.worker)
    people.other_worker.active = False
    db.session.commit()
    right = app.config["VAPID_PRIVATE_KEY"]
    _public, other_private = push.new_keys()
    app.config["VAPID_PRIVATE_KEY"] = other_private
    help.raise_request(people.resident, Category.UNWELL, people.resident)
    now = utcnow()
    assert outbox.deliver_pending(now=now).retrying == 1
    assert service.refused == ["not the key the subscription was made with"]
    app.config["VAPID_PRIVATE_KEY"] = right
    assert outbox.deliver_pending(now=now + timedelta(seconds=15)).sent == 1
    assert len(service.received) == 1


def test_subscribing_keeps_one_row_per_phone_and_chooses_push(app, service, people):
    info = service.subscription()
    info["endpoint"] = info["endpoint"].replace("http://", "https://")
    push.subscribe(people.family, info)
    push.subscribe(people.family, info)
    assert len(push.subscriptions_of(people.family)) == 1
    assert db.session.get(NotificationSettings, people.family.id).chose("push")
    outbox.choose(
        people.family, email=None, by_email=False, quiet_from=None, quiet_until=None
    )  # saving How you are told keeps the phones it has
    assert db.session.get(NotificationSettings, people.family.id).chose("push")
    push.unsubscribe(people.family, info["endpoint"])
    assert push.subscriptions_of(people.family) == []
    assert not db.session.get(NotificationSettings, people.family.id).chose("push")


@pytest.mark.parametrize(
    "info",
    [
        {},
        {"endpoint": "https://push.example/x"},
        {"endpoint": "http://push.example/x", "keys": {"p256dh": "a", "auth": "b"}},
        {"endpoint": "https://push.example/x", "keys": {"p256dh": "", "auth": "b"}},
        {"endpoint": 42, "keys": {"p256dh": "a", "auth": "b"}},
        {"endpoint": "https://push.example/" + "x" * 1000, "keys": {"p256dh": "a", "auth": "b"}},
    ],
)
def test_what_is_not_a_subscription_is_refused(people, info):
    with pytest.raises(push.SubscriptionRefused):
        push.subscribe(people.family, info)
    assert push.subscriptions_of(people.family) == []
