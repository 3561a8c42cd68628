"""The street-scale benchmark: gunicorn over the street dataset, driven by locust, on SQLite and
PostgreSQL, with a bare Flask route and the portal's floor pages in the same run.

    .venv/bin/python -m bench.run                       # both databases, results in bench/RESULTS.md
    .venv/bin/python -m bench.run --database sqlite --mix-seconds 30 --page-seconds 5

Builds the street dataset first when the database has none (`python -m bench.street`).
Traffic goes to 127.0.0.1 only, and every phase stops after its set time.
"""

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

from bench.pages import FLOOR_PAGES
from portal import PROJECT_ROOT

BENCH = PROJECT_ROOT / "bench"
PORTAL = str(Path(sys.executable).parent / "portal")
DATABASES = {
    "sqlite": f"sqlite:///{PROJECT_ROOT / 'instance' / 'street.sqlite'}",
    "postgresql": "postgresql://postgres@127.0.0.1:5432/linli_street",
}
MIX = ("Resident", "Family", "Volunteer", "GridWorker")
# People arrive at the mix two a second, as they walk up to kiosks and open their phones; the
# figures start once everyone has arrived. Sixteen people signing in within the same second would
# hash sixteen PINs and passwords at once (a few CPU-seconds on two cores), which no community's
# morning looks like and which only the first second's pages would wait for.
MIX_ARRIVALS_PER_SECOND = 2
# Pages whose greatest throughput is measured one at a time, against the floor.
PAGES = (
    "resident home",
    "canteen",
    "menu",
    "booking check",
    "my bookings",
    "activities",
    "activities week",
    "my activities",
    "help status",
    "meal delivery",
    "family home",
    "family canteen",
    "family booking check",
    "family help status",
    "queue",
    "request",
    "queue poll",
    "grid worker's day",
    "day poll",
    "visits due",
    "paperwork due",
    "my points",
    "vouchers on offer",
    "residents list",
    "resident record",
    "audit log",
    "rounds today",
    "rounds poll",
    "partner desk",
    "partner request",
)
# The periodic jobs, timed one after another over a copy of the street's data: (name, command).
JOBS = (
    ("care", ["care"]),
    ("daily", ["daily"]),
    ("remind", ["remind"]),
    ("notify", ["notify"]),
)
BUDGET_P95_MS = 50
# Each page's throughput against the empty kiosk page's, in the same run.
BUDGET_FLOOR_SHARE = 0.50
# The empty kiosk page's throughput against the bare route's, in the same run.
BUDGET_KIOSK_OF_BARE = 0.25
# PostgreSQL's floor pages against SQLite's same pages.
BUDGET_POSTGRESQL_FLOOR = 0.60
BUDGET_POLL_QUERIES = 2
BUDGET_RSS_MB = 200
BUDGET_JOB_S = 5


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _environment(database_url: str, **extra: str) -> dict[str, str]:
    """The portal's environment for the run. Bytecode is cached, as an installed portal's is, so
    a job's time is its work and not the compiling of its modules."""
    inherited = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {
        **inherited,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "street-benchmark-secret",
        "LINLI_INSECURE_COOKIES": "1",  # plain HTTP on 127.0.0.1
        "LINLI_TRUSTED_HOSTS": "127.0.0.1",
        # Every simulated person signs in from 127.0.0.1; the limit is per address.
        "SIGN_IN_RATE_LIMIT": "100000 per minute",
        "LINLI_SERVER_TIMING": "1",
        "PYTHONPATH": str(PROJECT_ROOT),
        **extra,
    }


def _has_people(database_url: str) -> bool:
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import SQLAlchemyError

    engine = create_engine(_sqlalchemy_url(database_url))
    try:
        with engine.connect() as connection:
            return bool(connection.execute(text("SELECT count(*) FROM person")).scalar())
    except SQLAlchemyError:
        return False
    finally:
        engine.dispose()


# PostgreSQL's planner prices a random page read at four sequential ones by default, a figure for
# spinning disks; on SSD storage, or a database its memory holds, 1.1 is the usual setting. At 4
# it joins a meal's thousand deliveries to their bookings by reading every booking (16 ms rather
# than 1 ms on the street).
RANDOM_PAGE_COST = "1.1"


def _tune(database_url: str) -> None:
    """Set the database's planner costs as for a server on SSD storage."""
    name = database_url.rsplit("/", 1)[1]
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c"]
        + [f"ALTER DATABASE {name} SET random_page_cost = {RANDOM_PAGE_COST}"],
        check=True,
    )


def ensure_dataset(database_url: str) -> None:
    """Build the street dataset into database_url unless it already holds people; on PostgreSQL,
    tune its planner (RANDOM_PAGE_COST) either way."""
    postgresql = database_url.startswith("postgresql")
    if not _has_people(database_url):
        env = _environment(database_url)
        if postgresql:
            name = database_url.rsplit("/", 1)[1]
            subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=False)
        subprocess.run([PORTAL, "setup"], env=env, check=True, stdout=subprocess.DEVNULL)
        street = [sys.executable, "-m", "bench.street", "--scale", "street"]
        subprocess.run(street, env=env, check=True, cwd=PROJECT_ROOT)
    if postgresql:
        _tune(database_url)


def write_plan(database_url: str, path: Path) -> dict:
    """Choose whom to sign in as, from the data, and write it for the load tool."""
    from bench import pages
    from portal import create_app
    from portal.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": _sqlalchemy_url(database_url)})
    with app.app_context():
        plan = pages.plan(200)
        db.session.remove()
        db.engine.dispose()  # PostgreSQL copies a database only while nobody is connected to it
    path.write_text(json.dumps(plan))
    return plan


def _sqlalchemy_url(database_url: str) -> str:
    return database_url.replace("postgresql://", "postgresql+psycopg://", 1)


def _kilobytes(path: Path, name: str) -> int:
    """The figure of the line starting with name in a /proc file of kB figures."""
    return next(
        (int(line.split()[1]) for line in path.read_text().splitlines() if line.startswith(name)),
        0,
    )


@dataclass
class Server:
    process: subprocess.Popen
    url: str
    rss_peak_mb: dict[int, float] = field(default_factory=dict)
    pss_peak_mb: dict[int, float] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    def sample_memory(self) -> None:
        """Keep each worker's highest resident set size while the server runs, and its highest
        proportional set size: its own pages, plus its share of those it still shares with the
        preloaded master and the other workers."""
        while not self._stop.wait(0.5):
            for pid in self.workers():
                try:
                    rss = _kilobytes(Path(f"/proc/{pid}/status"), "VmRSS:")
                    pss = _kilobytes(Path(f"/proc/{pid}/smaps_rollup"), "Pss:")
                except OSError:
                    continue
                self.rss_peak_mb[pid] = max(self.rss_peak_mb.get(pid, 0), rss / 1024)
                self.pss_peak_mb[pid] = max(self.pss_peak_mb.get(pid, 0), pss / 1024)

    def stop(self) -> None:
        self._stop.set()
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start_server(database_url: str, workdir: Path) -> Server:
    """gunicorn with the production config, two workers, on a free port of 127.0.0.1."""
    port = _free_port()
    env = _environment(
        database_url,
        LINLI_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="2",
        GUNICORN_ACCESS_LOG=str(workdir / "access.log"),
        # Stopped after each run: workers need not finish anything, and must let go of the database.
        GUNICORN_GRACEFUL_TIMEOUT="3",
        RATELIMIT_STORAGE_URI=os.environ.get("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/15"),
        MALLOC_ARENA_MAX=os.environ.get("MALLOC_ARENA_MAX", "2"),  # as in production (README)
    )
    with open(workdir / "gunicorn.log", "w") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                "python:portal.gunicorn_config",
                "bench.wsgi:bench_app()",
            ],
            env=env,
            cwd=PROJECT_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = Server(process, f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited:\n{(workdir / 'gunicorn.log').read_text()[-3000:]}")
        try:
            if requests.get(f"{server.url}/healthz", timeout=2).ok:
                threading.Thread(target=server.sample_memory, daemon=True).start()
                return server
        except requests.RequestException:
            time.sleep(0.3)
    server.stop()
    raise SystemExit("gunicorn did not answer within 60 s")


def run_locust(
    server: Server,
    plan: Path,
    out: Path,
    seconds: float,
    clients: int,
    page: str = "",
    arrivals_per_second: float | None = None,
) -> dict:
    """Run locust headless for seconds, the clients starting arrivals_per_second (all in the
    first second by default); return each request name's samples."""
    classes = ["OnePage"] if page else list(MIX)
    env = {
        **os.environ,
        "BENCH_PLAN": str(plan),
        "BENCH_PAGE": page,
        "BENCH_OUT": str(out),
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    subprocess.run(
        [
            str(Path(sys.executable).parent / "locust"),
            "-f",
            str(BENCH / "locustfile.py"),
            "--headless",
            "--only-summary",
            "--loglevel",
            "ERROR",
            "-u",
            str(clients),
            "-r",
            str(arrivals_per_second or clients),
            "-t",
            f"{seconds:.0f}s",
            "--stop-timeout",
            "5",
            "--host",
            server.url,
            *classes,
        ],
        env=env,
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return json.loads(out.read_text())


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def summarise(samples: list[dict], seconds: float, since: float = 0) -> dict:
    """requests/s, latency percentiles, SQL statements and bytes of one page's samples over
    seconds; with since (a time.time()), only of those from then to the last."""
    if since:
        samples = [s for s in samples if s["at"] >= since]
        if samples:
            seconds = max(s["at"] for s in samples) - since
    if not samples:
        return {
            "requests": 0,
            "errors": 0,
            "rps": 0.0,
            "p50": 0,
            "p95": 0,
            "p99": 0,
            "app_ms": None,
            "queries": None,
            "queries_max": None,
            "bytes": 0,
        }
    times = [s["ms"] for s in samples]
    queries = [s["queries"] for s in samples if s["queries"] is not None]
    app_ms = [s["app_ms"] for s in samples if s.get("app_ms") is not None]
    return {
        "requests": len(samples),
        "errors": sum(1 for s in samples if s["error"]),
        "rps": len(samples) / seconds if seconds > 0 else 0.0,
        "p50": _percentile(times, 0.50),
        "p95": _percentile(times, 0.95),
        "p99": _percentile(times, 0.99),
        "app_ms": statistics.median(app_ms) if app_ms else None,
        "queries": statistics.median(queries) if queries else None,
        "queries_max": max(queries) if queries else None,
        "bytes": statistics.median(s["bytes"] for s in samples),
    }


def _all(samples: dict[str, list]) -> list[dict]:
    return [sample for page in samples.values() for sample in page]


def _hammering_from(samples: dict[str, list], page: str) -> float:
    """When every client was requesting page: once the last of them has signed in (signing in
    hashes a PIN or password on purpose, and is not the page's work), else a second after the
    first request."""
    signing_in = [s["at"] for name, sampled in samples.items() if name != page for s in sampled]
    if signing_in:
        return max(signing_in)
    return min((s["at"] for s in samples.get(page, [])), default=0) + 1


def measure_jobs(database_url: str, workdir: Path) -> dict:
    """Time each periodic job (JOBS) over a copy of the street data, then `portal escalate`
    over 50,000 open, overdue requests on the same copy: {job: {seconds, output}}. "startup" is
    what any command costs before its work (`portal routes`: the interpreter, the imports and
    the app), which a job's own time leaves out."""
    if database_url.startswith("sqlite"):
        source = Path(database_url.removeprefix("sqlite:///"))
        copy = workdir / "jobs.sqlite"
        _sqlite_copy(source, copy)
        copy_url = f"sqlite:///{copy}"
    else:
        name = database_url.rsplit("/", 1)[1]
        copy_name = f"{name}_jobs"
        admin = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-q", "-c"]
        subprocess.run([*admin, f"DROP DATABASE IF EXISTS {copy_name}"], check=True)
        _copy_when_idle(admin, name, copy_name)
        copy_url = database_url.rsplit("/", 1)[0] + f"/{copy_name}"
        _tune(copy_url)  # a copy does not inherit its template's settings
    env = _environment(copy_url)
    timed = {"startup": _time_job(["routes"], env)}
    for job, command in JOBS:
        timed[job] = _time_job(command, env)
    opened = _open_every_request(copy_url)
    timed["escalate"] = {**_time_job(["escalate"], env), "open": opened}
    if database_url.startswith("postgresql"):
        subprocess.run([*admin, f"DROP DATABASE {copy_name}"], check=True)
    return timed


def _time_job(command: list[str], env: dict) -> dict:
    started = time.perf_counter()
    result = subprocess.run([PORTAL, *command], env=env, check=True, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    last = (result.stdout.strip() or result.stderr.strip()).splitlines()
    return {"seconds": elapsed, "output": last[-1][:160] if last and command != ["routes"] else ""}


def _copy_when_idle(admin: list[str], name: str, copy_name: str, seconds: int = 60) -> None:
    """CREATE DATABASE copy_name from name, once the stopped server's connections have closed.

    A session still attached after a third of the wait is shown, then ended: the server that
    opened it has stopped, and nothing else uses the street's database."""
    started = time.monotonic()
    ended = False
    while True:
        done = subprocess.run(
            [*admin, f"CREATE DATABASE {copy_name} TEMPLATE {name}"], capture_output=True
        )
        if done.returncode == 0:
            return
        waited = time.monotonic() - started
        if waited > seconds:
            raise SystemExit(f"{name} still has connections after {seconds} s")
        if waited > seconds / 3 and not ended:
            sessions = (
                "SELECT pid, state, backend_start, left(query, 80) FROM pg_stat_activity"
                f" WHERE datname = '{name}' AND pid <> pg_backend_pid()"
            )
            print(
                "   still attached:",
                subprocess.run([*admin, sessions], capture_output=True, text=True).stdout.strip(),
                flush=True,
            )
            subprocess.run(
                [
                    *admin,
                    f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    f" WHERE datname = '{name}' AND pid <> pg_backend_pid()",
                ],
                capture_output=True,
            )
            ended = True
        time.sleep(1)


def _sqlite_copy(source: Path, destination: Path) -> None:
    import sqlite3

    with sqlite3.connect(source) as original, sqlite3.connect(destination) as copy:
        original.backup(copy)


def _open_every_request(database_url: str) -> int:
    """Make every help request new, unescalated and three days old: all of them overdue."""
    from sqlalchemy import create_engine, text

    engine = create_engine(_sqlalchemy_url(database_url))
    with engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE help_request SET status = 'new', level = 0, holder_id = NULL,"
                " acknowledged_at = NULL, resolved_at = NULL, closed_at = NULL, feedback = NULL,"
                " created_at = :then"
            ),
            {"then": datetime.now(UTC).replace(tzinfo=None) - timedelta(days=3)},
        )
        opened = connection.execute(text("SELECT count(*) FROM help_request")).scalar()
    engine.dispose()
    return opened


def _measure_alerts(database_url: str, taps: int, into: dict) -> None:
    """Urgent taps, from their commit to their grid workers' messages handed to a channel, with
    a `portal notify --loop` worker running (bench.notify_latency), while the mix runs."""
    from bench.notify_latency import measure

    try:
        into.update(measure(database_url, max(taps, 10), seed=7))
    except SystemExit as refusal:  # no message was handed to a channel
        into["error"] = str(refusal)


def bench_database(name: str, database_url: str, args) -> dict:
    print(f"== {name}: {database_url}", flush=True)
    ensure_dataset(database_url)
    workdir = Path(tempfile.mkdtemp(prefix=f"linli-bench-{name}-"))
    plan_file = workdir / "plan.json"
    plan = write_plan(database_url, plan_file)
    print("   people:", {kind: len(people) for kind, people in plan.items()}, flush=True)
    server = start_server(database_url, workdir)
    alerts: dict = {}
    try:
        run_locust(server, plan_file, workdir / "warm.json", 5, args.clients)
        arrival = args.clients / MIX_ARRIVALS_PER_SECOND
        started = time.time()
        tapping = threading.Thread(
            target=_measure_alerts, args=(database_url, args.mix_seconds // 2, alerts)
        )
        tapping.start()
        mix = run_locust(
            server,
            plan_file,
            workdir / "mix.json",
            arrival + args.mix_seconds,
            args.clients,
            arrivals_per_second=MIX_ARRIVALS_PER_SECOND,
        )
        # Locust takes about a second to start its first client.
        since = min((s["at"] for s in _all(mix)), default=started) + arrival
        mixed = {
            page: summarise(s, args.mix_seconds, since=since)
            for page, s in sorted(mix.items())
            if any(sample["at"] >= since for sample in s)
        }
        print(f"   mix: {sum(m['requests'] for m in mixed.values())} requests", flush=True)
        tapping.join()
        print(f"   alerts during the mix: {alerts}", flush=True)
        alone = {}
        for page in ("bare", *FLOOR_PAGES, *PAGES):
            samples = run_locust(
                server, plan_file, workdir / "page.json", args.page_seconds, args.clients, page
            )
            alone[page] = summarise(
                samples.get(page, []), args.page_seconds, since=_hammering_from(samples, page)
            )
            print(
                f"   {page}: {alone[page]['rps']:.0f}/s p95 {alone[page]['p95']:.0f} ms", flush=True
            )
    finally:
        server.stop()
    jobs = measure_jobs(database_url, workdir)
    for job, timed in jobs.items():
        print(f"   {job}: {timed['seconds']:.2f} s — {timed['output']}", flush=True)
    if not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    return {
        "mix": mixed,
        "alone": alone,
        "rss_mb": max(server.rss_peak_mb.values(), default=0),
        "pss_mb": max(server.pss_peak_mb.values(), default=0),
        "alerts": alerts,
        "jobs": jobs,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--mix-seconds", type=int, default=120)
    parser.add_argument("--page-seconds", type=int, default=10)
    parser.add_argument("--sqlite-url", default=DATABASES["sqlite"])
    parser.add_argument("--postgresql-url", default=DATABASES["postgresql"])
    parser.add_argument("--keep", action="store_true", help="keep the logs and samples")
    parser.add_argument("--out", type=Path, default=BENCH / "RESULTS.md")
    args = parser.parse_args()
    urls = {"sqlite": args.sqlite_url, "postgresql": args.postgresql_url}
    names = ("sqlite", "postgresql") if args.database == "both" else (args.database,)
    saved = args.out.with_suffix(".json")
    results = json.loads(saved.read_text()) if saved.exists() else {}
    for name in names:
        # Kept as each database finishes, so a later run of the other one joins the same report.
        results[name] = bench_database(name, urls[name], args)
        saved.write_text(json.dumps(results, indent=1))
    from bench.report import write_report

    write_report({name: results[name] for name in DATABASES if name in results}, args, args.out)
    print(f"Results in {args.out}")


if __name__ == "__main__":
    main()
