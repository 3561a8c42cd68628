from datetime import date

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import Person
from portal.community.models import Partner
from portal.extensions import db
from portal.model_base import TimestampMixin

# What the community's review panel (红色评议团) scores each month, from 1 (poor) to 5 (very good).
CRITERIA = ("speed", "quality", "manner")


class PartnerRating(TimestampMixin, db.Model):
    """A community's review of a partner for a month: a score for each criterion and a comment.
    One per partner, community and month; rating it again changes it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    month: Mapped[date]  # its first day
    speed: Mapped[int]
    quality: Mapped[int]
    manner: Mapped[int]
    comment: Mapped[str | None] = mapped_column(Text)
    by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    panel: Mapped[str | None] = mapped_column(String(200))  # who sat on the panel, in words

    partner: Mapped[Partner] = relationship()
    by: Mapped[Person] = relationship()

    __table_args__ = (
        UniqueConstraint("partner_id", "community_id", "month"),
        CheckConstraint(
            " AND ".join(f"{name} BETWEEN 1 AND 5" for name in CRITERIA), name="scores_1_to_5"
        ),
    )
