"""Write notifications into the outbox, send them on each reader's channels, and read the inbox."""

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from uuid import uuid4
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import and_, bindparam, func, insert, or_, select, update

from portal.accounts.models import Person, administered_by
from portal.config import DEFAULT_TIMEZONE
from portal.extensions import db
from portal.model_base import utcnow
from portal.notifications import messages, sms, wechat
from portal.notifications.channels import Channel, Message, registered
from portal.notifications.models import Dispatch, Notification, NotificationSettings
from portal.web.paging import page_of

log = logging.getLogger("portal.notifications")


def notify(
    recipient: Person | int,
    kind: str,
    link: str | None = None,
    *,
    urgent: bool = False,
    batch: str | None = None,
    **params,
) -> Notification:
    """Add a notification to the session; it is committed with the change that caused it. An
    urgent one is about someone's safety: it is sent at once, whatever the reader's quiet hours.
    Messages of one batch (a name) that come to a reader within BATCH_WAIT of the last one sent
    are sent together, as one message, at the end of that wait."""
    recipient_id = recipient if isinstance(recipient, int) else recipient.id
    notification = Notification(
        recipient_id=recipient_id,
        kind=kind,
        link=link,
        urgent=urgent,
        batch=batch,
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
# An urgent message is about someone's safety: it is tried again sooner, and from its second try
# on every channel that can reach the reader, chosen or not, until one besides the log has.
URGENT_RETRY_AFTER = (
    timedelta(seconds=15),
    timedelta(seconds=30),
    timedelta(minutes=1),
    timedelta(minutes=2),
    timedelta(minutes=5),
)
# A reader is sent at most one message of a batch in this time; what comes meanwhile waits and
# goes as one message.
BATCH_WAIT = timedelta(minutes=5)
# How long a claimed message is left to its sender before another may take it: longer than any
# send takes, so a message is sent twice only when its sender died after sending it.
CLAIM_LEASE = timedelta(minutes=5)


@dataclass
class Delivery:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    held: int = 0  # not urgent: in the reader's quiet hours, or waiting to go with its batch


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


def _zone(person: Person) -> ZoneInfo:
    return ZoneInfo(person.community.timezone if person.community else DEFAULT_TIMEZONE)


def in_their_time(person: Person, moment: datetime) -> datetime:
    """moment (naive UTC) on the clocks where person lives."""
    return moment.replace(tzinfo=UTC).astimezone(_zone(person))


def quiet_until(
    person: Person, settings: NotificationSettings | None, now: datetime
) -> datetime | None:
    """When person's quiet hours end (naive UTC) if now is in them, else None."""
    if settings is None or settings.quiet_from is None or settings.quiet_until is None:
        return None
    start, end = settings.quiet_from, settings.quiet_until
    zone = _zone(person)
    local = now.replace(tzinfo=UTC).astimezone(zone)
    at = local.time()
    quiet = start <= at < end if start < end else (at >= start or at < end)
    if not quiet:
        return None
    ends = datetime.combine(local.date(), end, tzinfo=zone)
    if ends <= local:
        ends = datetime.combine(local.date() + timedelta(days=1), end, tzinfo=zone)
    return ends.astimezone(UTC).replace(tzinfo=None)


def _message(
    group: list[Notification], person: Person, settings: NotificationSettings | None
) -> Message:
    """The notification (or a batch of them, as one) in its reader's words, with the address
    to open it at."""
    notification = group[0]
    with force_locale(person.language or current_app.config["BABEL_DEFAULT_LOCALE"]):
        if len(group) == 1:
            text, link = messages.describe(notification)
        else:
            text, link = messages.describe_batch(group)
        subject = _("Linli: urgent") if notification.urgent else _("Linli: a new message")
    base = current_app.config.get("PORTAL_URL", "").rstrip("/")
    return Message(
        notification_id=notification.id,
        person=person,
        settings=settings,
        subject=subject,
        text=text,
        url=f"{base}{link}" if link else None,
        urgent=notification.urgent,
        written=in_their_time(person, notification.created_at),
    )


def _send(
    notification: Notification,
    message: Message,
    channels: list[Channel],
    dispatches: dict[tuple[int, str], Dispatch],
    now: datetime,
    *,
    fallback: bool,
) -> list[Exception]:
    """Send on each channel that reaches the reader (with fallback, also those they did not
    choose but can be reached by) and has not sent it yet; the failures, none once a fallback
    has reached them by something besides the log."""
    failures, reached = [], False
    for channel in channels:
        dispatch = dispatches.get((notification.id, channel.name))
        if dispatch is not None and dispatch.sent_at is not None:
            reached = reached or channel.name != "log"
            continue
        if not channel.reaches(message.person, message.settings, fallback=fallback):
            continue
        if dispatch is None:
            dispatch = Dispatch(notification_id=notification.id, channel=channel.name, attempts=0)
            db.session.add(dispatch)
        dispatch.attempts += 1
        try:
            channel.send(message)
        except Exception as error:
            log.warning("notification %s not sent by %s: %r", notification.id, channel.name, error)
            dispatch.last_error = repr(error)[:200]
            failures.append(error)
        else:
            # When it was handed over: the batch's now, or later when the batch took a while.
            dispatch.sent_at = max(now, utcnow())
            reached = reached or channel.name != "log"
    return [] if fallback and reached else failures


def _batches(claimed: list[Notification]) -> list[list[Notification]]:
    """Each message on its own, but a reader's messages of one batch together."""
    groups: list[list[Notification]] = []
    batched: dict[tuple[int, str], list[Notification]] = {}
    for notification in claimed:
        if notification.batch is None:
            groups.append([notification])
            continue
        key = (notification.recipient_id, notification.batch)
        if key not in batched:
            batched[key] = []
            groups.append(batched[key])
        batched[key].append(notification)
    return groups


def _last_batches(readers: set[int], now: datetime) -> dict[tuple[int, str], datetime]:
    """When each reader was last sent a message of each batch, within BATCH_WAIT."""
    query = (
        select(Notification.recipient_id, Notification.batch, func.max(Notification.sent_at))
        .where(
            Notification.recipient_id.in_(readers),
            Notification.batch.is_not(None),
            Notification.sent_at > now - BATCH_WAIT,
        )
        .group_by(Notification.recipient_id, Notification.batch)
    )
    return {(reader, batch): sent for reader, batch, sent in db.session.execute(query)}


def _settle(
    notification: Notification, failures: list[Exception], now: datetime, tally: Delivery
) -> None:
    """Mark notification sent, or to be tried again, or failed, and count it."""
    if not failures:
        notification.sent_at = now
        tally.sent += 1
        return
    waits = URGENT_RETRY_AFTER if notification.urgent else RETRY_AFTER
    notification.attempts += 1
    notification.last_error = repr(failures[0])[:200]
    if notification.attempts > len(waits):
        notification.failed_at = now
        tally.failed += 1
    else:
        notification.next_attempt_at = now + waits[notification.attempts - 1]
        tally.retrying += 1


def deliver_pending(
    channels: list[Channel] | None = None, limit: int = 500, now: datetime | None = None
) -> Delivery:
    """Send the due messages of the outbox on every channel that reaches each reader (those
    registered by default), each committed as sent, as waiting to be tried again, or as failed,
    before the next is sent. A channel that has sent a message is not asked again when another
    fails; a message that is not urgent waits for the end of its reader's quiet hours. Any
    number of these may run at once, on any number of hosts: each message goes to one of them."""
    channels = registered() if channels is None else channels
    now = now or utcnow()
    claim = _claim(limit, now)
    tally = Delivery()
    claimed = db.session.scalars(
        select(Notification).where(Notification.claim == claim).order_by(Notification.id)
    ).all()
    if not claimed:
        return tally
    ids = [n.id for n in claimed]
    readers = {n.recipient_id for n in claimed}
    people = {
        person.id: person
        for person in db.session.scalars(
            select(Person).where(Person.id.in_(readers)).options(db.joinedload(Person.community))
        )
    }
    settings = {
        chosen.person_id: chosen
        for chosen in db.session.scalars(
            select(NotificationSettings).where(NotificationSettings.person_id.in_(readers))
        )
    }
    dispatches = {
        (d.notification_id, d.channel): d
        for d in db.session.scalars(select(Dispatch).where(Dispatch.notification_id.in_(ids)))
    }
    last_batch = _last_batches(readers, now)
    with current_app.test_request_context(base_url=current_app.config.get("PORTAL_URL") or None):
        for group in _batches(claimed):
            first = group[0]
            person = people[first.recipient_id]
            chosen = settings.get(person.id)
            held_until = None if first.urgent else quiet_until(person, chosen, now)
            if held_until is None and first.batch is not None:
                last = last_batch.get((person.id, first.batch))
                held_until = last + BATCH_WAIT if last and now < last + BATCH_WAIT else None
            if held_until is not None:
                for notification in group:
                    notification.next_attempt_at = held_until
                tally.held += len(group)
            else:
                try:
                    message = _message(group, person, chosen)
                except Exception as error:
                    log.exception("notification %s cannot be put into words", first.id)
                    failures = [error]
                else:
                    fallback = first.urgent and first.attempts > 0
                    failures = _send(first, message, channels, dispatches, now, fallback=fallback)
                for notification in group:
                    _settle(notification, failures, now, tally)
            for notification in group:
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


FAILED_PAGE = 50  # failed messages on a page of the admins' list


def _failed_to_people_of(admin: Person, query):
    """query narrowed to the messages every try failed to send, to people of admin's communities."""
    return query.join(Person, Person.id == Notification.recipient_id).where(
        Notification.failed_at.is_not(None),
        Notification.sent_at.is_(None),
        administered_by(admin, Person.community_id),
    )


def failed_page(admin: Person, page: int = 1) -> Pagination:
    """One page of the messages to people of admin's communities that every try failed to send,
    newest first."""
    query = _failed_to_people_of(admin, select(Notification)).order_by(
        Notification.failed_at.desc(), Notification.id.desc()
    )
    return page_of(query, page, FAILED_PAGE)


def failed_count(admin: Person) -> int:
    """How many messages to people of admin's communities could not be sent."""
    return db.session.scalar(
        _failed_to_people_of(admin, select(func.count()).select_from(Notification))
    )


def reasons(notifications: list[Notification]) -> dict[int, list[Dispatch]]:
    """{notification id: its channels that failed, with their last error}."""
    query = select(Dispatch).where(
        Dispatch.notification_id.in_([n.id for n in notifications]),
        Dispatch.sent_at.is_(None),
    )
    found: dict[int, list[Dispatch]] = {}
    for dispatch in db.session.scalars(query.order_by(Dispatch.id)):
        found.setdefault(dispatch.notification_id, []).append(dispatch)
    return found


def recipients(notifications: list[Notification]) -> dict[int, Person]:
    ids = {n.recipient_id for n in notifications}
    return {p.id: p for p in db.session.scalars(select(Person).where(Person.id.in_(ids)))}


def try_again(admin: Person, notification_id: int) -> Notification | None:
    """Send a failed message again from the start, once the channel is mended; commit. None
    when it is not a failed message of admin's communities."""
    found = db.session.scalar(
        _failed_to_people_of(admin, select(Notification)).where(Notification.id == notification_id)
    )
    if found is not None:
        found.failed_at = found.next_attempt_at = None
        found.attempts = 0
        db.session.commit()
    return found


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


def settings_of(person: Person) -> NotificationSettings | None:
    return db.session.get(NotificationSettings, person.id)


def choose(
    person: Person,
    *,
    language: str | None = None,
    email: str | None,
    by_email: bool,
    by_sms: bool = False,
    by_wechat: bool = False,
    quiet_from: time | None,
    quiet_until: time | None,
    away_until: date | None = None,
) -> NotificationSettings:
    """Keep how person wants to be told (and in which language), and commit. Text messages are kept only for a number
    proved to be theirs, WeChat only for a bound one. A worker or volunteer away until a day is not told of their grid's new
    requests up to it (raises AwayInThePast for a day before today)."""
    if away_until is not None and away_until < person.today():
        raise AwayInThePast()
    person.away_until = away_until
    if language is not None:
        person.language = language
    chosen = settings_of(person) or NotificationSettings(person_id=person.id)
    chosen.email = email or None
    chosen.channels = [
        channel
        for channel, wanted in (
            ("email", by_email and email),
            ("sms", by_sms and chosen.sms_verified(person)),
            ("wechat", by_wechat and chosen.wechat_openid),
            ("push", chosen.chose("push")),  # each phone's own button turns it on and off
        )
        if wanted
    ]
    chosen.quiet_from, chosen.quiet_until = quiet_from, quiet_until
    db.session.add(chosen)
    db.session.commit()
    return chosen


class AwayInThePast(Exception):
    """Away until a day that has passed."""


# Proving a mobile number -----------------------------------------------------------------------

SMS_CODE_LIFETIME = timedelta(minutes=10)
SMS_CODE_INTERVAL = timedelta(minutes=1)  # between two codes to the same person
SMS_CODE_TRIES = 5


class CodeTooSoon(Exception):
    """A code was sent less than SMS_CODE_INTERVAL ago."""


class CodeNotValid(Exception):
    """No code waits, it expired, it was tried too often, or this is not it."""


def _code_digest(person: Person, code: str) -> str:
    """What is kept of a code: a keyed digest, good for the code's few minutes and five tries."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{person.phone}:{code}".encode(), hashlib.sha256).hexdigest()


def send_sms_code(person: Person, now: datetime | None = None) -> None:
    """Text person a six-digit code that proves their mobile number is theirs, and commit.
    Raises CodeTooSoon, or the provider's error (sms.SmsRefused, OSError) with nothing changed."""
    now = now or utcnow()
    chosen = settings_of(person) or NotificationSettings(person_id=person.id, channels=[])
    if chosen.sms_code_sent_at and now < chosen.sms_code_sent_at + SMS_CODE_INTERVAL:
        raise CodeTooSoon()
    code = f"{secrets.randbelow(10**6):06d}"
    sms.send(person.phone, current_app.config["SMS_CODE_TEMPLATE"], {"code": code})
    chosen.sms_code_hash = _code_digest(person, code)
    chosen.sms_code_sent_at, chosen.sms_code_tries = now, 0
    db.session.add(chosen)
    db.session.commit()


def check_sms_code(person: Person, code: str, now: datetime | None = None) -> None:
    """Prove person's mobile number with the code texted to it, and choose text messages;
    commit. Raises CodeNotValid (a wrong try counts)."""
    now = now or utcnow()
    chosen = settings_of(person)
    if (
        chosen is None
        or chosen.sms_code_hash is None
        or now >= chosen.sms_code_sent_at + SMS_CODE_LIFETIME
        or chosen.sms_code_tries >= SMS_CODE_TRIES
    ):
        raise CodeNotValid()
    if not hmac.compare_digest(chosen.sms_code_hash, _code_digest(person, code.strip())):
        chosen.sms_code_tries += 1
        db.session.commit()
        raise CodeNotValid()
    chosen.sms_phone, chosen.sms_verified_at = person.phone, now
    chosen.sms_code_hash = None
    chosen.channels = [*chosen.channels, "sms"] if not chosen.chose("sms") else chosen.channels
    db.session.commit()


# Binding WeChat --------------------------------------------------------------------------------


def wechat_code(person: Person, now: datetime | None = None) -> NotificationSettings:
    """The person's binding code, asked anew of WeChat unless theirs can still be scanned for a
    minute or more; commit. Raises wechat.WeChatRefused, or OSError, with nothing changed."""
    now = now or utcnow()
    chosen = settings_of(person) or NotificationSettings(person_id=person.id, channels=[])
    if chosen.wechat_scene and now + timedelta(minutes=1) < chosen.wechat_scene_until:
        return chosen
    scene = wechat.new_scene()
    chosen.wechat_code_url = wechat.binding_code(scene)
    chosen.wechat_scene, chosen.wechat_scene_until = scene, now + wechat.CODE_LIFETIME
    db.session.add(chosen)
    db.session.commit()
    return chosen


def wechat_code_of(person: Person, now: datetime | None = None) -> str | None:
    """The address the person's binding code encodes, while it can be scanned."""
    chosen = settings_of(person)
    if chosen is None or chosen.wechat_scene is None or chosen.wechat_openid:
        return None
    return chosen.wechat_code_url if (now or utcnow()) < chosen.wechat_scene_until else None


def _forget_wechat(chosen: NotificationSettings) -> None:
    chosen.wechat_openid = chosen.wechat_bound_at = None
    chosen.channels = [channel for channel in chosen.channels or [] if channel != "wechat"]


def bind_wechat(scene: str, openid: str, now: datetime | None = None) -> Person | None:
    """The WeChat user openid scanned the code carrying scene: their WeChat now receives the
    code's person's messages (and no one else's); commit. The person it is bound to, also when
    WeChat tells of the same scan again; None for a code unknown or too old."""
    now = now or utcnow()
    chosen = db.session.scalar(
        select(NotificationSettings).where(NotificationSettings.wechat_scene == scene)
    )
    if chosen is None or now >= chosen.wechat_scene_until:
        bound = db.session.scalar(
            select(NotificationSettings).where(NotificationSettings.wechat_openid == openid)
        )
        return db.session.get(Person, bound.person_id) if bound else None
    for other in db.session.scalars(
        select(NotificationSettings).where(NotificationSettings.wechat_openid == openid)
    ):
        _forget_wechat(other)
    db.session.flush()
    chosen.wechat_openid, chosen.wechat_bound_at = openid, now
    chosen.wechat_scene = chosen.wechat_scene_until = chosen.wechat_code_url = None
    chosen.channels = [*(chosen.channels or []), "wechat"]
    db.session.commit()
    return db.session.get(Person, chosen.person_id)


def unbind_wechat(person: Person) -> None:
    """Send the person's messages to WeChat no more; commit."""
    chosen = settings_of(person)
    if chosen is not None:
        _forget_wechat(chosen)
        db.session.commit()


def wechat_left(openid: str) -> None:
    """The WeChat user stopped following the account: nothing can reach them there; commit."""
    for chosen in db.session.scalars(
        select(NotificationSettings).where(NotificationSettings.wechat_openid == openid)
    ):
        _forget_wechat(chosen)
    db.session.commit()


def mark_all_read(person: Person) -> None:
    db.session.execute(
        update(Notification)
        .where(Notification.recipient_id == person.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    db.session.commit()
