from datetime import datetime, time, timedelta
from enum import IntEnum, StrEnum

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import Person
from portal.community.models import Grid, Partner
from portal.extensions import db
from portal.model_base import TimestampMixin


class Category(StrEnum):
    REPAIR = "repair"
    ERRAND = "errand"
    PAPERWORK = "paperwork"
    UNWELL = "unwell"
    COMPANY = "company"
    OTHER = "other"
    WELFARE_CHECK = "welfare_check"  # raised by the portal itself, e.g. a delivery nobody answered


URGENT_CATEGORIES = frozenset({Category.UNWELL, Category.WELFARE_CHECK})
VOLUNTEER_CATEGORIES = frozenset({Category.ERRAND, Category.COMPANY})
RESIDENT_CATEGORIES = (
    Category.REPAIR,
    Category.ERRAND,
    Category.PAPERWORK,
    Category.UNWELL,
    Category.COMPANY,
    Category.OTHER,
)


class Source(StrEnum):
    """Where a request came from."""

    TAP = "tap"  # the resident, or family for them, asked in the portal
    DELIVERY = "delivery"  # a meal delivery round found nobody at the door
    CARE_VISIT = "care_visit"  # a care visit found a red resident not at home
    CHECK_IN = "check_in"  # a resident who checks in every day did not
    # Staff raised it for a resident without a device, who asked them:
    PHONE_CALL = "phone_call"  # on the phone
    WALK_IN = "walk_in"  # at the community office
    VISIT = "visit"  # when staff called at their home
    APP = "app"  # a partner's application, through the open API, for the resident or family


STAFF_CHANNELS = (Source.PHONE_CALL, Source.WALK_IN, Source.VISIT)


class Status(StrEnum):
    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"


OPEN_STATUSES = (Status.NEW, Status.ACKNOWLEDGED, Status.IN_PROGRESS)


class Level(IntEnum):
    """Small things stay in the grid, big things go to the community, hard things to the street."""

    GRID = 0
    COMMUNITY = 1
    STREET = 2


class Feedback(StrEnum):
    FIXED = "fixed"
    NOT_FIXED = "not_fixed"
    NO_ANSWER = "no_answer"  # closed by itself after the resident did not confirm


class HelpRequest(TimestampMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    category: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(20), default=Source.TAP, server_default=Source.TAP)
    urgent: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(20), default=Status.NEW)
    level: Mapped[int] = mapped_column(default=Level.GRID)
    grid_id: Mapped[int] = mapped_column(ForeignKey("grid.id"))
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    holder_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id"))
    note: Mapped[str | None] = mapped_column(Text)
    # Set while a double tap should find this request instead of making another; unique, so two
    # taps racing each other cannot both insert.
    dedupe_key: Mapped[str | None] = mapped_column(String(40), unique=True)
    acknowledged_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    feedback: Mapped[str | None] = mapped_column(String(20))
    reopened: Mapped[int] = mapped_column(default=0)
    # The partner's part: when it was handed to partner_id, and when that partner accepted it. A
    # partner that declines or does not accept in time gives it back: returned_at warns the holder
    # until it is handed to a partner again.
    handed_at: Mapped[datetime | None]
    accepted_at: Mapped[datetime | None]
    returned_at: Mapped[datetime | None]
    # The service of the community's catalogue the resident chose, and their answers to its
    # questions as they read them: [{"question": {language: words}, "answer": {language: words}}].
    service_id: Mapped[int | None] = mapped_column(ForeignKey("help_service.id"))
    answers: Mapped[list | None] = mapped_column(JSON)
    # The application that sent it through the open API, which alone may read it there.
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_key.id"), index=True)

    resident: Mapped[Person] = relationship(foreign_keys=[resident_id])
    raised_by: Mapped[Person | None] = relationship(foreign_keys=[raised_by_id])
    holder: Mapped[Person | None] = relationship(foreign_keys=[holder_id])
    partner: Mapped[Partner | None] = relationship()
    service: Mapped["HelpService | None"] = relationship()
    grid: Mapped[Grid] = relationship()
    events: Mapped[list["HelpEvent"]] = relationship(
        back_populates="request", order_by="HelpEvent.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        Index("ix_help_request_grid_status", "grid_id", "status"),
        Index("ix_help_request_community_level", "community_id", "level"),
        Index("ix_help_request_status_created", "status", "created_at"),
        Index("ix_help_request_resident_created", "resident_id", "created_at"),
        Index("ix_help_request_partner_status", "partner_id", "status"),
    )

    @staticmethod
    def key_for(resident_id: int, category: str) -> str:
        """The dedupe_key of the resident's request of category while a double tap should find it."""
        return f"{resident_id}:{category}"

    @property
    def reference(self) -> str:
        return self.reference_of(self.id)

    @staticmethod
    def reference_of(request_id: int) -> str:
        """The reference people quote for the request with this id."""
        return f"H{request_id:06d}"

    def waited(self, now: datetime) -> timedelta:
        """How long it waited for someone to take it: until now while nobody has."""
        return (self.acknowledged_at or now) - self.created_at

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def escalated(self) -> bool:
        return self.level > Level.GRID

    @property
    def awaiting_partner(self) -> bool:
        """Handed to a partner that has not accepted it yet."""
        return self.partner_id is not None and self.accepted_at is None and self.is_open


class HelpEvent(db.Model):
    """One thing that happened to a request: who did what, when, and whether the resident sees it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("help_request.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str | None] = mapped_column(Text)
    visible: Mapped[bool] = mapped_column(default=False)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id"))
    at: Mapped[datetime]

    request: Mapped[HelpRequest] = relationship(back_populates="events")
    actor: Mapped[Person | None] = relationship()
    partner: Mapped[Partner | None] = relationship()


class HelpSettings(db.Model):
    """A community's choices about its requests: how long a partner has to accept a request
    handed to it before it goes back to the grid worker with a warning."""

    DEFAULT_MINUTES = 120
    DEFAULT_MINUTES_URGENT = 15

    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), primary_key=True)
    partner_accept_minutes: Mapped[int] = mapped_column(default=DEFAULT_MINUTES)
    partner_accept_minutes_urgent: Mapped[int] = mapped_column(default=DEFAULT_MINUTES_URGENT)


class Handler(StrEnum):
    """Who a service's requests go to first. The grid worker owns every request; errands and
    company also reach the grid's volunteers."""

    GRID = "grid"
    PARTNER = "partner"


class Charge(StrEnum):
    FREE = "free"
    SUBSIDISED = "subsidised"  # the resident pays price_fen, the rest is paid for them
    PAID = "paid"  # the resident pays price_fen
    QUOTE = "quote"  # priced on the visit


LANGUAGES = ("zh_Hans", "zh_Hant", "en")


class HelpService(TimestampMixin, db.Model):
    """One service of a community's catalogue: a button residents tap, the kind of request it
    files (category), who gets it first, what it costs and when it is open. Its code names it in
    addresses and the open API; the six categories are the catalogue until admins change it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    code: Mapped[str] = mapped_column(String(40))
    category: Mapped[str] = mapped_column(String(20))
    names: Mapped[dict] = mapped_column(JSON)  # {language: words}
    hints: Mapped[dict] = mapped_column(JSON, default=dict)
    handler: Mapped[str] = mapped_column(String(20), default=Handler.GRID)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id"))
    charge: Mapped[str] = mapped_column(String(20), default=Charge.FREE)
    price_fen: Mapped[int | None]
    # Open on these ISO weekdays ("12345" is Monday to Friday) from opens to closes; always when
    # opens is None.
    open_days: Mapped[str] = mapped_column(String(7), default="1234567")
    opens: Mapped[time | None]
    closes: Mapped[time | None]
    position: Mapped[int] = mapped_column(default=0)
    on_kiosk: Mapped[bool] = mapped_column(default=True)
    withdrawn_at: Mapped[datetime | None]

    partner: Mapped[Partner | None] = relationship()
    questions: Mapped[list["ServiceQuestion"]] = relationship(
        back_populates="service", order_by="ServiceQuestion.position", cascade="all, delete-orphan"
    )

    __table_args__ = (UniqueConstraint("community_id", "code"),)

    def name(self, language: str) -> str:
        return self.names.get(language) or next(iter(self.names.values()), self.code)

    def hint(self, language: str) -> str | None:
        return (self.hints or {}).get(language) or None


class ServiceQuestion(db.Model):
    """A question a service asks before the request is sent, one per page: a choice among a few
    answers, yes or no, or words."""

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("help_service.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    texts: Mapped[dict] = mapped_column(JSON)  # {language: words}
    kind: Mapped[str] = mapped_column(String(10))  # "choice", "yes_no" or "text"
    choices: Mapped[list] = mapped_column(JSON, default=list)  # [{language: words}, …]
    required: Mapped[bool] = mapped_column(default=True)

    service: Mapped[HelpService] = relationship(back_populates="questions")

    def text(self, language: str) -> str:
        return self.texts.get(language) or next(iter(self.texts.values()), "")


class ApiKey(TimestampMixin, db.Model):
    """A key a partner's application (a WeChat mini-program, a property company's system) sends
    to the open API: it reads its community's catalogue, sends requests for residents, and reads
    those it sent. Only its SHA-256 is kept; the key is shown once, when it is made."""

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    created_by: Mapped[Person] = relationship()
