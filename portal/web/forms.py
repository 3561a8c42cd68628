"""Validators and helpers shared by the feature forms."""

import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectMultipleField, StringField, TimeField
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from portal.web.converters import FIRST_DAY, LAST_DAY, in_range
from portal.web.phones import international_phone, is_valid_phone, normalise_phone


class Phone:
    """A Chinese mobile number: 11 digits starting with 1, spaces and dashes allowed."""

    def __call__(self, form, field):
        if field.data and not is_valid_phone(normalise_phone(field.data)):
            raise ValidationError(_l("Enter a mobile number of 11 digits, like 138 0013 8000."))


class AnyPhone:
    """A number anyone could call: a fixed line with its area code, a mobile, or a number in Hong
    Kong, Macau, Taiwan or abroad after its country code."""

    def __call__(self, form, field):
        if field.data and international_phone(field.data) is None:
            raise ValidationError(
                _l(
                    "Enter a phone number with its area code, like 010 8555 1234, or + and the country code."
                )
            )


class WholeNumberField(IntegerField):
    """A whole number, typed with full-width digits or a unit after it (suffixes), or refused
    with not_a_number."""

    suffixes: tuple[str, ...] = ()
    not_a_number = _l("Enter a whole number, like 3.")

    def process_formdata(self, valuelist):
        text = unicodedata.normalize("NFKC", valuelist[0] if valuelist else "").strip()
        for suffix in self.suffixes:
            text = text.removesuffix(suffix).strip()
        self.data = None
        if not text:
            return
        try:
            self.data = int(text)
        except ValueError as error:
            raise ValueError(self.not_a_number) from error


class FloorField(WholeNumberField):
    """A floor number; "3楼", "3层" and "3F" are read as 3."""

    suffixes = ("楼", "层", "F", "f")
    not_a_number = _l("Enter the floor as a number, like 3.")


class MonthsField(WholeNumberField):
    """A number of months; "36个月" is read as 36."""

    suffixes = ("个月", "個月", "months", "month")
    not_a_number = _l("Enter a number of months, like 36.")


class Digits:
    """Only the digits 0–9, between minimum and maximum of them."""

    def __init__(self, minimum: int, maximum: int, message):
        self.minimum, self.maximum, self.message = minimum, maximum, message

    def __call__(self, form, field):
        value = field.data or ""
        if not (value.isascii() and value.isdigit() and self.minimum <= len(value) <= self.maximum):
            raise ValidationError(self.message)


# A form that came back with reasons answers 422 Unprocessable Content, whichever rule refused it
# (a field, a full canteen, a wrong PIN); base.html tells htmx to swap such an answer in.
REFUSED = 422


def status_for(*forms) -> int:
    """REFUSED when any of forms holds an error to show, 200 when the page is only being drawn."""
    return REFUSED if any(form is not None and form.errors for form in forms) else 200


def safe_next(target: str | None, default: str) -> str:
    """Return target when it is a path on this site, else default; never an open redirect. A
    control character (a CR or LF would split the Location header) or a backslash (which browsers
    read as a slash) is not part of any of our paths."""
    if not target or not target.isprintable() or "\\" in target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target.rstrip("?") or default


class LocalDateField(DateField):
    """A date typed as YYYY-MM-DD (the browser's date picker sends that), with our own message."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format="%Y-%m-%d", **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(_l("Enter a date like 2026-03-01.")) from error
        if self.data is not None and not in_range(self.data):
            self.data = None
            raise ValueError(
                _l(
                    "Enter a date between %(first)s and %(last)s.",
                    first=FIRST_DAY.isoformat(),
                    last=LAST_DAY.isoformat(),
                )
            )


class ClockTimeField(TimeField):
    """A time of day typed as HH:MM (the browser's time picker sends that), with our own message."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format="%H:%M", **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(_l("Enter a time like 07:30.")) from error


class Checkboxes(SelectMultipleField):
    """Several choices, each a checkbox."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class YuanField(StringField):
    """An amount typed in yuan ("12", "12.5", "¥12.50"), held as whole fen; the field's validators
    say which amounts it takes."""

    def process_formdata(self, valuelist):
        self.data = None
        text = (valuelist[0] if valuelist else "").strip().lstrip("¥￥").strip()
        if not text:
            return
        try:
            amount = Decimal(text)
            # Whole fen, and few enough digits to be exact (1e999 and 10**40 are neither).
            exact = amount.is_finite() and amount == amount.quantize(Decimal("0.01"))
        except InvalidOperation:
            exact = False
        if not exact:
            raise ValueError(_l("Enter an amount in yuan, like 12 or 12.50."))
        self.data = int(amount * 100)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else f"{self.data / 100:.2f}"


class MonthField(StringField):
    """A month typed as YYYY-MM (the browser's month picker sends that); data is its first day."""

    def process_formdata(self, valuelist):
        self.data = None
        text = (valuelist[0] if valuelist else "").strip()
        if not text:
            return
        try:
            year, month = (int(part) for part in text.split("-"))
            self.data = date(year, month, 1)
        except ValueError as error:
            raise ValueError(_l("Enter a month like 2026-03.")) from error
        if not in_range(self.data):
            self.data = None
            raise ValueError(_l("Enter a month like 2026-03."))

    def _value(self):
        # A month input holds a valid month or nothing: what was refused is named in its error.
        return self.data.strftime("%Y-%m") if self.data else ""


def words_field(label, required=None, max_length: int = 60) -> StringField:
    """Words in one language, stripped; required gives the message for when they are missing."""
    return StringField(
        label,
        filters=[lambda text: text.strip() if text else text],
        validators=[
            DataRequired(required) if required else Optional(),
            Length(
                max=max_length,
                message=_l("Please keep it under %(max)s characters.", max=max_length),
            ),
        ],
    )
