"""Jobs that may start on several hosts at once do their work once.

A job that finishes in one transaction takes hold_until_commit(name) first: a copy that starts
meanwhile waits, then finds the work done. A job that commits as it goes runs inside
run_alone(name): a copy that finds it running does nothing. Both rest on one row per job, so
they work the same on SQLite and PostgreSQL, on one host or many.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from uuid import uuid4

from sqlalchemy import String, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.model_base import utcnow


class JobLock(db.Model):
    """A job's row: locked for a transaction by hold_until_commit, leased by run_alone."""

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    held_at: Mapped[datetime | None]
    holder: Mapped[str | None] = mapped_column(String(32))
    held_until: Mapped[datetime | None]


class AlreadyRunning(Exception):
    def __init__(self, name: str, until: datetime | None) -> None:
        super().__init__(name)
        self.name = name
        self.until = until


def _insert(name: str, **values):
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(JobLock).values(name=name, **values)


def hold_until_commit(name: str) -> None:
    """Take job name's lock for the rest of the session's transaction. Call it before the job
    reads anything: a copy holding it makes this wait (PostgreSQL locks the row; SQLite lets one
    writer at a time), and once it has, the job reads what that copy committed."""
    now = utcnow()
    db.session.execute(
        _insert(name, held_at=now).on_conflict_do_update(
            index_elements=[JobLock.name], set_={"held_at": now}
        )
    )


@contextmanager
def run_alone(name: str, lease: timedelta, now: datetime | None = None) -> Iterator[None]:
    """Run the block only if no copy of job name is running; raise AlreadyRunning otherwise.
    The lease is how long a copy that died is taken to be running: make it longer than the
    job ever takes. Commits when taking and when giving back the lease."""
    now = now or utcnow()
    holder = uuid4().hex
    db.session.execute(_insert(name).on_conflict_do_nothing())
    taken = db.session.execute(
        update(JobLock)
        .where(
            JobLock.name == name,
            or_(JobLock.held_until.is_(None), JobLock.held_until <= now),
        )
        .values(holder=holder, held_at=now, held_until=now + lease)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    if not taken:
        raise AlreadyRunning(name, db.session.get(JobLock, name).held_until)
    try:
        yield
    finally:
        db.session.rollback()
        db.session.execute(
            update(JobLock)
            .where(JobLock.name == name, JobLock.holder == holder)
            .values(holder=None, held_until=None)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
