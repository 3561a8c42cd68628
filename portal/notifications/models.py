from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, false
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
    read_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None] = mapped_column(index=True)
    claim: Mapped[str | None] = mapped_column(String(32), index=True)
    claimed_until: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(200))
