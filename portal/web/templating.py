"""Template helpers: dates and money in the reader's language and the community's time zone."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache

from babel import dates as babel_dates
from babel import numbers as babel_numbers
from babel.dates import format_skeleton
from flask import Flask, current_app, g, request, url_for
from flask_babel import (
    force_locale,
    format_date,
    format_percent,
    format_timedelta,
    get_timezone,
    get_translations,
)
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from portal.model_base import utcnow
from portal.web.i18n import current_language


def today() -> date:
    """Today's date in the configured time zone."""
    return datetime.now(get_timezone()).date()


def tomorrow() -> date:
    return today() + timedelta(days=1)


# A list of bookings or activities shows the same few dates and prices again and again, and
# Babel formats each from its pattern: the results are kept, by value and language.


@lru_cache(maxsize=4096)
def _date_text(day: date, pattern: str, language: str) -> str:
    return babel_dates.format_date(day, pattern, locale=language)


@lru_cache(maxsize=4096)
def _skeleton_text(day: date, skeleton: str, language: str) -> str:
    return format_skeleton(skeleton, day, locale=language)


@lru_cache(maxsize=4096)
def _money_text(fen: int, language: str) -> str:
    return "¥" + babel_numbers.format_decimal(Decimal(fen) / 100, "#,##0.00", locale=language)


def date_text(day: date, pattern: str) -> str:
    """A date in a Babel pattern ("full", "EEEE", …) in the reader's language, as
    flask_babel.format_date writes it; a datetime goes to flask_babel, which moves it into the
    reader's time zone first."""
    if type(day) is not date:
        return format_date(day, pattern)
    return _date_text(day, pattern, current_language())


def short_date(day: date) -> str:
    """Month and day, the way the reader's language writes them: 11月23日, 23 Nov."""
    return _skeleton_text(day, "MMMd", current_language())


def money(fen: int) -> str:
    """Integer fen as yuan with the sign residents see on every price board: ¥12.00, in every
    language (the English locale's own symbol would be CN¥)."""
    return _money_text(fen, current_language())


def waited(since: datetime) -> str:
    """How long ago a naive-UTC moment was, in words: "12 minutes", "2 hours"."""
    return format_timedelta(utcnow() - since, threshold=1.0)


def minutes(value: float | None) -> str:
    """A duration given in minutes, in words; a dash when there is none."""
    return "—" if value is None else format_timedelta(timedelta(minutes=value), threshold=1.0)


def percent(value: float | None) -> str:
    return "—" if value is None else format_percent(value)


def template_url_for(endpoint: str, **values) -> str:
    """url_for for templates, keeping each address it builds: a list page builds the same few
    dozen again and again, and Flask builds each in about 8 µs. The portal's URL defaults (the
    hashed static names) are the same for every request, so an address depends only on the
    endpoint and the values; relative endpoints and options (_external, _anchor, …) are built
    each time."""
    if endpoint.startswith(".") or any(name.startswith("_") for name in values):
        return url_for(endpoint, **values)
    app = current_app._get_current_object()
    built = app.extensions["linli_urls"]
    try:
        key = (request.script_root, endpoint, *sorted(values.items()))
        return built[key]
    except KeyError:
        if len(built) > URLS_KEPT:
            built.clear()
        address = built[key] = url_for(endpoint, **values)
        return address
    except TypeError:  # a value that cannot be a key, such as a list
        return url_for(endpoint, **values)


# A few thousand addresses (each about 350 bytes) cover the shared ones; addresses that name one
# resident's ids come and go, and the whole set is dropped when it fills.
URLS_KEPT = 4096


def csrf_token() -> str:
    """This request's CSRF token, as Flask-WTF's `csrf_token()` gives it, looked up once: a
    page of help buttons holds a dozen forms."""
    token = g.get("csrf_token_text")
    if token is None:
        token = g.csrf_token_text = generate_csrf()
    return token


_ICON = Markup(
    '<svg class="icon %s" aria-hidden="true" focusable="false"><use href="%s#%s"></use></svg>'
)


def icon(name: str, class_: str = "") -> Markup:
    """An icon from the portal's own sprite. Decorative, so hidden from screen readers: a word
    always goes with it. A page may show fifty, of a few dozen kinds: each is drawn once per
    process."""
    return _drawn_icon(request.script_root, name, class_)


@lru_cache(maxsize=1024)
def _drawn_icon(script_root: str, name: str, class_: str) -> Markup:
    # The sprite's address depends only on where the portal is mounted: its hashed name is the
    # same for the life of the process.
    return _ICON % (class_, url_for("static", filename="icons/sprite.svg"), name)


def warm_up(app: Flask) -> None:
    """Compile every template and load every language's catalogue now rather than on first use:
    worker processes forked after this start with them."""
    for name in app.jinja_env.list_templates(extensions=["html"]):
        app.jinja_env.get_template(name)
    with app.test_request_context():
        for locale in app.config["LANGUAGES"]:
            with force_locale(locale):
                get_translations()


COMPONENTS = {
    "components/buttons.html": ("button", "post_button", "back_link"),
    "components/forms.html": ("field", "error_summary"),
    "components/status.html": ("status_region",),
}


def init_app(app: Flask) -> None:
    app.extensions["linli_urls"] = {}
    app.jinja_env.globals.update(
        url_for=template_url_for,
        today=today,
        tomorrow=tomorrow,
        icon=icon,
        csrf_token=csrf_token,
    )
    # The macros nearly every page uses, for every template without an import of its own: an
    # import costs a lookup each time a template runs, and some run once per item of a list.
    for template, names in COMPONENTS.items():
        module = app.jinja_env.get_template(template).module
        app.jinja_env.globals.update({name: getattr(module, name) for name in names})
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["waited"] = waited
    app.jinja_env.filters["minutes"] = minutes
    app.jinja_env.filters["percent"] = percent
    app.jinja_env.filters["long_date"] = lambda day: date_text(day, "full")
    app.jinja_env.filters["weekday"] = lambda day: date_text(day, "EEEE")
    app.jinja_env.filters["short_date"] = short_date
