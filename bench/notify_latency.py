"""How long an urgent tap takes to reach the grid workers' channels: from the commit of a
"feeling unwell" request to each worker's message handed to a channel adapter, with one
`portal notify --loop` worker running, over the street dataset.

    .venv/bin/python -m bench.notify_latency                        # SQLite, 60 taps
    .venv/bin/python -m bench.notify_latency --database postgresql --taps 100

Builds the street dataset first when the database has none. The outbox the dataset's history
left is marked sent first, so the worker starts as a deployment's does: keeping up. Taps come
0.5–1.5 s apart from residents chosen at random; the worker looks at an empty outbox every
second (its default). Results are printed and written under "Notification latency" in
bench/RESULTS.md. Stops by itself.
"""

import argparse
import random
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.run import BENCH, DATABASES, PORTAL, _environment, _sqlalchemy_url, ensure_dataset

BUDGET_P95_S = 5.0
SECTION = "## Notification latency"


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(database_url: str, taps: int, seed: int) -> dict:
    from sqlalchemy import select, update

    from portal import create_app
    from portal.accounts.models import Person, Role, RoleGrant
    from portal.extensions import db
    from portal.help import services as help
    from portal.help.models import Category, HelpRequest
    from portal.model_base import utcnow
    from portal.notifications.models import Dispatch, Notification

    # A dataset built by an older portal gets the migrations since.
    subprocess.run(
        [PORTAL, "setup"], env=_environment(database_url), check=True, stdout=subprocess.DEVNULL
    )
    app = create_app({"SQLALCHEMY_DATABASE_URI": _sqlalchemy_url(database_url)})
    rng = random.Random(seed)
    with app.app_context():
        db.session.execute(
            update(Notification).where(Notification.sent_at.is_(None)).values(sent_at=utcnow())
        )
        db.session.commit()
        residents = db.session.scalars(
            select(Person.id)
            .join(RoleGrant, RoleGrant.person_id == Person.id)
            .where(RoleGrant.role == Role.RESIDENT, Person.active.is_(True))
            .where(Person.building_id.is_not(None))
        ).all()
        worker = subprocess.Popen(
            [PORTAL, "notify", "--loop", "--stop-after", str(taps * 2 + 120)],
            env=_environment(database_url, LINLI_LOG_LEVEL="WARNING"),
            stdout=subprocess.DEVNULL,
        )
        try:
            time.sleep(2)  # the worker's start-up is not part of any tap
            raised = []
            for resident_id in rng.sample(residents, taps):
                resident = db.session.get(Person, resident_id)
                # The tap's own transaction; a resident with an open request gets it back.
                request, created = help.raise_request(resident, Category.UNWELL, resident)
                if created:
                    raised.append((request.id, request.created_at))
                db.session.remove()
                time.sleep(rng.uniform(0.5, 1.5))
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                waiting = db.session.scalar(
                    select(Notification.id)
                    .where(Notification.kind == "help.urgent", Notification.sent_at.is_(None))
                    .limit(1)
                )
                db.session.remove()
                if waiting is None:
                    break
                time.sleep(0.5)
        finally:
            worker.terminate()
            worker.wait(timeout=30)
        latencies = []
        for request_id, created_at in raised:
            handed = db.session.scalars(
                select(Dispatch.sent_at)
                .join(Notification, Notification.id == Dispatch.notification_id)
                .where(
                    Notification.kind == "help.urgent",
                    Notification.params["request_id"].as_integer() == request_id,
                    Dispatch.sent_at.is_not(None),
                )
            ).all()
            latencies += [(at - created_at).total_seconds() for at in handed]
        unsent = db.session.scalar(
            select(db.func.count())
            .select_from(Notification)
            .where(Notification.kind == "help.urgent", Notification.sent_at.is_(None))
        )
        requests_made = db.session.scalar(select(db.func.count()).select_from(HelpRequest))
        db.engine.dispose()
    if not latencies:
        raise SystemExit(f"no message was handed to a channel: {unsent} urgent messages unsent")
    return {
        "taps": len(raised),
        "messages": len(latencies),
        "unsent": unsent,
        "p50": statistics.median(latencies),
        "p95": _percentile(latencies, 0.95),
        "max": max(latencies),
        "requests_in_database": requests_made,
    }


def describe(name: str, result: dict) -> str:
    verdict = "✓" if result["p95"] <= BUDGET_P95_S else "✗ over budget"
    return (
        f"- {name}: {result['taps']} urgent taps, {result['messages']} messages to grid workers "
        f"({result['unsent']} not sent): p50 {result['p50']:.2f} s, p95 {result['p95']:.2f} s "
        f"(budget ≤ {BUDGET_P95_S:g} s) {verdict}, slowest {result['max']:.2f} s; "
        f"{result['requests_in_database']:,} help requests in the database"
    )


def _write(lines: list[str], out: Path) -> None:
    text = out.read_text() if out.exists() else ""
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    section = "\n".join(
        [
            SECTION,
            "",
            f"Measured {when} with `python -m bench.notify_latency`: from the commit of an "
            "urgent tap to each of its grid workers' messages handed to a channel adapter (the "
            "log), one `portal notify --loop` worker looking every second.",
            "",
            *lines,
            "",
        ]
    )
    if SECTION in text:
        before, _, after = text.partition(SECTION)
        rest = after.split("\n## ", 1)
        text = before + section + ("\n## " + rest[1] if len(rest) > 1 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    out.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="sqlite")
    parser.add_argument("--taps", type=int, default=60)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--url", help="measure this database instead (built as it is)")
    parser.add_argument("--out", type=Path, default=BENCH / "RESULTS.md")
    args = parser.parse_args()
    names = ("sqlite", "postgresql") if args.database == "both" else (args.database,)
    urls = {name: args.url or DATABASES[name] for name in names}
    lines = []
    for name in names:
        if not args.url:
            ensure_dataset(urls[name])
        result = measure(urls[name], args.taps, args.seed)
        lines.append(describe(name, result))
        print(lines[-1], file=sys.stderr)
    _write(lines, args.out)


if __name__ == "__main__":
    main()
