"""Template helpers: dates and money in the reader's language and the community's time zone."""

from datetime import date, datetime

from flask import Flask
from flask_babel import format_currency, format_date, get_timezone


def today() -> date:
    """Today's date in the configured time zone."""
    return datetime.now(get_timezone()).date()


def money(fen: int) -> str:
    """Integer fen as the locale writes yuan, e.g. ¥12.00."""
    return format_currency(fen / 100, "CNY")


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(today=today)
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["long_date"] = lambda day: format_date(day, "full")
