"""bench/RESULTS.md from the figures of one benchmark run, with each budget checked."""

import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from bench import pages, run
from bench.notify_latency import describe

# Pages the latency and throughput budgets apply to: everyone's pages and polls. Sign-in, which
# hashes a PIN or password on purpose, and booking, a write, are reported only.
BUDGETED = set(run.PAGES)


def _mark(ok: bool) -> str:
    return "✓" if ok else "✗ over budget"


def _ms(value: float) -> str:
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}"


def _server(figures: dict) -> str:
    """The median time the portal itself reported spending on the response (Server-Timing)."""
    return "—" if figures.get("app_ms") is None else _ms(figures["app_ms"])


def _mix_table(mix: dict) -> list[str]:
    lines = [
        "| page | requests | errors | req/s | p50 ms | p95 ms | p99 ms | server ms | SQL queries "
        "| bytes | p95 budget |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for page, f in mix.items():
        budget = _mark(f["p95"] <= run.BUDGET_P95_MS) if page in BUDGETED else "—"
        queries = "—" if f["queries"] is None else f"{f['queries']:g}"
        lines.append(
            f"| {page} | {f['requests']} | {f['errors']} | {f['rps']:.1f} | {_ms(f['p50'])} "
            f"| {_ms(f['p95'])} | {_ms(f['p99'])} | {_server(f)} | {queries} | {f['bytes']:.0f} "
            f"| {budget} |"
        )
    return lines


FLOOR = "empty kiosk page"


def _alone_table(alone: dict) -> list[str]:
    bare = alone["bare"]["rps"] or 1
    floor = alone[FLOOR]["rps"] or 1
    lines = [
        "| page | req/s | share of bare route | share of the floor | p50 ms | p95 ms | p99 ms "
        "| server ms | SQL queries | bytes | throughput budget |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for page, f in alone.items():
        share = f["rps"] / floor
        budget = _mark(share >= run.BUDGET_FLOOR_SHARE) if page in BUDGETED else "—"
        queries = "—" if f["queries"] is None else f"{f['queries']:g}"
        lines.append(
            f"| {page} | {f['rps']:.0f} | {f['rps'] / bare:.0%} | {share:.0%} | {_ms(f['p50'])} "
            f"| {_ms(f['p95'])} | {_ms(f['p99'])} | {_server(f)} | {queries} | {f['bytes']:.0f} "
            f"| {budget} |"
        )
    return lines


def _polls(alone: dict) -> list[str]:
    lines = []
    for poll in pages.POLLS:
        queries = alone.get(poll, {}).get("queries")
        said = (
            "no poll was answered"
            if queries is None
            else f"answered 304 with {queries:g} SQL queries (budget ≤ {run.BUDGET_POLL_QUERIES}) "
            f"{_mark(queries <= run.BUDGET_POLL_QUERIES)}"
        )
        lines.append(f"- Unchanged {poll.removesuffix(' poll')} poll: {said}")
    return lines


def _floor(name: str, result: dict, results: dict) -> list[str]:
    alone = result["alone"]
    share = alone[FLOOR]["rps"] / (alone["bare"]["rps"] or 1)
    lines = [
        f"- The floor: the empty kiosk page serves {share:.0%} of the bare route "
        f"(budget ≥ {run.BUDGET_KIOSK_OF_BARE:.0%}) {_mark(share >= run.BUDGET_KIOSK_OF_BARE)}"
    ]
    if name == "postgresql" and "sqlite" in results:
        for page in run.FLOOR_PAGES:
            of_sqlite = alone[page]["rps"] / (results["sqlite"]["alone"][page]["rps"] or 1)
            lines.append(
                f"- {page[0].upper()}{page[1:]}: {of_sqlite:.0%} of SQLite's in the same run "
                f"(budget ≥ {run.BUDGET_POSTGRESQL_FLOOR:.0%}) "
                f"{_mark(of_sqlite >= run.BUDGET_POSTGRESQL_FLOOR)}"
            )
    return lines


def _summary(name: str, result: dict, results: dict) -> list[str]:
    jobs = result["jobs"]
    lines = [
        *_floor(name, result, results),
        *_polls(result["alone"]),
        f"- Highest worker memory: {result['rss_mb']:.0f} MB RSS (budget ≤ {run.BUDGET_RSS_MB}) "
        f"{_mark(result['rss_mb'] <= run.BUDGET_RSS_MB)}"
        + (
            f"; {result['pss_mb']:.0f} MB PSS, counting the pages it shares with the preloaded "
            "master and the other worker once between them"
            if "pss_mb" in result
            else ""
        ),
    ]
    alerts = result.get("alerts")
    if alerts and "error" in alerts:
        lines.append(f"- Urgent taps during the mix: {alerts['error']} ✗ over budget")
    elif alerts:
        lines.append(describe("Urgent taps during the mix", alerts))
    startup = jobs["startup"]["seconds"]
    lines.append(
        f"- Periodic jobs, each over a copy of the street's data; a command's start (interpreter, "
        f"imports, app) took {startup:.2f} s, and the budget applies to the rest:"
    )
    for job, timed in jobs.items():
        if job == "startup":
            continue
        over = f" over {timed['open']:,} open, overdue requests" if job == "escalate" else ""
        work = timed["seconds"] - startup
        lines.append(
            f"  - `portal {job}`{over}: {work:.2f} s after start, {timed['seconds']:.2f} s in all "
            f"(budget < {run.BUDGET_JOB_S}) {_mark(work < run.BUDGET_JOB_S)} — `{timed['output']}`"
        )
    return lines


def _machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        cwd=run.PROJECT_ROOT,
    ).stdout.strip()
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, commit {commit}"


def _minutes(args) -> int:
    """About how long one database's run takes: the mix, then each page alone."""
    pages = len(run.PAGES) + len(run.FLOOR_PAGES) + 1
    arriving = args.clients / run.MIX_ARRIVALS_PER_SECOND
    return round((pages * (args.page_seconds + 4) + args.mix_seconds + arriving) / 60) + 2


def write_report(results: dict, args, path: Path) -> None:
    lines = [
        "# Street-scale benchmark",
        "",
        "Reproduce (builds the street dataset first where it is missing, then takes about "
        f"{_minutes(args)} minutes a database):",
        "",
        "```sh",
        ".venv/bin/pip install -e '.[bench]'",
        f".venv/bin/python -m bench.run --clients {args.clients} "
        f"--mix-seconds {args.mix_seconds} --page-seconds {args.page_seconds}",
        "```",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {_machine()}. gunicorn with "
        "`portal/gunicorn_config.py`: 2 workers × 4 threads, preloaded, access log on, "
        "rate limits in Redis; locust on the same machine, so the load tool shares the two cores "
        "with the server. Figures from one run on a shared machine: compare them with each other "
        "(the bare route is measured in the same run), not with another day's.",
        "",
        f"- **Realistic mix**: {args.clients} people at once for {args.mix_seconds} s, counted "
        f"once all have arrived ({run.MIX_ARRIVALS_PER_SECOND} a second), each "
        "pausing 1–3 s between taps as a person does: residents sign in at a kiosk with code "
        "and PIN, open their home page and five other pages in a random order, sometimes book "
        "a meal, and sign out; family members read their parent's pages and book; volunteers "
        "and grid workers keep the queue open (polled with its ETag) and now and then open a "
        "request; grid workers also keep their day open (polled the same way) and now and then "
        'open the visits due. Meanwhile residents tap "I feel unwell" about once a second '
        "for the first half of the mix, and one `portal notify --loop` worker hands each grid "
        "worker's message to a channel (bench/notify_latency.py): the alerts' budget applies "
        "to that time. The p95 budget applies here.",
        f"- **One page at a time**: {args.clients} clients request the same page back to back "
        f"with no pause for {args.page_seconds} s, the bare Flask route first. The throughput "
        f"budget (≥ {run.BUDGET_FLOOR_SHARE:.0%} of the empty kiosk page, the floor) applies "
        "here; latencies here include waiting for a free worker. A poll is requested with the "
        'ETag of its last answer, so it answers 304. "server ms" is the median time the portal '
        "itself spent on a response, from its Server-Timing header; the rest of a latency is "
        "waiting for a worker and the network.",
        "- **The floor**: two pages that `bench/wsgi.py` serves to a signed-in resident, hammered "
        'the same way. "signed in, no page" answers plain text after every one of the portal\'s '
        'hooks (session, the signed-in person, kiosk, language, headers, compression); "empty '
        'kiosk page" also draws the kiosk layout (toolbar, help strip, account bar) around '
        "nothing. No resident page can be quicker than the second.",
        "",
    ]
    for name, result in results.items():
        lines += [
            f"## {name}",
            "",
            *_summary(name, result, results),
            "",
            "### Realistic mix",
            "",
            *_mix_table(result["mix"]),
            "",
            "### One page at a time",
            "",
            *_alone_table(result["alone"]),
            "",
        ]
    lighthouse = run.BENCH / "lighthouse.md"
    if lighthouse.exists():
        # bench/lighthouse.py writes its own table; its title becomes a section here.
        lines += ["## " + lighthouse.read_text().removeprefix("# ").strip(), ""]
    existing = path.read_text() if path.exists() else ""
    kept = existing.split("<!-- more -->", 1)[1] if "<!-- more -->" in existing else ""
    path.write_text("\n".join(lines) + "\n<!-- more -->" + kept)
