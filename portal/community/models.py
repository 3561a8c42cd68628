from datetime import UTC, date, datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.config import DEFAULT_TIMEZONE
from portal.extensions import db
from portal.model_base import TimestampMixin, utcnow


def today_in(zone: str, now: datetime | None = None) -> date:
    """The date it is at now (naive UTC; the present by default) in the time zone named zone."""
    return (now or utcnow()).replace(tzinfo=UTC).astimezone(ZoneInfo(zone)).date()


def instant_in(zone: str, day: date, at: time) -> datetime:
    """The instant (naive UTC) that the clocks of the time zone named zone show day at at."""
    return datetime.combine(day, at, tzinfo=ZoneInfo(zone)).astimezone(UTC).replace(tzinfo=None)


def month_bounds(zone: str, month: date) -> tuple[datetime, datetime]:
    """The instants (naive UTC) the month that month falls in starts and ends in the time zone."""
    first = month.replace(day=1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return instant_in(zone, first, time(0)), instant_in(zone, following, time(0))


DEFAULT_RETENTION_MONTHS = 36


class StreetOffice(TimestampMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    hotline: Mapped[str] = mapped_column(String(20))
    # How long a resident who moved out or died is kept on record before their personal details
    # are erased (`portal retention`).
    retention_months: Mapped[int] = mapped_column(default=DEFAULT_RETENTION_MONTHS)

    communities: Mapped[list["Community"]] = relationship(back_populates="street_office")


class Community(TimestampMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    street_office_id: Mapped[int] = mapped_column(ForeignKey("street_office.id"), index=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    hotline: Mapped[str] = mapped_column(String(20))
    timezone: Mapped[str] = mapped_column(String(40), default=DEFAULT_TIMEZONE)

    street_office: Mapped[StreetOffice] = relationship(back_populates="communities")
    grids: Mapped[list["Grid"]] = relationship(back_populates="community", order_by="Grid.name")

    def today(self, now: datetime | None = None) -> date:
        """The date it is in this community at now (naive UTC; the present by default)."""
        return today_in(self.timezone, now)

    def local_time(self, now: datetime | None = None) -> datetime:
        """The community's clocks at now (naive UTC; the present by default), with its zone."""
        return (now or utcnow()).replace(tzinfo=UTC).astimezone(ZoneInfo(self.timezone))


class Grid(TimestampMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))

    community: Mapped[Community] = relationship(back_populates="grids")
    buildings: Mapped[list["Building"]] = relationship(
        back_populates="grid", order_by="Building.name"
    )

    __table_args__ = (db.UniqueConstraint("community_id", "name"),)


class Building(TimestampMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("grid.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    has_lift: Mapped[bool] = mapped_column(default=False)
    units: Mapped[int | None]
    floors: Mapped[int | None]
    # The postal address as each language writes it; a language without one shows the first given.
    address_zh_hans: Mapped[str | None] = mapped_column(String(200))
    address_zh_hant: Mapped[str | None] = mapped_column(String(200))
    address_en: Mapped[str | None] = mapped_column(String(200))

    grid: Mapped[Grid] = relationship(back_populates="buildings")

    def address(self, language: str) -> str | None:
        """The address in language (a locale such as "zh_Hant"), or the first one given."""
        addresses = {
            "zh_Hans": self.address_zh_hans,
            "zh_Hant": self.address_zh_hant,
            "en": self.address_en,
        }
        return addresses.get(language) or next((a for a in addresses.values() if a), None)

    __table_args__ = (db.UniqueConstraint("grid_id", "name"),)


class PartnerKind(StrEnum):
    """What sort of organisation a partner is: the resident reads it ("the water company is on its
    way"), and the grid worker chooses by it."""

    PROPERTY = "property"  # 物业
    WATER = "water"
    POWER = "power"
    GAS = "gas"
    CLINIC = "clinic"
    MERCHANT = "merchant"
    SOCIAL_WORK = "social_work"
    OTHER = "other"


# The communities a partner serves besides its own (the water company serves the whole street).
partner_community = db.Table(
    "partner_community",
    db.Column("partner_id", ForeignKey("partner.id"), primary_key=True),
    db.Column("community_id", ForeignKey("community.id"), primary_key=True),
)


class Partner(TimestampMixin, db.Model):
    """An organisation a request can be handed to: the property company, the water company, a clinic.
    It belongs to the community whose admins added it, and may serve others of the street too."""

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    phone: Mapped[str | None] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(
        String(20), default=PartnerKind.OTHER, server_default=PartnerKind.OTHER
    )

    community: Mapped[Community] = relationship()
    also_serves: Mapped[list[Community]] = relationship(
        secondary=partner_community, order_by="Community.id"
    )

    def serves(self, community_id: int) -> bool:
        """Whether requests of the community may be handed to this partner."""
        return community_id == self.community_id or any(
            community.id == community_id for community in self.also_serves
        )
