from datetime import datetime, time

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.model_base import TimestampMixin


class Notification(TimestampMixin, db.Model):
    """One message for one person. Its words are chosen when it is shown, in the reader's language.

    It waits in the outbox until a sender has it: claimed by one sender at a time (claim, until
    claimed_until), tried again later when sending fails (attempts, next_attempt_at), and marked
    failed_at once every try has failed."""

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    link: Mapped[str | None] = mapped_column(String(200))
    # About someone's safety: sent at once on every channel the reader has, quiet hours or not.
    urgent: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Messages of one batch to one reader close together are sent as one (services.BATCH_WAIT).
    batch: Mapped[str | None] = mapped_column(String(40))
    read_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None] = mapped_column(index=True)
    claim: Mapped[str | None] = mapped_column(String(32), index=True)
    claimed_until: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(200))


class Dispatch(db.Model):
    """One notification sent, or being tried, on one channel: a channel that has sent it is never
    asked to again, whatever happens to the others."""

    __table_args__ = (UniqueConstraint("notification_id", "channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notification.id"))
    channel: Mapped[str] = mapped_column(String(20))
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(200))


class NotificationSettings(TimestampMixin, db.Model):
    """How a person wants to be told, besides the inbox every message is in: the channels they
    chose (an e-mail address for e-mail), and quiet hours in their own time, when only urgent
    messages are sent."""

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True)
    channels: Mapped[list] = mapped_column(JSON, default=list)
    email: Mapped[str | None] = mapped_column(String(254))
    quiet_from: Mapped[time | None]
    quiet_until: Mapped[time | None]
    # Text messages go only to a number proved to be the person's: the code sent to it was typed.
    sms_phone: Mapped[str | None] = mapped_column(String(20))
    sms_verified_at: Mapped[datetime | None]
    sms_code_hash: Mapped[str | None] = mapped_column(String(200))
    sms_code_sent_at: Mapped[datetime | None]
    sms_code_tries: Mapped[int] = mapped_column(default=0, server_default="0")
    # WeChat messages go to the WeChat user who scanned the person's binding code: the code
    # carries wechat_scene until wechat_scene_until, and draws wechat_code_url.
    wechat_openid: Mapped[str | None] = mapped_column(String(64), unique=True)
    wechat_bound_at: Mapped[datetime | None]
    wechat_scene: Mapped[str | None] = mapped_column(String(64), unique=True)
    wechat_scene_until: Mapped[datetime | None]
    wechat_code_url: Mapped[str | None] = mapped_column(String(200))

    def chose(self, channel: str) -> bool:
        return channel in (self.channels or [])

    def sms_verified(self, person) -> bool:
        """Whether the person's mobile number, as it is now, was proved theirs."""
        return self.sms_verified_at is not None and self.sms_phone == person.phone


class PushSubscription(TimestampMixin, db.Model):
    """A phone or computer that receives the person's messages by Web Push: the address its
    browser's push service gave and the keys the messages are encrypted with."""

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    endpoint: Mapped[str] = mapped_column(String(1000), unique=True)
    p256dh: Mapped[str] = mapped_column(String(200))
    auth: Mapped[str] = mapped_column(String(100))

    def info(self) -> dict:
        """As the browser's PushSubscription.toJSON() gave it."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}
