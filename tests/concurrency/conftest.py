"""Concurrency tests: the portal served by gunicorn as in production, several worker processes with
several threads each, on the test database (SQLite, or PostgreSQL when DATABASE_URL is set), and
residents' browsers racing against it over HTTP. The server's clock and the tests' start at the
suite's instant and run on together."""

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
import time_machine

from portal import PROJECT_ROOT
from tests.clock import START

WORKERS = 3
THREADS = 4
START_SECONDS = 30
STOP_SECONDS = 10
# Racers sign in, then wait for one another before they tap: their connections must stay open
# through that wait, which on a busy machine outlasts gunicorn's default of two seconds.
KEEP_ALIVE_SECONDS = 30


@dataclass(frozen=True)
class Server:
    url: str
    log: Path

    def log_tail(self, lines: int = 60) -> str:
        """The end of what gunicorn and the portal wrote, for failure messages."""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _environment(database_url: str) -> dict[str, str]:
    """Production settings from the environment, on plain HTTP, with every client on 127.0.0.1
    allowed to sign in as often as it needs."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "concurrency-test-secret",
        "LINLI_INSECURE_COOKIES": "1",
        "RATELIMIT_STORAGE_URI": "memory://",
        "LINLI_LIMITS_IN_MEMORY": "1",
        "LINLI_TRUSTED_HOSTS": "127.0.0.1",
        "SIGN_IN_RATE_LIMIT": "10000 per minute",
    }


def _gunicorn(port: int) -> list[str]:
    """gunicorn with its clock where this process's is now, running on alongside it."""
    return [
        sys.executable,
        "-m",
        "tests.at",
        datetime.now(UTC).isoformat(),
        "gunicorn",
        "--workers",
        str(WORKERS),
        "--threads",
        str(THREADS),
        "--bind",
        f"127.0.0.1:{port}",
        "--no-control-socket",
        "--graceful-timeout",
        str(STOP_SECONDS // 2),
        "--keep-alive",
        str(KEEP_ALIVE_SECONDS),
        "portal:create_app()",
    ]


def _wait_until_healthy(server: Server, process: subprocess.Popen) -> None:
    """Return once /healthz answers; fail when gunicorn exits or takes too long."""
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited with {process.returncode}:\n{server.log_tail()}")
        try:
            if requests.get(f"{server.url}/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    pytest.fail(f"gunicorn did not answer /healthz in {START_SECONDS} s:\n{server.log_tail()}")


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="package")
def package_clock():
    """One clock for the whole package, started at the suite's instant: the server's runs on
    from test to test, so the tests' must too."""
    with time_machine.travel(START, tick=True) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def clock(package_clock):
    return package_clock


@pytest.fixture(scope="package")
def server(package_clock, database_url, tmp_path_factory) -> Server:
    """The portal under gunicorn on a free port of 127.0.0.1; stopped when the package ends."""
    port = _free_port()
    served = Server(url=f"http://127.0.0.1:{port}", log=tmp_path_factory.mktemp("gunicorn") / "log")
    with served.log.open("w") as log:
        process = subprocess.Popen(
            _gunicorn(port),
            cwd=PROJECT_ROOT,
            env=_environment(database_url),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_healthy(served, process)
        yield served
    finally:
        _stop(process)
