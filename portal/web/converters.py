"""URL parameter types beyond werkzeug's own."""

from datetime import date

from flask import Flask
from werkzeug.routing import BaseConverter, ValidationError


class DateConverter(BaseConverter):
    """A calendar date written YYYY-MM-DD; anything else is not found."""

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> date:
        try:
            return date.fromisoformat(value)
        except ValueError as error:
            raise ValidationError() from error

    def to_url(self, value: date) -> str:
        return value.isoformat()


def init_app(app: Flask) -> None:
    app.url_map.converters["date"] = DateConverter
