from datetime import date, datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import ColumnElement, ForeignKey, String, and_, false, or_, true
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from portal.community.models import Building, Community, Grid, Partner, today_in
from portal.config import DEFAULT_TIMEZONE
from portal.extensions import db
from portal.model_base import TimestampMixin
from portal.web.collation import pinyin_spelling


class Role(StrEnum):
    RESIDENT = "resident"
    FAMILY = "family"
    VOLUNTEER = "volunteer"
    GRID_WORKER = "grid_worker"
    CANTEEN_STAFF = "canteen_staff"
    ORGANISER = "organiser"
    ADMIN = "admin"
    # Someone of a partner organisation (the property company, the water company), who acts on
    # the requests handed to it.
    PARTNER = "partner"


STAFF_ROLES = frozenset({Role.GRID_WORKER, Role.CANTEEN_STAFF, Role.ORGANISER, Role.ADMIN})


class Channel(StrEnum):
    """How a resident without a device asked staff to act for them: a booking, a place or a help
    request made this way records it, and the resident and family read it."""

    PHONE_CALL = "phone_call"  # on the phone
    WALK_IN = "walk_in"  # at the community office
    VISIT = "visit"  # when staff called at their home


class CareColour(StrEnum):
    RED = "red"
    YELLOW = "yellow"
    GREEN = "green"


class Leaving(StrEnum):
    """Why a resident is no longer at home: for good (moved out, deceased) or for a while."""

    MOVED_OUT = "moved_out"
    HOSPITAL = "hospital"
    DECEASED = "deceased"


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"


class Person(TimestampMixin, UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    # How the name is typed to find it ("wangfang", "wf"), kept with the name; and the list order.
    name_pinyin: Mapped[str] = mapped_column(String(240), default="", index=True)
    name_initials: Mapped[str] = mapped_column(String(80), default="")
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    resident_code: Mapped[str | None] = mapped_column(String(12), unique=True)
    pin_hash: Mapped[str | None] = mapped_column(String(255))
    community_id: Mapped[int | None] = mapped_column(ForeignKey("community.id"), index=True)
    building_id: Mapped[int | None] = mapped_column(ForeignKey("building.id"), index=True)
    unit: Mapped[str | None] = mapped_column(String(20))
    room: Mapped[str | None] = mapped_column(String(20))
    floor: Mapped[int | None]
    birth_date: Mapped[date | None]
    sex: Mapped[str | None] = mapped_column(String(10))
    # A fixed line at home, in E.164 (+861085551234); the mobile number is phone.
    landline: Mapped[str | None] = mapped_column(String(20))
    care_colour: Mapped[str | None] = mapped_column(String(10))
    care_colour_reason: Mapped[str | None] = mapped_column(String(200))
    special_support: Mapped[bool] = mapped_column(default=False)
    diet_notes: Mapped[str | None] = mapped_column(String(200))  # for the kitchen: "no pork"…
    # The language the kiosk speaks once the resident signs in: zh_Hans, zh_Hant or en.
    language: Mapped[str | None] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(default=True)
    # Why and since when a resident is not at home (a Leaving); None while they are.
    left_reason: Mapped[str | None] = mapped_column(String(12))
    left_on: Mapped[date | None]
    # When the retention period ran out and the person's details were erased.
    anonymised_at: Mapped[datetime | None]
    # Set while the password is a one-time code from the office: it works until code_expires_at,
    # and the first sign-in with it asks for a password of the person's own.
    must_set_password: Mapped[bool] = mapped_column(default=False, server_default=false())
    code_expires_at: Mapped[datetime | None]
    # A worker or volunteer on leave up to and including this day: their grid's new requests go
    # to whoever else serves it (a backup), not to them.
    away_until: Mapped[date | None]
    # When the person agreed to the privacy notice (family members, at registration), and when
    # they (or family for a resident) asked the office to delete what it holds about them.
    privacy_consent_at: Mapped[datetime | None]
    deletion_requested_at: Mapped[datetime | None]

    community: Mapped[Community | None] = relationship()
    building: Mapped[Building | None] = relationship()
    emergency_contacts: Mapped[list["EmergencyContact"]] = relationship(
        back_populates="person", cascade="all, delete-orphan", order_by="EmergencyContact.position"
    )
    # Read with the signed-in person (accounts.signed_in_person); loading them with every person
    # on a list would cost a query for nothing.
    grants: Mapped[list["RoleGrant"]] = relationship(
        back_populates="person", cascade="all, delete-orphan"
    )

    # The sign-in the person came with on this request; see get_id.
    sign_in_id = None

    @validates("name")
    def _spell(self, _key: str, name: str) -> str:
        self.name_pinyin, self.name_initials = pinyin_spelling(name)
        return name

    def name_order(self) -> tuple[str, str, int]:
        """Where the person's name sorts among others: by its pinyin, as lists ordered in SQL by
        (name_pinyin, name, id) sort them."""
        return self.name_pinyin, self.name, self.id

    def get_id(self) -> str:
        """Flask-Login's name for this person on this device: the person and their sign-in, so
        that ending the sign-in ends every cookie that names it."""
        return f"{self.id}.{self.sign_in_id}"

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(Role(grant.role) for grant in self.grants)

    def has_role(self, *roles: Role) -> bool:
        return not self.roles.isdisjoint(roles)

    @property
    def administers_every_community(self) -> bool:
        """An admin of the street office, who belongs to no community, administers them all."""
        return self.community_id is None and self.has_role(Role.ADMIN)

    def administers(self, community_id: int | None) -> bool:
        """Whether this person administers the community: an admin of a community administers
        it alone; an admin of the street office every one."""
        if self.administers_every_community:
            return True
        return self.community_id == community_id and self.has_role(Role.ADMIN)

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def grid(self) -> Grid | None:
        return self.building.grid if self.building else None

    def grants_in_force(self, now: datetime | None = None) -> list["RoleGrant"]:
        """The person's grants that hold today (a backup's only between its dates)."""
        day = self.today(now)
        return [grant for grant in self.grants if grant.in_force(day)]

    def today(self, now: datetime | None = None) -> date:
        """The date it is where the person lives (in DEFAULT_TIMEZONE for someone of no
        community) at now (naive UTC; the present by default)."""
        if self.community is not None:
            return self.community.today(now)
        return today_in(DEFAULT_TIMEZONE, now)

    def age_on(self, day: date) -> int | None:
        """Return the person's age in whole years on day, or None when the birthday is unknown."""
        if self.birth_date is None:
            return None
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    @property
    def masked_phone(self) -> str:
        """The phone number with its middle digits hidden, as shown to someone being asked to trust it."""
        return f"{self.phone[:3]}****{self.phone[-4:]}" if self.phone else ""


def administered_by(admin: Person, community_column) -> ColumnElement[bool]:
    """The condition, on the column that names a row's community, that keeps the rows of the
    communities admin administers (see Person.administers)."""
    if admin.administers_every_community:
        return true()
    if not admin.has_role(Role.ADMIN):
        return false()
    return community_column == admin.community_id


class RoleGrant(TimestampMixin, db.Model):
    """One role held by a person; grid workers and volunteers name the grid they serve, a
    partner's people the partner."""

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    role: Mapped[str] = mapped_column(String(20), index=True)
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grid.id"), index=True)
    # A partner's person names the partner they act for.
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id"), index=True)
    # A backup worker's grant holds from starts_on to ends_on (inclusive); others always.
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]

    person: Mapped[Person] = relationship(back_populates="grants")
    grid: Mapped[Grid | None] = relationship()
    partner: Mapped[Partner | None] = relationship()

    __table_args__ = (db.UniqueConstraint("person_id", "role", "grid_id"),)

    @property
    def is_backup(self) -> bool:
        return self.starts_on is not None or self.ends_on is not None

    def in_force(self, day: date) -> bool:
        return (self.starts_on is None or self.starts_on <= day) and (
            self.ends_on is None or day <= self.ends_on
        )

    @classmethod
    def in_force_on(cls, day: date) -> ColumnElement[bool]:
        """in_force(day), as a condition of a query."""
        return and_(
            or_(cls.starts_on.is_(None), cls.starts_on <= day),
            or_(cls.ends_on.is_(None), cls.ends_on >= day),
        )


class EmergencyContact(TimestampMixin, db.Model):
    """Someone to call for a resident when something happens: a neighbour, a child abroad. Not
    an account; family who sign in are linked by FamilyLink."""

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)  # the first is called first
    name: Mapped[str] = mapped_column(String(80))
    relation: Mapped[str] = mapped_column(String(40), default="")
    phone: Mapped[str] = mapped_column(String(20))  # E.164, any country

    person: Mapped[Person] = relationship(back_populates="emergency_contacts")


class LinkStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    DECLINED = "declined"
    ENDED = "ended"


class Kinship(StrEnum):
    DAUGHTER = "daughter"
    SON = "son"
    DAUGHTER_IN_LAW = "daughter_in_law"
    SON_IN_LAW = "son_in_law"
    GRANDCHILD = "grandchild"
    SPOUSE = "spouse"
    RELATIVE = "relative"


class FamilyLink(TimestampMixin, db.Model):
    """A family member's standing to act for a resident, active once the resident or staff agree."""

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    kinship: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10), default=LinkStatus.PENDING)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    decided_at: Mapped[datetime | None]

    family: Mapped[Person] = relationship(foreign_keys=[family_id])
    resident: Mapped[Person] = relationship(foreign_keys=[resident_id])
    decided_by: Mapped[Person | None] = relationship(foreign_keys=[decided_by_id])

    __table_args__ = (db.UniqueConstraint("family_id", "resident_id"),)

    @property
    def is_open(self) -> bool:
        return self.status in (LinkStatus.PENDING, LinkStatus.ACTIVE)


class Kiosk(TimestampMixin, db.Model):
    """A shared tablet enrolled by an admin; it proves itself with a device cookie."""

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    location: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    enrolled_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))

    community: Mapped[Community] = relationship()
    enrolled_by: Mapped[Person | None] = relationship(foreign_keys=[enrolled_by_id])

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class SignIn(TimestampMixin, db.Model):
    """One device's sign-in. The session and remember cookies name it; ending it signs that
    device out, whatever copies of its cookies exist."""

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    # Kept signed in across browser restarts: a resident's home tablet.
    remembered: Mapped[bool] = mapped_column(default=False)
    kiosk_id: Mapped[int | None] = mapped_column(ForeignKey("kiosk.id"))
    device: Mapped[str] = mapped_column(String(120), default="")
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))

    kiosk: Mapped[Kiosk | None] = relationship()

    @property
    def open(self) -> bool:
        return self.ended_at is None


class SignInThrottle(db.Model):
    """Failed sign-ins counted under one key: an account from one device, one device across
    accounts, or one account from everywhere; whether or not such an account exists."""

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime | None]
    # Tries under this key are refused unchecked until then.
    wait_until: Mapped[datetime | None]
    # When staff were told of this account's failures; they are told once per run of them.
    alerted_at: Mapped[datetime | None]
