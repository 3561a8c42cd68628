from datetime import UTC, date, datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import Person
from portal.community.models import Community
from portal.extensions import db
from portal.model_base import TimestampMixin, utcnow


class Canteen(TimestampMixin, db.Model):
    """A canteen and its price tiers: standard, a discount from senior_age, free from free_age."""

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    phone: Mapped[str | None] = mapped_column(String(20))
    senior_age: Mapped[int] = mapped_column(default=60)
    # Either a percentage off the dish price or a fixed price for seniors; the fixed price wins.
    senior_discount_percent: Mapped[int | None]
    senior_price_fen: Mapped[int | None]
    free_age: Mapped[int] = mapped_column(default=80)
    free_needs_special_support: Mapped[bool] = mapped_column(default=True)

    community: Mapped[Community] = relationship()
    services: Mapped[list["MealService"]] = relationship(
        back_populates="canteen", order_by="MealService.serving_start"
    )

    def price_for(self, resident: Person, dish: "Dish", day: date) -> int:
        """What resident pays for dish on day, in fen: free from free_age (with special support when
        the canteen requires it), the senior price from senior_age, else the dish's price. The age is
        the resident's age on the meal date."""
        age = resident.age_on(day)
        if age is None:
            return dish.price_fen
        if age >= self.free_age and (
            resident.special_support or not self.free_needs_special_support
        ):
            return 0
        if age >= self.senior_age:
            if self.senior_price_fen is not None:
                return min(self.senior_price_fen, dish.price_fen)
            if self.senior_discount_percent:
                return round(dish.price_fen * (100 - self.senior_discount_percent) / 100)
        return dish.price_fen


class MealKind(StrEnum):
    LUNCH = "lunch"
    DINNER = "dinner"


class MealService(TimestampMixin, db.Model):
    """Lunch or dinner at a canteen: when it is served, until when it can be booked, how many."""

    id: Mapped[int] = mapped_column(primary_key=True)
    canteen_id: Mapped[int] = mapped_column(ForeignKey("canteen.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    serving_start: Mapped[time]
    serving_end: Mapped[time]
    cutoff: Mapped[time]  # on the same day, in the community's time zone
    capacity: Mapped[int]

    canteen: Mapped[Canteen] = relationship(back_populates="services")

    __table_args__ = (db.UniqueConstraint("canteen_id", "kind"),)


class MealDay(TimestampMixin, db.Model):
    """One service on one date: its menu, whether residents can see it, and portions booked."""

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("meal_service.id"), index=True)
    # Indexed on its own: today's delivery rounds look meals up by date across canteens, where
    # the (service_id, day) constraint cannot help.
    day: Mapped[date] = mapped_column(index=True)
    published: Mapped[bool] = mapped_column(default=False)
    capacity: Mapped[int]
    booked: Mapped[int] = mapped_column(default=0)

    service: Mapped[MealService] = relationship()
    # The dishes on the menu; a withdrawn dish stays in the database for its bookings' history.
    dishes: Mapped[list["Dish"]] = relationship(
        primaryjoin="and_(MealDay.id == Dish.meal_day_id, Dish.withdrawn_at.is_(None))",
        order_by="Dish.id",
        viewonly=True,
    )

    __table_args__ = (db.UniqueConstraint("service_id", "day"),)

    @property
    def left(self) -> int:
        return max(0, self.capacity - self.booked)

    @property
    def cutoff_at(self) -> datetime:
        """The moment booking and cancelling close, as naive UTC."""
        zone = ZoneInfo(self.service.canteen.community.timezone)
        local = datetime.combine(self.day, self.service.cutoff, tzinfo=zone)
        return local.astimezone(UTC).replace(tzinfo=None)

    @property
    def past_cutoff(self) -> bool:
        return utcnow() >= self.cutoff_at


class DishCategory(StrEnum):
    """What kind of dish it is; a dish without a photo shows its category's icon."""

    SET_MEAL = "set_meal"
    RICE = "rice"
    NOODLES = "noodles"
    DUMPLINGS = "dumplings"
    SOUP = "soup"
    VEGETABLES = "vegetables"


class DishPhoto(TimestampMixin, db.Model):
    """A dish photo as the kiosk shows it: resized and re-encoded, addressed by its content."""

    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of data
    content_type: Mapped[str] = mapped_column(String(20))
    width: Mapped[int]
    height: Mapped[int]
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)  # read only when served


class Dish(TimestampMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    meal_day_id: Mapped[int] = mapped_column(ForeignKey("meal_day.id"), index=True)
    name_zh_hans: Mapped[str] = mapped_column(String(60))
    name_zh_hant: Mapped[str | None] = mapped_column(String(60))
    name_en: Mapped[str | None] = mapped_column(String(80))
    price_fen: Mapped[int]
    tags: Mapped[str] = mapped_column(String(80), default="")  # soft,low_salt,low_sugar,…
    allergens: Mapped[str | None] = mapped_column(Text)
    portions: Mapped[int | None]  # a limit of its own within the day's capacity, if any
    booked: Mapped[int] = mapped_column(default=0)
    category: Mapped[str] = mapped_column(String(20), default=DishCategory.SET_MEAL)
    photo_id: Mapped[int | None] = mapped_column(ForeignKey("dish_photo.id"), index=True)
    withdrawn_at: Mapped[datetime | None]

    meal_day: Mapped[MealDay] = relationship()
    photo: Mapped[DishPhoto | None] = relationship()

    def name(self, locale: str) -> str:
        """The dish's name in locale, falling back to Simplified Chinese."""
        return {"zh_Hant": self.name_zh_hant, "en": self.name_en}.get(locale) or self.name_zh_hans

    @property
    def tag_list(self) -> list[str]:
        return [tag for tag in self.tags.split(",") if tag]

    @property
    def left(self) -> int | None:
        """Portions of this dish still free, or None when it has no limit of its own."""
        return None if self.portions is None else max(0, self.portions - self.booked)

    @property
    def sold_out(self) -> bool:
        return self.left == 0

    @property
    def running_low(self) -> bool:
        """Few enough portions left (or none) that the menu says how many."""
        return self.left is not None and self.left <= RUNNING_LOW


# A dish with this many portions left, or fewer, shows the number.
RUNNING_LOW = 5


class BookingMode(StrEnum):
    DINE_IN = "dine_in"
    PICK_UP = "pick_up"
    DELIVERY = "delivery"


class BookingStatus(StrEnum):
    BOOKED = "booked"
    CANCELLED = "cancelled"
    SERVED = "served"
    NO_SHOW = "no_show"


class Booking(TimestampMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    meal_day_id: Mapped[int] = mapped_column(ForeignKey("meal_day.id"), index=True)
    dish_id: Mapped[int] = mapped_column(ForeignKey("dish.id"))
    resident_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    booked_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    mode: Mapped[str] = mapped_column(String(10))
    price_fen: Mapped[int]  # fixed when booked
    status: Mapped[str] = mapped_column(String(10), default=BookingStatus.BOOKED)
    # "resident:meal day" while the booking stands; unique, so one resident holds one booking per
    # meal even when two requests race. Cleared on cancelling.
    active_key: Mapped[str | None] = mapped_column(String(40), unique=True)
    cancelled_at: Mapped[datetime | None]
    # How the resident asked the staff member who booked for them (an accounts Channel), if staff did.
    channel: Mapped[str | None] = mapped_column(String(12))
    # What paid for part or all of the meal other than money, as the payer names it ("Q000012",
    # a voucher), and how much of price_fen it paid.
    paid_with: Mapped[str | None] = mapped_column(String(20))
    paid_with_fen: Mapped[int] = mapped_column(default=0)

    meal_day: Mapped[MealDay] = relationship()
    dish: Mapped[Dish] = relationship()
    resident: Mapped[Person] = relationship(foreign_keys=[resident_id])
    booked_by: Mapped[Person] = relationship(foreign_keys=[booked_by_id])

    @staticmethod
    def key_for(resident_id: int, meal_day_id: int) -> str:
        """The active_key of a standing booking by the resident for the meal."""
        return f"{resident_id}:{meal_day_id}"

    @property
    def reference(self) -> str:
        return f"B{self.id:06d}"

    @property
    def to_pay_fen(self) -> int:
        """What is left to pay in money at the counter."""
        return max(0, self.price_fen - self.paid_with_fen)
