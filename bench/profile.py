"""Time, or profile, the benchmark's pages in one process, without a server or a load tool.

    .venv/bin/python -m bench.profile                          # ms per page over the street (SQLite)
    .venv/bin/python -m bench.profile --database postgresql --repeat 300
    .venv/bin/python -m bench.profile --profile "resident home" # pyinstrument's tree of one page
    .venv/bin/python -m bench.profile --calls                  # Python calls per request

Signs in through the portal's own forms as the first person of each kind in the benchmark's plan
(bench.pages.READERS), then requests each page back to back, with the bare route and the floor
pages of bench/wsgi.py first and the polls, sent with the ETag of their last answer, last. The
figures are a single thread's time per response, so they move much less from run to run than the
load test's and show what a change to a page is worth. The number of Python calls a
request makes (cProfile's count, C functions included) does not move at all, however busy the
machine.
"""

import argparse
import os
import re
import statistics
import time

from bench import pages
from bench.run import DATABASES, _sqlalchemy_url, ensure_dataset

PASSWORD = "linli-demo-2026"
PIN = "2580"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
HEADERS = {"Accept-Encoding": "gzip, br"}
ROUNDS = 10


def _post(client, path: str, data: dict) -> None:
    page = client.get(path).get_data(as_text=True)
    token = CSRF.search(page)
    response = client.post(path, data={**data, "csrf_token": token.group(1) if token else ""})
    if response.status_code not in (302, 303):
        raise SystemExit(f"signing in at {path} answered {response.status_code}")


def _clients(app, plan: dict) -> list[tuple[str, str, object, dict]]:
    """(page name, path, signed-in client, headers) for every page of the benchmark: the bare
    route and the floor pages, then each kind of reader's pages (pages.READERS) as the first
    person of the kind, then each poll (pages.POLLS) with the ETag of its last answer."""
    resident = plan["residents"][0]
    kiosk = app.test_client()
    _post(kiosk, "/kiosk", {"code": resident["code"]})
    _post(kiosk, "/kiosk/pin", {"pin": PIN})
    chosen = [("bare", "/_bare/", kiosk, HEADERS)]
    chosen += [(name, path, kiosk, HEADERS) for name, path in pages.FLOOR_PAGES.items()]
    for kind, (how, page_list) in pages.READERS.items():
        if not plan.get(kind):
            continue
        person = plan[kind][0]
        if how == "kiosk":
            client = kiosk
        else:
            client = app.test_client()
            _post(client, "/sign-in", {"phone": person["phone"], "password": PASSWORD})
        chosen += [(name, path, client, HEADERS) for name, path in page_list(person).items()]
    paths = {name: (path, client) for name, path, client, _headers in chosen}
    for poll, (polled, target) in pages.POLLS.items():
        if polled in paths:
            path, client = paths[polled]
            htmx = {**HEADERS, "HX-Request": "true", "HX-Target": target}
            etag = client.get(path, headers=htmx).headers["ETag"]
            chosen.append((poll, path, client, {**htmx, "If-None-Match": etag}))
    return chosen


def _request(client, path: str, headers: dict) -> None:
    response = client.get(path, headers=headers)
    if response.status_code not in (200, 304):
        raise SystemExit(f"{path} answered {response.status_code}")
    response.close()


def _print_calls(chosen) -> None:
    """Python calls per request of each page: the same on every run, however busy the machine."""
    import cProfile
    import pstats

    print(f"{'page':<24}{'calls':>10}")
    for name, path, client, headers in chosen:
        for _ in range(3):
            _request(client, path, headers)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(10):
            _request(client, path, headers)
        profiler.disable()
        print(f"{name:<24}{pstats.Stats(profiler).total_calls // 10:>10}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=list(DATABASES), default="sqlite")
    parser.add_argument("--repeat", type=int, default=200, help="requests per page")
    parser.add_argument("--page", action="append", help="only this page (may repeat)")
    parser.add_argument("--profile", metavar="PAGE", help="print pyinstrument's tree of one page")
    parser.add_argument("--calls", action="store_true", help="count Python calls per request")
    args = parser.parse_args()

    database_url = DATABASES[args.database]
    ensure_dataset(database_url)
    os.environ.setdefault("SECRET_KEY", "street-benchmark-secret")
    os.environ["LINLI_INSECURE_COOKIES"] = "1"
    from bench.wsgi import bench_app
    from portal.extensions import db

    app = bench_app({"SQLALCHEMY_DATABASE_URI": _sqlalchemy_url(database_url)})
    with app.app_context():
        plan = pages.plan(1)
        db.session.remove()
    chosen = [row for row in _clients(app, plan) if not args.page or row[0] in args.page]
    if args.profile:
        chosen = [row for row in chosen if row[0] == args.profile]
        if not chosen:
            raise SystemExit(f"no page called {args.profile!r}")
        from pyinstrument import Profiler

        _, path, client, headers = chosen[0]
        for _ in range(20):
            _request(client, path, headers)
        profiler = Profiler(interval=0.0002)
        with profiler:
            for _ in range(args.repeat):
                _request(client, path, headers)
        print(profiler.output_text(unicode=True, color=False, show_all=False))
        return
    if args.calls:
        _print_calls(chosen)
        return

    # Each page's time is the best of several rounds' means, the pages taken in turn in every
    # round: a neighbour's burst on a shared machine slows one round, not the figure.
    for _name, path, client, headers in chosen:
        for _ in range(20):
            _request(client, path, headers)
    rounds: dict[str, list[float]] = {name: [] for name, *_ in chosen}
    for _ in range(ROUNDS):
        for name, path, client, headers in chosen:
            started = time.perf_counter()
            for _ in range(args.repeat // ROUNDS):
                _request(client, path, headers)
            rounds[name].append((time.perf_counter() - started) * 1000 / (args.repeat // ROUNDS))
    print(f"{'page':<24}{'best ms':>10}{'median ms':>10}")
    for name, times in rounds.items():
        print(f"{name:<24}{min(times):>10.2f}{statistics.median(times):>10.2f}")
    best = [min(times) for times in rounds.values()]
    print(f"{'sum of pages':<24}{sum(best):>10.2f}")


if __name__ == "__main__":
    main()
