"""Gunicorn settings for production, each overridable from the environment:

    gunicorn -c python:portal.gunicorn_config 'portal:create_app()'

Gunicorn reads the module's names as its settings; names it does not know are ignored.
"""

import gc
import os

from portal.config import unshared_limits_refusal, untrusted_hosts_refusal


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


def _default_workers() -> int:
    # Gunicorn's rule of thumb, capped so that one host never holds more PostgreSQL
    # connections than a small primary allows (each thread may hold one).
    return min(2 * (os.cpu_count() or 1) + 1, 8)


bind = os.environ.get("LINLI_BIND", "127.0.0.1:8000")
workers = _int("WEB_CONCURRENCY", _default_workers())
threads = _int("GUNICORN_THREADS", 4)
# Threads let one worker wait on the database for one request while serving another;
# with a single thread the plain sync worker does the same job with less machinery.
worker_class = "gthread" if threads > 1 else "sync"

timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Behind a proxy that reuses its connections, a few seconds is enough to save a handshake.
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Restart each worker after about this many requests, so a slow leak never grows for long;
# the jitter keeps the workers from all restarting at once.
# At a street's few hundred requests a second that is about once a minute per worker, and each
# new worker starts warm (see when_ready).
max_requests = _int("GUNICORN_MAX_REQUESTS", 10000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 1000)
# Load the portal once in the master, so a broken deploy fails at start and workers fork fast.
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") != "0"

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
# The usual combined log, then the time each request took in microseconds.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(D)sus'
# The control socket (gunicornc, gunicorn 25.1 and later) is not used here; older versions
# ignore this name.
control_socket_disable = True


def on_starting(server):
    """Refuse to serve when the sign-in limits would not be shared by the workers (with five
    workers, five times the tries would get through), or when any Host would be answered."""
    for refusal in (unshared_limits_refusal(os.environ), untrusted_hosts_refusal(os.environ)):
        if refusal:
            raise SystemExit(refusal)


def when_ready(server):
    """Compile every template and load every catalogue in the master, once, so that each worker
    forked from it, and each one that replaces a recycled worker, starts with them."""
    app = getattr(server.app, "callable", None)
    if app is None:
        return
    from portal.web.templating import warm_up

    warm_up(app)
    # Everything loaded so far lives as long as the workers: keep the garbage collector from
    # walking it, which in a forked worker also copies the pages it touches.
    gc.freeze()


def post_fork(server, worker):
    """Give each worker its own database pool: connections the master opened while preloading
    must not be shared between processes."""
    app = getattr(server.app, "callable", None)
    if app is None:
        return
    from portal.extensions import db

    with app.app_context():
        for engine in db.engines.values():
            # close=False leaves the master's connections alone and only forgets them here.
            engine.dispose(close=False)
