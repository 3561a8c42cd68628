"""Server-Timing: how long a request took and how many SQL statements it sent.

Off by default; `SERVER_TIMING = True` (env `LINLI_SERVER_TIMING=1`) adds the header, which a
browser's developer tools show and the benchmark in bench/ reads. The count is kept per request in
`g`, so it is right with any number of threads or workers.
"""

import time

from flask import Flask, g, has_app_context
from sqlalchemy import event
from sqlalchemy.engine import Engine


def _count_statement(*_args) -> None:
    if has_app_context() and "sql_started" in g:
        g.sql_count += 1


def _note_cursor_start(*_args) -> None:
    if has_app_context() and "sql_started" in g:
        g.sql_cursor_started = time.perf_counter()


def _note_cursor_end(*_args) -> None:
    if has_app_context() and "sql_cursor_started" in g:
        g.sql_seconds += time.perf_counter() - g.pop("sql_cursor_started")


def _start_counting() -> None:
    g.sql_started = time.perf_counter()
    g.sql_count = 0
    g.sql_seconds = 0.0


def _listen() -> None:
    if not event.contains(Engine, "before_cursor_execute", _count_statement):
        event.listen(Engine, "before_cursor_execute", _count_statement)
        event.listen(Engine, "before_cursor_execute", _note_cursor_start)
        event.listen(Engine, "after_cursor_execute", _note_cursor_end)


def init_app(app: Flask) -> None:
    if not app.config.get("SERVER_TIMING"):
        return
    _listen()
    app.before_request(_start_counting)

    @app.after_request
    def add_server_timing(response):
        if "sql_started" in g:
            total = (time.perf_counter() - g.sql_started) * 1000
            response.headers["Server-Timing"] = (
                f'db;dur={g.sql_seconds * 1000:.2f};desc="{g.sql_count} queries", '
                f"app;dur={total:.2f}"
            )
        return response
