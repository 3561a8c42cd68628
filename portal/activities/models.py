from datetime import date, datetime, time, timedelta
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import Person
from portal.community.models import Community
from portal.extensions import db
from portal.model_base import TimestampMixin

# A resident may check themself in from this long before an activity starts until it ends.
CHECK_IN_EARLY = timedelta(minutes=30)


class Category(StrEnum):
    HEALTH_TALK = "health_talk"  # 健康科普
    ANTI_FRAUD = "anti_fraud"  # 防诈宣传
    BIRTHDAY = "birthday"  # 集体生日会
    FESTIVAL = "festival"  # 我们的节日
    CHESS = "chess"  # 棋牌
    CALLIGRAPHY = "calligraphy"  # 书画
    CRAFTS = "crafts"  # 手工
    EXERCISE = "exercise"  # 健身
    VOLUNTEER = "volunteer"  # 志愿服务
    OTHER = "other"


class Venue(TimestampMixin, db.Model):
    """A room or place where activities happen, with how many people it holds."""

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    capacity: Mapped[int]
    step_free: Mapped[bool] = mapped_column(default=True)
    hearing_loop: Mapped[bool] = mapped_column(default=False)

    community: Mapped[Community] = relationship()


class _Described:
    """Title and description in Simplified Chinese, optionally in the other two languages."""

    title_zh_hans: Mapped[str] = mapped_column(String(80))
    title_zh_hant: Mapped[str | None] = mapped_column(String(80))
    title_en: Mapped[str | None] = mapped_column(String(120))
    description_zh_hans: Mapped[str | None] = mapped_column(Text)
    description_zh_hant: Mapped[str | None] = mapped_column(Text)
    description_en: Mapped[str | None] = mapped_column(Text)

    def title(self, locale: str) -> str:
        return {"zh_Hant": self.title_zh_hant, "en": self.title_en}.get(
            locale
        ) or self.title_zh_hans

    def description(self, locale: str) -> str:
        localised = {"zh_Hant": self.description_zh_hant, "en": self.description_en}.get(locale)
        return localised or self.description_zh_hans or ""


class Series(_Described, TimestampMixin, db.Model):
    """A weekly activity (chess every Tuesday 14:00): the pattern its occurrences are made from."""

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    venue_id: Mapped[int] = mapped_column(ForeignKey("venue.id"))
    organiser_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    category: Mapped[str] = mapped_column(String(20))
    weekday: Mapped[int]  # Monday is 0
    starts: Mapped[time]  # local time in the community's zone
    ends: Mapped[time]
    first_day: Mapped[date]
    last_day: Mapped[date]
    capacity: Mapped[int | None]  # None: open to all, no sign-up limit
    signup_required: Mapped[bool] = mapped_column(default=True)
    access_notes: Mapped[str | None] = mapped_column(String(200))

    community: Mapped[Community] = relationship()
    venue: Mapped[Venue] = relationship()


class Event(_Described, TimestampMixin, db.Model):
    """One activity at one time: a one-off, or one week of a series (possibly moved or skipped)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    venue_id: Mapped[int] = mapped_column(ForeignKey("venue.id"), index=True)
    organiser_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    series_id: Mapped[int | None] = mapped_column(ForeignKey("series.id"), index=True)
    # The date of the series this occurrence stands for, even when it has been moved.
    series_day: Mapped[date | None]
    # Changed on its own (moved, retitled): editing the series leaves it alone.
    detached: Mapped[bool] = mapped_column(default=False)
    category: Mapped[str] = mapped_column(String(20))
    starts_at: Mapped[datetime] = mapped_column(index=True)  # naive UTC
    ends_at: Mapped[datetime]
    capacity: Mapped[int | None]  # None: open to all
    signup_required: Mapped[bool] = mapped_column(default=True)
    access_notes: Mapped[str | None] = mapped_column(String(200))
    going: Mapped[int] = mapped_column(default=0)  # places taken, kept with conditional updates
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(String(200))  # residents read it

    community: Mapped[Community] = relationship()
    venue: Mapped[Venue] = relationship()
    organiser: Mapped[Person] = relationship()
    series: Mapped[Series | None] = relationship()

    __table_args__ = (db.UniqueConstraint("series_id", "series_day"),)

    def check_in_open(self, now: datetime) -> bool:
        """Whether a resident may check themself in at now (naive UTC)."""
        return self.cancelled_at is None and self.starts_at - CHECK_IN_EARLY <= now <= self.ends_at

    @property
    def places_left(self) -> int | None:
        return None if self.capacity is None else max(0, self.capacity - self.going)


class SignUpStatus(StrEnum):
    GOING = "going"
    WAITING = "waiting"
    LEFT = "left"


class SignUp(TimestampMixin, db.Model):
    """A resident's place at an event, or their place on its waitlist."""

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    signed_up_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    status: Mapped[str] = mapped_column(String(10))
    # "resident:event" while going or waiting; unique, so a double tap never makes two places.
    active_key: Mapped[str | None] = mapped_column(String(40), unique=True)
    invited: Mapped[bool] = mapped_column(default=False)  # a birthday party's pre-filled place
    # How the resident asked the staff member who signed them up (an accounts Channel), if staff did.
    channel: Mapped[str | None] = mapped_column(String(12))
    promoted_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    checked_in_at: Mapped[datetime | None]
    checked_in_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))

    event: Mapped[Event] = relationship()
    resident: Mapped[Person] = relationship(foreign_keys=[resident_id])
    signed_up_by: Mapped[Person] = relationship(foreign_keys=[signed_up_by_id])

    @staticmethod
    def key_for(resident_id: int, event_id: int) -> str:
        """The active_key of the resident's standing place or waitlist place at the event."""
        return f"{resident_id}:{event_id}"


class CalendarFeed(TimestampMixin, db.Model):
    """A person's own calendar at a secret address; the database keeps only the token's hash."""

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    revoked_at: Mapped[datetime | None]

    person: Mapped[Person] = relationship()
