"""URL parameters and request values the database can hold: anything else is not found, or is
dropped before it reaches a form.

Ids fit the database's integer, dates lie within the years the portal deals in, and text carries
no control characters (PostgreSQL refuses a NUL in text; a CR or LF in a value that goes into a
header would split it)."""

import re
from datetime import date

from flask import Flask
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.routing import BaseConverter, IntegerConverter, UnicodeConverter, ValidationError

# The largest id a PostgreSQL integer column holds.
LARGEST_ID = 2**31 - 1
# The days the portal deals in: a birth date of 1900 or a booking in 2099, never year 1 or 9999,
# whose neighbouring days do not exist.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2099, 12, 31)
# C0 controls but tab, line feed and carriage return (which a text area sends), and DEL.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def in_range(day: date) -> bool:
    return FIRST_DAY <= day <= LAST_DAY


def parse_id(value) -> int | None:
    """value as an id the database can hold, or None."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= LARGEST_ID else None


def parse_day(value) -> date | None:
    """value as a YYYY-MM-DD day within the portal's years, or None."""
    try:
        day = date.fromisoformat(str(value).strip())
    except (TypeError, ValueError):
        return None
    return day if in_range(day) else None


class IdConverter(IntegerConverter):
    """`<int:…>`: a whole number from 1 to the database's largest id; anything else is not found."""

    def __init__(self, map, fixed_digits=0, min=1, max=LARGEST_ID, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class TextConverter(UnicodeConverter):
    """`<string:…>` (the default): any text without a slash or a control character."""

    def __init__(self, map, minlength=1, maxlength=200, length=None):  # noqa: A002
        super().__init__(map, minlength=minlength, maxlength=maxlength, length=length)
        self.regex = self.regex.replace("[^/]", r"[^/\x00-\x1f\x7f]")


class DateConverter(BaseConverter):
    """A calendar date written YYYY-MM-DD within the portal's years; anything else is not found."""

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> date:
        day = parse_day(value)
        if day is None:
            raise ValidationError()
        return day

    def to_url(self, value: date) -> str:
        return value.isoformat()


class CleanValues(ImmutableMultiDict):
    """The query string's and the form's values, with control characters dropped."""

    def __init__(self, mapping=None):
        if isinstance(mapping, MultiDict):
            pairs = mapping.items(multi=True)
        elif isinstance(mapping, dict):
            pairs = mapping.items()
        else:
            pairs = mapping or ()
        super().__init__((_clean(key), _clean(value)) for key, value in pairs)


def _clean(value):
    return CONTROL_CHARACTERS.sub("", value) if isinstance(value, str) else value


def init_app(app: Flask) -> None:
    """Before any blueprint adds its routes (a rule takes its converters when it is added), and
    after any extension that brings its own request class (htmx's), which this one extends."""

    class CleanRequest(app.request_class):
        parameter_storage_class = CleanValues

    app.request_class = CleanRequest
    app.url_map.converters.update(
        int=IdConverter, default=TextConverter, string=TextConverter, date=DateConverter
    )
