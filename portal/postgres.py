"""PostgreSQL as a web server's database: one round trip for each statement a page reads with.

A connection to the server is in autocommit: a statement that only reads is sent alone, with no
BEGIN before it and no ROLLBACK when the connection goes back to the pool. Under READ COMMITTED,
PostgreSQL's default, a transaction would give those reads nothing, since each statement sees
what was committed when it starts. The first statement that writes or locks (an INSERT, an
UPDATE, a DELETE, a SELECT … FOR UPDATE, anything else that is not a plain SELECT) begins a
transaction first, so what a request or a job writes is still committed or rolled back together
by the session's commit() or rollback(). A connection asked for in autocommit by its user
(`execution_options(isolation_level="AUTOCOMMIT")`, as VACUUM needs) sends every statement alone.

A connection that has been idle for a while may have been dropped (a restart, a failover), so it
is tested before it is used again; one in steady use is not, as that would cost every request a
round trip.
"""

import time

from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from psycopg.pq import TransactionStatus
from sqlalchemy import event, exc
from sqlalchemy.sql import CompoundSelect, Select

# A connection idle for longer than this is pinged before its next use.
IDLE_BEFORE_PING = 1.0


def engine_options() -> dict:
    """A server that does not answer is given up on after a few seconds, so the person waiting
    is told it is down."""
    return {"isolation_level": "AUTOCOMMIT", "connect_args": {"connect_timeout": 5}}


def _only_reads(context) -> bool:
    compiled = getattr(context, "compiled", None)
    statement = getattr(compiled, "statement", None)
    if not isinstance(statement, Select | CompoundSelect):
        return False
    return getattr(statement, "_for_update_arg", None) is None


def _begin_before_writing(conn, cursor, _statement, _parameters, context, _executemany) -> None:
    dbapi_connection = conn.connection.dbapi_connection
    if not dbapi_connection.autocommit or _only_reads(context):
        return
    if conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
        return
    if dbapi_connection.info.transaction_status == TransactionStatus.IDLE:
        cursor.execute("BEGIN")


def _note_checkin(_dbapi_connection, record) -> None:
    if record is not None:
        record.info["idle_since"] = time.monotonic()


def _ping_if_idle(engine):
    def ping(dbapi_connection, record, _proxy) -> None:
        idle_since = record.info.pop("idle_since", None)
        if idle_since is None or time.monotonic() - idle_since < IDLE_BEFORE_PING:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise exc.DisconnectionError("the database server dropped this connection") from error

    return ping


def init_app(app: Flask, db: SQLAlchemy) -> None:
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "postgresql" or event.contains(
        engine, "before_cursor_execute", _begin_before_writing
    ):
        return
    event.listen(engine, "before_cursor_execute", _begin_before_writing)
    event.listen(engine, "checkin", _note_checkin)
    event.listen(engine, "checkout", _ping_if_idle(engine))
