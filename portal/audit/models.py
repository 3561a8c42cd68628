from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.model_base import utcnow


class AuditEntry(db.Model):
    __table_args__ = (Index("ix_audit_entry_community_id_at", "community_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    # The community the entry belongs to: its subject's, or, about no one, its actor's, when it
    # was made. A community's admins read its entries newest first through one index.
    community_id: Mapped[int | None] = mapped_column(ForeignKey("community.id"))
    action: Mapped[str] = mapped_column(String(60))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)

    # Named, not imported: accounts records entries, so audit sits below it.
    actor = relationship("Person", foreign_keys=[actor_id])
    subject = relationship("Person", foreign_keys=[subject_id])
