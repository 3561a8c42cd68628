"""Write notifications into the outbox, deliver them through a sender, and read the inbox."""

import logging
from functools import cache
from typing import Protocol

from sqlalchemy import bindparam, func, select, update

from portal.accounts.models import Person
from portal.extensions import db
from portal.model_base import utcnow
from portal.notifications.models import Notification

log = logging.getLogger("portal.notifications")


class Sender(Protocol):
    def send(self, notification: Notification) -> None: ...


class LogSender:
    """The default sender: writes each notification to the log, for a person or a test to read."""

    def send(self, notification: Notification) -> None:
        log.info(
            "notify person=%s kind=%s params=%s link=%s",
            notification.recipient_id,
            notification.kind,
            notification.params,
            notification.link,
        )


def notify(recipient: Person | int, kind: str, link: str | None = None, **params) -> Notification:
    """Add a notification to the session; it is committed with the change that caused it."""
    recipient_id = recipient if isinstance(recipient, int) else recipient.id
    notification = Notification(
        recipient_id=recipient_id,
        kind=kind,
        link=link,
        params={key: value for key, value in params.items()},
    )
    db.session.add(notification)
    return notification


def deliver_pending(sender: Sender | None = None, limit: int = 500) -> int:
    """Hand undelivered notifications to sender (the log by default); return how many were sent."""
    sender = sender or LogSender()
    pending = db.session.scalars(
        select(Notification)
        .where(Notification.sent_at.is_(None))
        .order_by(Notification.id)
        .limit(limit)
    ).all()
    for notification in pending:
        sender.send(notification)
        notification.sent_at = utcnow()
    db.session.commit()
    return len(pending)


def inbox(person: Person, limit: int = 50) -> list[Notification]:
    query = (
        select(Notification)
        .where(Notification.recipient_id == person.id)
        .order_by(Notification.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


@cache
def _unread_query():
    return select(func.count()).where(
        Notification.recipient_id == bindparam("person_id"), Notification.read_at.is_(None)
    )


def unread_count(person: Person) -> int:
    """How many of person's messages are unread; the page header shows it on every page."""
    return db.session.scalar(_unread_query(), {"person_id": person.id}) or 0


def mark_all_read(person: Person) -> None:
    db.session.execute(
        update(Notification)
        .where(Notification.recipient_id == person.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    db.session.commit()
