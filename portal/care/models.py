from datetime import date, datetime, time
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import Person
from portal.extensions import db
from portal.model_base import TimestampMixin


class Outcome(StrEnum):
    """How a care visit went."""

    WELL = "well"  # seen, and well
    CONCERNS = "concerns"  # seen, with something to watch
    NOT_HOME = "not_home"  # nobody answered: on a red resident, a welfare check
    IN_HOSPITAL = "in_hospital"
    BY_PHONE = "by_phone"  # spoken to on the phone, not seen


SEEN = (Outcome.WELL, Outcome.CONCERNS, Outcome.IN_HOSPITAL, Outcome.BY_PHONE)


class CareCadence(db.Model):
    """How many days may pass between two visits of a colour, in one community; a colour with
    no row here keeps the default (red 1, yellow 7, green 30)."""

    __table_args__ = (UniqueConstraint("community_id", "colour"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    colour: Mapped[str] = mapped_column(String(10))
    days: Mapped[int]


class CareSettings(db.Model):
    """A community's choices about visits: whether other signs a resident is well (a meal handed
    over at their door, a kiosk sign-in, an activity check-in, "I'm fine today") count towards
    a yellow or green resident's visit. They never do for red."""

    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), primary_key=True)
    other_contacts_count: Mapped[bool] = mapped_column(default=True)


class ColourChange(db.Model):
    """A resident's care colour set, with who set it, when and why: their colour's history."""

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    colour: Mapped[str | None] = mapped_column(String(10))
    reason: Mapped[str | None] = mapped_column(String(200))
    by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    at: Mapped[datetime]

    by: Mapped[Person | None] = relationship(foreign_keys=[by_id])


class CarePause(TimestampMixin, db.Model):
    """No visits are due from starts_on up to resumes_on (excluded): in hospital, staying with
    family. Due again by themselves on the day they resume."""

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    starts_on: Mapped[date]
    resumes_on: Mapped[date]
    reason: Mapped[str] = mapped_column(String(200))
    by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))


class CareVisit(db.Model):
    """One visit (or call) to a resident by a grid worker: how it went, a note kept among staff,
    and the requests it raised."""

    # A resident's visits by time, with how each went: when a grid's residents were last seen,
    # and whether any of their visits changed, are read from the index alone.
    __table_args__ = (Index("ix_care_visit_resident_id_at", "resident_id", "at", "outcome"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    at: Mapped[datetime] = mapped_column(index=True)
    outcome: Mapped[str] = mapped_column(String(12))
    note: Mapped[str | None] = mapped_column(String(500))
    colour: Mapped[str | None] = mapped_column(String(10))  # the resident's colour at the visit
    help_request_id: Mapped[int | None] = mapped_column(ForeignKey("help_request.id"))
    welfare_check_id: Mapped[int | None] = mapped_column(ForeignKey("help_request.id"))

    resident: Mapped[Person] = relationship(foreign_keys=[resident_id])
    by: Mapped[Person] = relationship(foreign_keys=[by_id])


class CheckIn(db.Model):
    """ "I'm fine today" (今天我很好): a resident's daily check-in, one a day."""

    __table_args__ = (UniqueConstraint("resident_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    day: Mapped[date]
    at: Mapped[datetime]
    by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))


class CheckInPlan(TimestampMixin, db.Model):
    """A resident who checks in every day by deadline (their community's time): a missed one
    asks the grid worker to phone them, and, still missed two hours later, raises a welfare
    check."""

    resident_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True)
    deadline: Mapped[time]
    by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))


class CareSharing(db.Model):
    """Whether a resident agreed that their family see their care visits: who came, when, and
    how it went (never the staff's note). Only the resident, or staff recording what they said,
    decides."""

    resident_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True)
    family_sees_visits: Mapped[bool] = mapped_column(default=False)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    at: Mapped[datetime]
