"""Linli 邻里: a community-services portal for elderly residents and the people who look after them."""

import logging
from importlib import import_module
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from portal import config as settings
from portal import postgres, sqlite
from portal.extensions import babel, csrf, db, limiter, login_manager, migrate

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The packages with pages or seams to connect, in the order they are registered.
PACKAGES = (
    "site",
    "accounts",
    "activities",
    "administration",
    "canteen",
    "care",
    "delivery",
    "paperwork",
    "partners",
    "points",
    "help",
    "notifications",
)


def create_app(config: dict | None = None) -> Flask:
    """Build the application: settings from the environment, then config; extensions; blueprints."""
    app = Flask(
        __name__,
        instance_path=str(PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.update(settings.from_environment(Path(app.instance_path)))
    app.config.update(config or {})
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", postgres.engine_options())
    if app.config.get("PROXY_COUNT"):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=int(app.config["PROXY_COUNT"]), x_proto=1)

    _configure_logging(app)
    _init_extensions(app)
    _register_blueprints(app)

    from portal import cli

    cli.init_app(app)
    return app


def _configure_logging(app: Flask) -> None:
    """The portal's own messages (each notification sent, each job's run) at LOG_LEVEL, to
    standard error unless the host process (gunicorn, a test runner) already logs somewhere."""
    logging.getLogger("portal").setLevel(app.config["LOG_LEVEL"])
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s [%(name)s] %(message)s"))
        root.addHandler(handler)


def _init_extensions(app: Flask) -> None:
    from portal import models  # noqa: F401  every table, for the migrations
    from portal.accounts import kiosk
    from portal.accounts.services import signed_in_person
    from portal.web import assets, converters, errors, headers, htmx, i18n, templating, timing

    db.init_app(app)
    sqlite.init_app(app, db)
    postgres.init_app(app, db)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    babel.init_app(app, locale_selector=i18n.select_locale)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_person(user_id: str):
        return signed_in_person(user_id)

    assets.init_app(app)
    htmx.init_app(app)
    converters.init_app(app)
    kiosk.init_app(app)
    templating.init_app(app)
    headers.init_app(app)
    timing.init_app(app)
    errors.init_app(app)


def _register_blueprints(app: Flask) -> None:
    """Each package adds its pages and connects its seams: the site first, then the features."""
    for name in PACKAGES:
        import_module(f"portal.{name}").init_app(app)
