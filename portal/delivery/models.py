from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import Person
from portal.canteen.models import Booking, Canteen, MealDay
from portal.community.models import Grid
from portal.extensions import db
from portal.model_base import TimestampMixin


class EnrolmentStatus(StrEnum):
    APPLIED = "applied"  # waiting for staff
    ACTIVE = "active"  # approved: meals are delivered from start_day on the chosen weekdays
    DECLINED = "declined"
    STOPPED = "stopped"  # ended by the resident, their family or staff


OPEN_ENROLMENT = (EnrolmentStatus.APPLIED, EnrolmentStatus.ACTIVE)


class DeliveryEnrolment(TimestampMixin, db.Model):
    """A resident's standing order for meals brought to their door, from application to stop."""

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    canteen_id: Mapped[int] = mapped_column(ForeignKey("canteen.id"), index=True)
    applied_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    lunch: Mapped[bool] = mapped_column(default=False)
    dinner: Mapped[bool] = mapped_column(default=False)
    weekdays: Mapped[str] = mapped_column(String(13))  # "0,1,2,3,4": Monday is 0
    start_day: Mapped[date]  # asked for; set by staff when approving
    floor: Mapped[int | None]
    has_lift: Mapped[bool | None]
    access_notes: Mapped[str | None] = mapped_column(String(200))  # "ring twice, deaf in one ear"
    diet_tags: Mapped[str] = mapped_column(String(80), default="")  # soft,low_salt,…
    diet_notes: Mapped[str | None] = mapped_column(String(200))
    contact_phone: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10), default=EnrolmentStatus.APPLIED)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    decided_at: Mapped[datetime | None]
    decline_reason: Mapped[str | None] = mapped_column(String(20))  # one of DECLINE_REASONS
    decline_note: Mapped[str | None] = mapped_column(Text)  # staff's own words
    stopped_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    stopped_at: Mapped[datetime | None]
    # The resident's id while this enrolment is open and includes lunch (or dinner); unique, so a
    # resident holds one open enrolment per meal even when two applications race.
    lunch_key: Mapped[str | None] = mapped_column(String(20), unique=True)
    dinner_key: Mapped[str | None] = mapped_column(String(20), unique=True)

    resident: Mapped[Person] = relationship(foreign_keys=[resident_id])
    applied_by: Mapped[Person] = relationship(foreign_keys=[applied_by_id])
    decided_by: Mapped[Person | None] = relationship(foreign_keys=[decided_by_id])
    canteen: Mapped[Canteen] = relationship()
    pauses: Mapped[list["DeliveryPause"]] = relationship(
        back_populates="enrolment", order_by="DeliveryPause.first_day"
    )

    __table_args__ = (db.Index("ix_delivery_enrolment_canteen_status", "canteen_id", "status"),)

    @staticmethod
    def key_for(resident_id: int) -> str:
        """The lunch_key and dinner_key of the resident's open enrolment for those meals."""
        return str(resident_id)

    @property
    def reference(self) -> str:
        return f"D{self.id:06d}"

    @property
    def meals(self) -> list[str]:
        return [kind for kind, chosen in (("lunch", self.lunch), ("dinner", self.dinner)) if chosen]

    @property
    def weekday_list(self) -> list[int]:
        return [int(day) for day in self.weekdays.split(",") if day]

    @property
    def diet_tag_list(self) -> list[str]:
        return [tag for tag in self.diet_tags.split(",") if tag]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ENROLMENT

    def pause_on(self, day: date) -> "DeliveryPause | None":
        return next((p for p in self.pauses if p.first_day <= day <= p.last_day), None)

    def pauses_from(self, day: date) -> list["DeliveryPause"]:
        """The pauses not over by day, of an enrolment that is running."""
        if self.status != EnrolmentStatus.ACTIVE:
            return []
        return [pause for pause in self.pauses if pause.last_day >= day]

    def delivers_on(self, day: date, kind: str) -> bool:
        """True when this enrolment, as it stands, brings the kind of meal on day."""
        return (
            self.status == EnrolmentStatus.ACTIVE
            and kind in self.meals
            and day >= self.start_day
            and day.weekday() in self.weekday_list
            and self.pause_on(day) is None
        )


class DeliveryPause(TimestampMixin, db.Model):
    """No deliveries from first_day to last_day, both included; they resume by themselves."""

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("delivery_enrolment.id"), index=True)
    first_day: Mapped[date]
    last_day: Mapped[date]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    # "hospital" for the pause of a resident's stay there, which ends when they come home.
    reason: Mapped[str | None] = mapped_column(String(12))

    enrolment: Mapped[DeliveryEnrolment] = relationship(back_populates="pauses")


class DeliveryRound(TimestampMixin, db.Model):
    """The deliveries of one meal to one grid, run by one volunteer (or grid worker)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    meal_day_id: Mapped[int] = mapped_column(ForeignKey("meal_day.id"), index=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("grid.id"), index=True)
    runner_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)

    meal_day: Mapped[MealDay] = relationship()
    grid: Mapped[Grid] = relationship()
    runner: Mapped[Person | None] = relationship()
    drops: Mapped[list["Delivery"]] = relationship(back_populates="round", order_by="Delivery.id")

    __table_args__ = (db.UniqueConstraint("meal_day_id", "grid_id"),)


class Outcome(StrEnum):
    DELIVERED = "delivered"
    NO_ANSWER = "no_answer"  # a safety signal: opens an urgent welfare check
    REFUSED = "refused"


class Delivery(TimestampMixin, db.Model):
    """One meal for one enrolment on one day: its booking, its round, and what happened at the door.

    Made once per enrolment and meal (unique), so the daily job can run any number of times. It has
    no booking while the meal is full; withdrawn is set when a pause, a stop or a change of days
    gave its booking back, so that the booking is made again should the day be wanted again.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("delivery_enrolment.id"), index=True)
    meal_day_id: Mapped[int] = mapped_column(ForeignKey("meal_day.id"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("delivery_round.id"), index=True)
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("booking.id"), unique=True)
    withdrawn: Mapped[bool] = mapped_column(default=False)
    outcome: Mapped[str | None] = mapped_column(String(10))
    note: Mapped[str | None] = mapped_column(String(300))
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    marked_at: Mapped[datetime | None]
    help_request_id: Mapped[int | None] = mapped_column(ForeignKey("help_request.id"), index=True)

    enrolment: Mapped[DeliveryEnrolment] = relationship()
    meal_day: Mapped[MealDay] = relationship()
    round: Mapped[DeliveryRound] = relationship(back_populates="drops")
    booking: Mapped[Booking | None] = relationship()
    marked_by: Mapped[Person | None] = relationship()

    __table_args__ = (db.UniqueConstraint("enrolment_id", "meal_day_id"),)


class DropMark(db.Model):
    """A marking of a drop sent by a phone, known by the key the phone gave it: a phone that
    marked doors without signal sends them again until it hears back, and each is kept once."""

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("delivery.id"), index=True)
    received_at: Mapped[datetime]
