"""Write notifications into the outbox, deliver them through a sender, and read the inbox."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from uuid import uuid4

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import and_, bindparam, func, insert, or_, select, update

from portal.accounts.models import Person
from portal.extensions import db
from portal.model_base import utcnow
from portal.notifications.models import Notification
from portal.web.paging import page_of

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


def notify(
    recipient: Person | int,
    kind: str,
    link: str | None = None,
    *,
    urgent: bool = False,
    **params,
) -> Notification:
    """Add a notification to the session; it is committed with the change that caused it. An
    urgent one is about someone's safety: it is sent at once, whatever the reader's quiet hours."""
    recipient_id = recipient if isinstance(recipient, int) else recipient.id
    notification = Notification(
        recipient_id=recipient_id,
        kind=kind,
        link=link,
        urgent=urgent,
        params={key: value for key, value in params.items()},
    )
    db.session.add(notification)
    return notification


def notification_row(
    recipient_id: int, kind: str, params: dict, *, urgent: bool = False, now: datetime
) -> dict:
    """A notification as a row for notify_many()."""
    return {
        "recipient_id": recipient_id,
        "kind": kind,
        "params": params,
        "urgent": urgent,
        "created_at": now,
        "updated_at": now,
    }


def notify_many(rows: list[dict]) -> None:
    """Add many notifications (rows from notification_row()) in one statement, with the change
    that caused them; for jobs that tell many people at once."""
    if rows:
        db.session.execute(insert(Notification), rows)


# A send that fails is tried again after each of these waits, then marked failed.
RETRY_AFTER = (
    timedelta(minutes=1),
    timedelta(minutes=4),
    timedelta(minutes=16),
    timedelta(minutes=64),
)
# How long a claimed message is left to its sender before another may take it: longer than any
# send takes, so a message is sent twice only when its sender died after sending it.
CLAIM_LEASE = timedelta(minutes=5)


@dataclass
class Delivery:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def _due(now: datetime):
    return and_(
        Notification.sent_at.is_(None),
        Notification.failed_at.is_(None),
        or_(Notification.next_attempt_at.is_(None), Notification.next_attempt_at <= now),
        or_(Notification.claimed_until.is_(None), Notification.claimed_until <= now),
    )


def _claim(limit: int, now: datetime) -> str:
    """Mark up to limit due messages as this sender's, in one statement: on PostgreSQL the rows
    another sender is claiming are skipped, on SQLite writers take turns; either way the outer
    condition is checked again on the row as it is when written, so no message is claimed twice."""
    claim = uuid4().hex
    oldest_due = (
        select(Notification.id)
        .where(_due(now))
        .order_by(Notification.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    db.session.execute(
        update(Notification)
        .where(Notification.id.in_(oldest_due.scalar_subquery()), _due(now))
        .values(claim=claim, claimed_until=now + CLAIM_LEASE)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return claim


def deliver_pending(
    sender: Sender | None = None, limit: int = 500, now: datetime | None = None
) -> Delivery:
    """Hand the due messages of the outbox to sender (the log by default), each committed as sent,
    as waiting to be tried again, or as failed, before the next is sent. Any number of these may
    run at once, on any number of hosts: each message goes to one of them."""
    sender = sender or LogSender()
    now = now or utcnow()
    claim = _claim(limit, now)
    tally = Delivery()
    claimed = db.session.scalars(
        select(Notification).where(Notification.claim == claim).order_by(Notification.id)
    ).all()
    for notification in claimed:
        try:
            sender.send(notification)
        except Exception as error:
            log.warning("notification %s not sent: %r", notification.id, error)
            notification.attempts += 1
            notification.last_error = repr(error)[:200]
            if notification.attempts > len(RETRY_AFTER):
                notification.failed_at = now
                tally.failed += 1
            else:
                notification.next_attempt_at = now + RETRY_AFTER[notification.attempts - 1]
                tally.retrying += 1
        else:
            notification.sent_at = now
            tally.sent += 1
        notification.claim = notification.claimed_until = None
        db.session.commit()
    return tally


def outbox_counts() -> dict[str, int]:
    """How many messages wait to be sent (including those to be tried again) and how many failed."""
    waiting, failed = db.session.execute(
        select(
            func.count().filter(Notification.failed_at.is_(None)),
            func.count().filter(Notification.failed_at.is_not(None)),
        ).where(Notification.sent_at.is_(None))
    ).one()
    return {"waiting": waiting, "failed": failed}


INBOX_PAGE = 20  # messages on a page of the inbox


def inbox(person: Person, page: int = 1, per_page: int = INBOX_PAGE) -> Pagination:
    """One page of person's messages, newest first, with how many there are."""
    query = (
        select(Notification)
        .where(Notification.recipient_id == person.id)
        .order_by(Notification.id.desc())
    )
    return page_of(query, page, per_page)


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
