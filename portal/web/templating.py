"""Template helpers: dates and money in the reader's language and the community's time zone."""

from datetime import date, timedelta
from decimal import Decimal

from babel.dates import format_skeleton
from babel.numbers import format_decimal
from flask import Flask, url_for
from flask_babel import (
    force_locale,
    format_date,
    format_percent,
    format_timedelta,
    get_locale,
    get_translations,
)
from markupsafe import Markup

from portal.web.i18n import NATIVE_NAMES
from portal.web.phones import shown_phone


def short_date(day: date) -> str:
    """Month and day, the way the reader's language writes them: 11月23日, 23 Nov."""
    return format_skeleton("MMMd", day, locale=get_locale())


def month_name(day: date) -> str:
    """The month day falls in, with its year: 2026年3月, March 2026."""
    return format_skeleton("yMMMM", day, locale=get_locale())


def number(value: float | None) -> str:
    """A number in the reader's language, to one decimal place at most; a dash when there is none."""
    return "—" if value is None else format_decimal(value, "#,##0.#", locale=get_locale())


def money(fen: int) -> str:
    """Integer fen as yuan with the sign residents see on every price board: ¥12.00, in every
    language (the English locale's own symbol would be CN¥)."""
    return "¥" + format_decimal(Decimal(fen) / 100, "#,##0.00", locale=get_locale())


def duration(value: timedelta) -> str:
    """A length of time in words: "12 minutes", "2 hours"."""
    return format_timedelta(value, threshold=1.0)


def minutes(value: float | None) -> str:
    """A duration given in minutes, in words; a dash when there is none."""
    return "—" if value is None else format_timedelta(timedelta(minutes=value), threshold=1.0)


def percent(value: float | None) -> str:
    return "—" if value is None else format_percent(value)


_ICON = Markup(
    '<svg class="icon %s" aria-hidden="true" focusable="false"><use href="%s#%s"></use></svg>'
)


def icon(name: str, class_: str = "") -> Markup:
    """An icon from the portal's own sprite. Decorative, so hidden from screen readers: a word
    always goes with it."""
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


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(icon=icon, language_names=NATIVE_NAMES)
    app.jinja_env.filters["phone_number"] = shown_phone
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["minutes"] = minutes
    app.jinja_env.filters["duration"] = duration
    app.jinja_env.filters["percent"] = percent
    app.jinja_env.filters["long_date"] = lambda day: format_date(day, "full")
    app.jinja_env.filters["day_with_year"] = lambda day: format_date(day, "long")
    app.jinja_env.filters["weekday"] = lambda day: format_date(day, "EEEE")
    app.jinja_env.filters["short_date"] = short_date
    app.jinja_env.filters["month_name"] = month_name
    app.jinja_env.filters["number"] = number
