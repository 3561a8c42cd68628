"""EXPLAIN the SQL of the portal's main pages on the PostgreSQL database in DATABASE_URL:

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/linli_street .venv/bin/python -m bench.explain

It signs in as each main role and reads their pages through the portal's test client, as
tests/postgres/test_query_plans.py does on the demo data (so the pages write what reading them
writes: sign-in records, escalations that are due). Then it makes the same check: with the planner
allowed nothing but indexes, no statement may read a table whole outside the small configuration
tables. Last it prints each statement's real plan, the planner's own choice on the real data, from
EXPLAIN (ANALYZE, BUFFERS) in a transaction that is rolled back, slowest first. Exits with 1 when
the check fails.
"""

import argparse
import secrets
import sys

from sqlalchemy import Engine

from bench.query_plans import (
    Query,
    explain,
    full_scans,
    index_columns,
    indexes,
    readers,
    record,
    relations,
    shorten,
    unindexed,
)
from portal import create_app
from portal.extensions import db
from portal.site.demo import DEMO_PASSWORD, DEMO_PIN

SETTINGS = {
    "SECRET_KEY": secrets.token_hex(32),
    "WTF_CSRF_ENABLED": False,
    "RATELIMIT_ENABLED": False,
    "SESSION_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_SECURE": False,
}


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--password", default=DEMO_PASSWORD, help="everyone's but residents'")
    parser.add_argument("--pin", default=DEMO_PIN, help="the residents' PIN")
    parser.add_argument(
        "--analyze", action="store_true", help="ANALYZE first, e.g. right after a bulk load"
    )
    parser.add_argument("--width", type=int, default=80, help="characters of each statement")
    return parser.parse_args()


def _check(engine: Engine, queries: list[Query]) -> bool:
    """Print the tables some statement can only read whole; True when there are none."""
    with engine.connect() as connection, connection.begin() as transaction:
        missing = unindexed(connection, queries)
        transaction.rollback()
    for table, found in sorted(missing.items()):
        for query in found:
            print(f"NO INDEX  {table}: {shorten(query.sql, 120)}  ({query.pages[0]})")
    print(
        f"{len(missing)} tables read whole by some statement.\n"
        if missing
        else "Every statement reads through an index.\n"
    )
    return not missing


def _real_plans(engine: Engine, queries: list[Query]) -> list[dict]:
    rows = []
    with engine.connect() as connection:
        columns = index_columns(connection)
        connection.rollback()
        for query in queries:
            with connection.begin() as transaction:
                plan = explain(connection, query, "ANALYZE, BUFFERS, FORMAT JSON")
                transaction.rollback()
            top = plan["Plan"]
            rows.append(
                {
                    "ms": plan["Execution Time"],
                    "cost": top["Total Cost"],
                    "buffers": top.get("Shared Hit Blocks", 0) + top.get("Shared Read Blocks", 0),
                    "whole": " ".join(sorted(full_scans(plan, columns))) or "-",
                    "indexes": " ".join(sorted(indexes(plan))) or "-",
                    "tables": " ".join(sorted(relations(plan))),
                    "query": query,
                }
            )
    return sorted(rows, key=lambda row: -row["ms"])


COLUMNS = ("ms", "cost", "buffers", "query", "read whole", "indexes", "tables", "first page")


def _print(rows: list[dict], width: int) -> None:
    """One line per statement, slowest first, in aligned columns."""
    cells = [
        (
            f"{row['ms']:.3f}",
            f"{row['cost']:.1f}",
            str(row["buffers"]),
            shorten(row["query"].sql, width),
            row["whole"],
            row["indexes"],
            row["tables"],
            row["query"].pages[0],
        )
        for row in rows
    ]
    lines = [COLUMNS, *cells]
    widths = [max(len(line[i]) for line in lines) for i in range(len(COLUMNS))]
    for line in lines:
        numbers = [line[i].rjust(widths[i]) for i in range(3)]
        words = [line[i].ljust(widths[i]) for i in range(3, len(COLUMNS))]
        print("  ".join([*numbers, *words]).rstrip())


def main() -> int:
    arguments = _arguments()
    app = create_app(SETTINGS)
    with app.test_request_context():
        if db.engine.dialect.name != "postgresql":
            sys.exit("DATABASE_URL must name a PostgreSQL database.")
        engine = db.engine
        if arguments.analyze:
            with engine.begin() as connection:
                connection.exec_driver_sql("ANALYZE")
        everyone = readers(arguments.password, arguments.pin)
        db.session.remove()
    queries = record(app, engine, everyone)
    print(f"{len(queries)} distinct SELECT statements from {len(everyone)} people's pages.\n")
    ok = _check(engine, queries)
    _print(_real_plans(engine, queries), arguments.width)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
