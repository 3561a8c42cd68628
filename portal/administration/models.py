from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import Person
from portal.community.models import Community
from portal.extensions import db
from portal.model_base import TimestampMixin


class ImportStatus:
    CHECKING = "checking"  # read, its columns chosen and its rows shown; nothing imported yet
    IMPORTED = "imported"


class ResidentImport(TimestampMixin, db.Model):
    """A spreadsheet of residents an admin uploaded, kept from upload to import so that every
    step (choosing its columns, the preview, the import, the slips) reads the same rows."""

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    filename: Mapped[str] = mapped_column(String(200))
    header: Mapped[list] = mapped_column(JSON)  # the column names, as the file has them
    rows: Mapped[list] = mapped_column(JSON)  # [[line number, [cell, …]], …], header left out
    columns: Mapped[dict] = mapped_column(JSON, default=dict)  # {field: column index}
    status: Mapped[str] = mapped_column(String(10), default=ImportStatus.CHECKING)
    imported_at: Mapped[datetime | None]
    counts: Mapped[dict] = mapped_column(JSON, default=dict)  # {"added": 3, "changed": 1, …}
    added_ids: Mapped[list] = mapped_column(JSON, default=list)  # residents it enrolled

    community: Mapped[Community] = relationship()
    uploaded_by: Mapped[Person] = relationship()


class ImportColumns(TimestampMixin, db.Model):
    """The columns a community's spreadsheets were last imported with, {field: column name},
    offered again for its next file."""

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), unique=True)
    columns: Mapped[dict] = mapped_column(JSON, default=dict)
