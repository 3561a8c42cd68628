"""Web Push (RFC 8030, with VAPID, RFC 8292, and aes128gcm payloads, RFC 8291) through
pywebpush: each message goes to every phone or computer the person allowed to receive them."""

import json

from flask import current_app
from py_vapid import Vapid, b64urlencode
from pywebpush import WebPushException, webpush
from sqlalchemy import delete, select

from portal.accounts.models import Person
from portal.extensions import db
from portal.notifications.models import NotificationSettings, PushSubscription

# How long a push service keeps a message for a phone that is off: an urgent one a day, others an hour.
TTL_URGENT = 24 * 3600
TTL = 3600


class SubscriptionRefused(Exception):
    """What the browser sent is not a push subscription."""


def configured() -> bool:
    config = current_app.config
    return bool(
        config.get("VAPID_PUBLIC_KEY")
        and config.get("VAPID_PRIVATE_KEY")
        and config.get("VAPID_SUBJECT")
    )


def new_keys() -> tuple[str, str]:
    """A new VAPID key pair as (public, private), each base64url: the public key is what
    browsers subscribe with (applicationServerKey)."""
    from cryptography.hazmat.primitives import serialization

    vapid = Vapid()
    vapid.generate_keys()
    public = vapid.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    private = vapid.private_key.private_numbers().private_value.to_bytes(32, "big")
    return b64urlencode(public), b64urlencode(private)


def subscriptions_of(person: Person) -> list[PushSubscription]:
    return list(
        db.session.scalars(select(PushSubscription).where(PushSubscription.person_id == person.id))
    )


def subscribe(person: Person, info: dict) -> PushSubscription:
    """Keep the subscription a browser of person's made (PushSubscription.toJSON()); commit.
    The same endpoint again, or moved to another person, is updated, not doubled."""
    try:
        endpoint = info["endpoint"]
        p256dh, auth = info["keys"]["p256dh"], info["keys"]["auth"]
    except (KeyError, TypeError) as error:
        raise SubscriptionRefused() from error
    if not all(isinstance(v, str) and v for v in (endpoint, p256dh, auth)):
        raise SubscriptionRefused()
    if not endpoint.startswith("https://") or len(endpoint) > 1000 or len(p256dh) > 200:
        raise SubscriptionRefused()
    found = db.session.scalar(select(PushSubscription).where(PushSubscription.endpoint == endpoint))
    found = found or PushSubscription(endpoint=endpoint)
    found.person_id, found.p256dh, found.auth = person.id, p256dh, auth[:100]
    db.session.add(found)
    chosen = db.session.get(NotificationSettings, person.id) or NotificationSettings(
        person_id=person.id, channels=[]
    )
    if not chosen.chose("push"):
        chosen.channels = [*chosen.channels, "push"]
    db.session.add(chosen)
    db.session.commit()
    return found


def unsubscribe(person: Person, endpoint: str) -> None:
    """Forget one of person's subscriptions; with none left, push is no longer chosen. Commit."""
    db.session.execute(
        delete(PushSubscription).where(
            PushSubscription.person_id == person.id, PushSubscription.endpoint == endpoint
        )
    )
    chosen = db.session.get(NotificationSettings, person.id)
    if chosen is not None and not subscriptions_of(person):
        chosen.channels = [channel for channel in chosen.channels if channel != "push"]
    db.session.commit()


def send(person: Person, title: str, body: str, url: str | None, urgent: bool) -> int:
    """Push the message to each of person's subscriptions; return how many took it. A
    subscription its push service says is gone (404, 410) is forgotten; any other refusal, or a
    service that cannot be reached, raises so that the message is tried again."""
    config = current_app.config
    payload = json.dumps({"title": title, "body": body, "url": url}, ensure_ascii=False)
    taken, failures = 0, []
    for subscription in subscriptions_of(person):
        try:
            webpush(
                subscription.info(),
                payload,
                vapid_private_key=config["VAPID_PRIVATE_KEY"],
                vapid_claims={"sub": config["VAPID_SUBJECT"]},
                ttl=TTL_URGENT if urgent else TTL,
                headers={"Urgency": "high" if urgent else "normal"},
                timeout=10,
            )
        except WebPushException as error:
            status = error.response.status_code if error.response is not None else None
            if status in (404, 410):
                db.session.delete(subscription)
            else:
                failures.append(error)
        else:
            taken += 1
    if failures and not taken:
        raise failures[0]
    return taken
