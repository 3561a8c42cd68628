"""The gunicorn config module: settings from the environment, and a real gunicorn serving with it."""

import gc
import importlib
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from portal import PROJECT_ROOT, gunicorn_config
from tests.concurrency.conftest import (
    Server,
    _environment,
    _free_port,
    _stop,
    _wait_until_healthy,
)

SETTINGS = {
    "LINLI_BIND": "0.0.0.0:9001",
    "WEB_CONCURRENCY": "3",
    "GUNICORN_THREADS": "6",
    "GUNICORN_TIMEOUT": "45",
    "GUNICORN_GRACEFUL_TIMEOUT": "20",
    "GUNICORN_KEEPALIVE": "2",
    "GUNICORN_MAX_REQUESTS": "500",
    "GUNICORN_MAX_REQUESTS_JITTER": "50",
    "GUNICORN_PRELOAD": "0",
}


@pytest.fixture
def reload_config(monkeypatch):
    """Import the config module again under the environment the test sets, and once more after."""
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)
    yield lambda: importlib.reload(gunicorn_config)
    monkeypatch.undo()
    importlib.reload(gunicorn_config)


def test_defaults_suit_one_production_host(reload_config):
    config = reload_config()
    assert config.bind == "127.0.0.1:8000"
    assert 3 <= config.workers <= 8
    assert (config.worker_class, config.threads) == ("gthread", 4)
    assert config.max_requests > 0 and 0 < config.max_requests_jitter < config.max_requests
    assert config.preload_app is True and config.control_socket_disable is True
    assert "%(D)s" in config.access_log_format


def test_every_setting_comes_from_the_environment(reload_config, monkeypatch):
    for name, value in SETTINGS.items():
        monkeypatch.setenv(name, value)
    config = reload_config()
    assert (config.bind, config.workers, config.threads) == ("0.0.0.0:9001", 3, 6)
    assert (config.timeout, config.graceful_timeout, config.keepalive) == (45, 20, 2)
    assert (config.max_requests, config.max_requests_jitter) == (500, 50)
    assert config.preload_app is False
    monkeypatch.setenv("GUNICORN_THREADS", "1")
    assert reload_config().worker_class == "sync"


def test_gunicorn_serves_the_portal_with_this_config(tmp_path):
    port = _free_port()
    env = {
        **_environment(f"sqlite:///{tmp_path / 'linli.sqlite'}"),
        "LINLI_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "GUNICORN_THREADS": "2",
    }
    portal = Path(sys.executable).with_name("portal")
    subprocess.run([portal, "setup"], cwd=PROJECT_ROOT, env=env, check=True, capture_output=True)
    server = Server(url=f"http://127.0.0.1:{port}", log=tmp_path / "gunicorn.log")
    command = [sys.executable, "-m", "gunicorn", "-c", "python:portal.gunicorn_config"]
    with server.log.open("w") as log:
        process = subprocess.Popen(
            [*command, "portal:create_app()"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_healthy(server, process)
        response = requests.get(f"{server.url}/sign-in", timeout=10)
        assert response.status_code == 200, server.log_tail()
    finally:
        _stop(process)
    # The access log carries each request's time in microseconds.
    assert any(
        '"GET /sign-in HTTP/1.1" 200' in line and line.endswith("us")
        for line in server.log.read_text().splitlines()
    ), server.log_tail()


def test_limits_must_be_shared_unless_the_operator_says_otherwise():
    from portal.config import unshared_limits_refusal

    assert "RATELIMIT_STORAGE_URI" in unshared_limits_refusal({})
    assert "LINLI_LIMITS_IN_MEMORY=1" in unshared_limits_refusal(
        {"RATELIMIT_STORAGE_URI": "memory://"}
    )
    assert unshared_limits_refusal({"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0"}) is None
    assert unshared_limits_refusal({"REDIS_URL": "redis://cache:6379/1"}) is None
    assert unshared_limits_refusal({"LINLI_LIMITS_IN_MEMORY": "1"}) is None


@pytest.mark.parametrize(
    ("unset", "said"),
    [
        (("LINLI_LIMITS_IN_MEMORY", "RATELIMIT_STORAGE_URI", "REDIS_URL"), "RATELIMIT_STORAGE_URI"),
        (("LINLI_TRUSTED_HOSTS",), "LINLI_TRUSTED_HOSTS is not set"),
    ],
)
def test_gunicorn_refuses_to_start_unsafely(tmp_path, unset, said):
    env = {
        **_environment(f"sqlite:///{tmp_path / 'linli.sqlite'}"),
        "LINLI_BIND": f"127.0.0.1:{_free_port()}",
    }
    for name in unset:
        env.pop(name, None)
    command = [sys.executable, "-m", "gunicorn", "-c", "python:portal.gunicorn_config"]
    refused = subprocess.run(
        [*command, "portal:create_app()"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refused.returncode != 0
    assert said in refused.stderr


def test_the_master_compiles_templates_and_catalogues_before_forking(app):
    class Server:
        class app:  # noqa: N801  gunicorn's loaded application, as when_ready receives it
            callable = app

    try:
        gunicorn_config.when_ready(Server)
        # What the master holds by then is kept out of the workers' garbage collections.
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
    compiled = {name for (_loader, name), _template in app.jinja_env.cache.items()}
    assert "base.html" in compiled and "site/resident_home.html" in compiled
    assert len(compiled) == len(app.jinja_env.list_templates(extensions=["html"]))
