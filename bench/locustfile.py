"""The load: residents at kiosks, family on phones, volunteers and grid workers watching the queue.

Run by bench/run.py, which passes, in the environment:
  BENCH_PLAN   a JSON file from bench.pages.plan(): whom to sign in as;
  BENCH_PAGE   empty for the realistic mix; else one page's name (or "bare", or a floor page of
               bench/wsgi.py) that every client requests back to back, to find its greatest
               throughput;
  BENCH_OUT    where to write each request's figures as JSON when the run ends.
Every request records its time, its status, its bytes on the wire and the SQL statements the
portal reports in Server-Timing.
"""

import itertools
import json
import os
import random
import re
import time
from collections import defaultdict
from pathlib import Path

from locust import FastHttpUser, between, constant, events, task
from locust.exception import StopUser

from bench import pages

PLAN = json.loads(Path(os.environ["BENCH_PLAN"]).read_text(encoding="utf-8"))
PAGE = os.environ.get("BENCH_PAGE", "")
PASSWORD = "linli-demo-2026"
PIN = "2580"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
QUERIES = re.compile(r'"(\d+) queries"')
APP_MS = re.compile(r"app;dur=([\d.]+)")

samples: dict[str, list] = defaultdict(list)
_next = {kind: itertools.count() for kind in PLAN}


def _take(kind: str) -> dict:
    """The next person of a kind, in turn, so clients sign in as different people."""
    people = PLAN[kind]
    return people[next(_next[kind]) % len(people)]


@events.request.add_listener
def _record(name, response_time, response, exception, **_kwargs):
    try:
        _keep(name, response_time, response, exception)
    except Exception as error:  # a listener's error would be swallowed by locust
        print("recording failed:", repr(error))


def _keep(name, response_time, response, exception):
    headers = response.headers if response is not None else {}
    server_timing = headers.get("Server-Timing", "") or ""
    timing = QUERIES.search(server_timing)
    app_ms = APP_MS.search(server_timing)
    samples[name].append(
        {
            "at": time.time(),
            "ms": response_time,
            "app_ms": float(app_ms.group(1)) if app_ms else None,
            "status": getattr(response, "status_code", 0),
            "bytes": _wire_bytes(response),
            "queries": int(timing.group(1)) if timing else None,
            "error": str(exception) if exception else None,
        }
    )


def _wire_bytes(response) -> int:
    """The body's size as sent: compressed, when it was."""
    if response is None or response.status_code in (204, 304):
        return 0
    length = response.headers.get("Content-Length")
    return int(length) if length else len(response.content or b"")


@events.quitting.add_listener
def _write(environment, **_kwargs):
    with open(os.environ["BENCH_OUT"], "w", encoding="utf-8") as out:
        json.dump(samples, out)


class Visitor(FastHttpUser):
    abstract = True
    # A person reads each page before the next tap; a hammered page gets no pause at all.
    wait_time = constant(0) if PAGE else between(1, 3)
    default_headers = {"Accept-Encoding": "gzip, br"}

    def read(self, name: str, path: str, **kwargs) -> str:
        with self.client.get(path, name=name, catch_response=True, **kwargs) as response:
            expected = (304,) if name in pages.POLLS else (200,)
            if response.status_code not in expected:
                response.failure(f"{path} answered {response.status_code}")
            return response.text or ""

    def post(self, name: str, path: str, page: str, data: dict) -> None:
        token = CSRF.search(page)
        with self.client.post(
            path,
            name=name,
            data={**data, "csrf_token": token.group(1) if token else ""},
            allow_redirects=False,
            catch_response=True,
        ) as response:
            # 409: the meal filled up first, which the page tells the resident; not an error.
            expected = (200, 302, 303, 409) if name == "book" else (200, 302, 303)
            if response.status_code in expected:
                response.success()
            else:
                response.failure(f"{path} answered {response.status_code}")

    def sign_in_resident(self, resident: dict) -> None:
        page = self.read("kiosk sign-in page", "/kiosk")
        self.post("sign-in (code)", "/kiosk", page, {"code": resident["code"]})
        page = self.read("kiosk PIN page", "/kiosk/pin")
        self.post("sign-in (PIN)", "/kiosk/pin", page, {"pin": PIN})

    def sign_in_with_password(self, phone: str) -> None:
        page = self.read("sign-in page", "/sign-in")
        self.post("sign-in (password)", "/sign-in", page, {"phone": phone, "password": PASSWORD})

    def sign_out(self, page: str) -> None:
        self.post("sign-out", "/sign-out", page, {})


class Resident(Visitor):
    """One kiosk visit after another: sign in, look around, sometimes book and cancel, sign out."""

    weight = 6

    @task
    def visit(self) -> None:
        resident = _take("residents")
        self.sign_in_resident(resident)
        paths = pages.resident_pages(resident)
        page = self.read("resident home", paths["resident home"])
        for name in random.sample(list(paths)[1:], 5):
            page = self.read(name, paths[name])
            if name == "booking check" and random.random() < 0.3:
                self.post("book", paths[name], page, {"mode": "dine_in"})
        self.sign_out(page)


class Family(Visitor):
    weight = 2

    def on_start(self) -> None:
        self.family = _take("families")
        self.sign_in_with_password(self.family["phone"])
        self.paths = pages.family_pages(self.family)

    @task
    def look(self) -> None:
        name = random.choice(list(self.paths))
        self.read(name, self.paths[name])


class QueueWatcher(Visitor):
    """A volunteer or grid worker with the queue open: it polls, and now and then they open a
    request."""

    abstract = True
    kind = ""

    def on_start(self) -> None:
        self.person = _take(self.kind)
        self.sign_in_with_password(self.person["phone"])
        self.paths = pages.queue_pages(self.person)
        self.read("queue", self.paths["queue"])
        self.etags: dict[str, str] = {}

    def poll(self, name: str, path: str, target: str) -> None:
        headers = {"HX-Request": "true", "HX-Target": target}
        headers["If-None-Match"] = self.etags.get(name, "")
        with self.client.get(path, name=name, headers=headers, catch_response=True) as response:
            if response.status_code == 200:
                response.success()
                self.etags[name] = response.headers.get("ETag", "")
            elif response.status_code != 304:
                response.failure(f"{path} answered {response.status_code}")

    @task(8)
    def poll_queue(self) -> None:
        self.poll("queue poll", "/help/queue", "queue")

    @task(1)
    def open_request(self) -> None:
        self.read("request", self.paths["request"])
        self.read("queue", self.paths["queue"])


class Volunteer(QueueWatcher):
    weight = 2
    kind = "volunteers"


class GridWorker(QueueWatcher):
    """A grid worker keeps their day open beside the queue, and now and then opens the visits
    due."""

    weight = 1
    kind = "workers"

    @task(4)
    def poll_day(self) -> None:
        self.poll("day poll", "/day", "day")

    @task(1)
    def visits(self) -> None:
        self.read("visits due", pages.worker_pages(self.person)["visits due"])


class OnePage(Visitor):
    """Every client requests one page back to back, signed in as whoever reads it. A poll is
    requested with the ETag of the page's last answer, and answers 304 while nothing changed."""

    def on_start(self) -> None:
        self.headers = {}
        if PAGE == "bare":
            self.path = "/_bare/"
            return
        if PAGE in pages.FLOOR_PAGES:
            self.sign_in_resident(_take("residents"))
            self.path = pages.FLOOR_PAGES[PAGE]
            return
        polled, target = pages.POLLS.get(PAGE, (PAGE, ""))
        for kind, (how, page_list) in pages.READERS.items():
            if PLAN[kind] and polled in page_list(PLAN[kind][0]):
                person = _take(kind)
                if how == "kiosk":
                    self.sign_in_resident(person)
                else:
                    self.sign_in_with_password(person["phone"])
                self.path = page_list(person)[polled]
                break
        else:
            raise StopUser()
        if target:
            poll = {"HX-Request": "true", "HX-Target": target}
            etag = self.client.get(self.path, headers=poll).headers.get("ETag", "")
            self.headers = {**poll, "If-None-Match": etag}

    @task
    def hammer(self) -> None:
        with self.client.get(
            self.path, name=PAGE, headers=self.headers, catch_response=True
        ) as response:
            if response.status_code not in (200, 304):
                response.failure(f"{self.path} answered {response.status_code}")
