from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import Person
from portal.extensions import db
from portal.help.models import HelpRequest
from portal.model_base import TimestampMixin


class PaperworkKind(TimestampMixin, db.Model):
    """One kind of paperwork a community's grid workers do for residents (代办): its name, the
    documents to have ready for the visit, and how often it falls due (every_months: 12 for the
    yearly pension authentication; None for paperwork done once)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    code: Mapped[str] = mapped_column(String(20))
    names: Mapped[dict] = mapped_column(JSON)  # {language: words}
    documents: Mapped[list] = mapped_column(JSON, default=list)  # [{language: words}, …]
    every_months: Mapped[int | None]
    position: Mapped[int] = mapped_column(default=0)
    withdrawn_at: Mapped[datetime | None]

    __table_args__ = (UniqueConstraint("community_id", "code"),)

    def name(self, language: str) -> str:
        return self.names.get(language) or next(iter(self.names.values()), self.code)

    def document_names(self, language: str) -> list[str]:
        return [words.get(language) or next(iter(words.values()), "") for words in self.documents]


class Outcome(StrEnum):
    DONE = "done"
    SUBMITTED = "submitted"  # handed to the office; its answer is due on result_due_on
    NOT_DONE = "not_done"  # could not be done, with the reason


class PaperworkCase(db.Model):
    """The paperwork a help request is for: its kind, the documents the grid worker took and gave
    back, and how it went."""

    request_id: Mapped[int] = mapped_column(ForeignKey("help_request.id"), primary_key=True)
    kind_id: Mapped[int] = mapped_column(ForeignKey("paperwork_kind.id"), index=True)
    outcome: Mapped[str | None] = mapped_column(String(20))
    outcome_note: Mapped[str | None] = mapped_column(String(300))
    result_due_on: Mapped[date | None]
    done_on: Mapped[date | None]
    outcome_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    outcome_at: Mapped[datetime | None]

    request: Mapped[HelpRequest] = relationship()
    kind: Mapped[PaperworkKind] = relationship()
    outcome_by: Mapped[Person | None] = relationship()
    documents: Mapped[list["CaseDocument"]] = relationship(
        back_populates="case", order_by="CaseDocument.position", cascade="all, delete-orphan"
    )


class CaseDocument(db.Model):
    """A document of the resident's in the grid worker's hands: ticked by the worker when taken
    and when given back, and each time confirmed by the resident or their family."""

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("paperwork_case.request_id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    names: Mapped[dict] = mapped_column(JSON)  # {language: words}
    received_at: Mapped[datetime | None]
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    received_confirmed_at: Mapped[datetime | None]
    received_confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    returned_at: Mapped[datetime | None]
    returned_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    return_confirmed_at: Mapped[datetime | None]
    return_confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))

    case: Mapped[PaperworkCase] = relationship(back_populates="documents")
    received_by: Mapped[Person | None] = relationship(foreign_keys=[received_by_id])
    received_confirmed_by: Mapped[Person | None] = relationship(
        foreign_keys=[received_confirmed_by_id]
    )
    returned_by: Mapped[Person | None] = relationship(foreign_keys=[returned_by_id])
    return_confirmed_by: Mapped[Person | None] = relationship(foreign_keys=[return_confirmed_by_id])

    def name(self, language: str) -> str:
        return self.names.get(language) or next(iter(self.names.values()), "")

    @property
    def held(self) -> bool:
        """With the grid worker: taken and not given back yet."""
        return self.received_at is not None and self.returned_at is None


class PaperworkDue(TimestampMixin, db.Model):
    """When a resident's recurring paperwork (a kind done every so many months) is next due, and
    which reminders were sent for that date: a month ahead and a week ahead, once each."""

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    kind_id: Mapped[int] = mapped_column(ForeignKey("paperwork_kind.id"))
    due_on: Mapped[date] = mapped_column(index=True)
    last_done_on: Mapped[date | None]
    month_reminder_for: Mapped[date | None]  # the due_on the month-ahead reminder was sent for
    week_reminder_for: Mapped[date | None]
    by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))

    resident: Mapped[Person] = relationship(foreign_keys=[resident_id])
    kind: Mapped[PaperworkKind] = relationship()

    __table_args__ = (UniqueConstraint("resident_id", "kind_id"),)
