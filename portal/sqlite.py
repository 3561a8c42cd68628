"""SQLite as a web server's database: readers never wait for a writer, writers wait their turn."""

from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import event


def _pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # Write-ahead logging lets every worker read while one writes; each commit is still synced.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def init_app(app: Flask, db: SQLAlchemy) -> None:
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite" and not event.contains(engine, "connect", _pragmas):
        event.listen(engine, "connect", _pragmas)
