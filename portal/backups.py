"""Backing up and restoring a SQLite database with SQLite's online backup API, which copies a
consistent database even while the portal writes to it. PostgreSQL is backed up with pg_dump."""

import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupError(Exception):
    """The backup or restore cannot be made; the message says why."""


def sqlite_path(database_uri: str) -> Path:
    """The file of a SQLite database URI; BackupError for any other database."""
    url = make_url(database_uri)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise BackupError(
            f"{url.get_backend_name()} is not a SQLite file: back it up with pg_dump (README)."
        )
    return Path(url.database)


def _copy(source: Path, destination: Path) -> int:
    """Copy the database in source over the one in destination; return the pages copied."""
    pages = 0

    def count(_status, _remaining, total):
        nonlocal pages
        pages = total

    reader = sqlite3.connect(source)
    writer = sqlite3.connect(destination)
    try:
        reader.backup(writer, pages=1024, progress=count)
    finally:
        writer.close()
        reader.close()
    return pages


def backup(database_uri: str, destination: Path) -> int:
    """Copy the portal's SQLite database to destination, a new file; return the pages copied."""
    source = sqlite_path(database_uri)
    if not source.exists():
        raise BackupError(f"There is no database at {source}.")
    if destination.exists():
        raise BackupError(f"{destination} already exists; choose a new file name.")
    return _copy(source, destination)


def restore(database_uri: str, source: Path) -> int:
    """Replace the portal's SQLite database with the backup in source; return the pages copied.
    Stop the web workers and jobs first: they would go on with the database they had open."""
    target = sqlite_path(database_uri)
    if not source.exists():
        raise BackupError(f"There is no backup at {source}.")
    try:
        with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as check:
            check.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{source} is not a backup of the portal: {error}.") from None
    return _copy(source, target)
