"""Forms of the deeds staff record: a kitchen shift, the helpers of an activity, and a meal
voucher taken at the counter."""

import unicodedata
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, ValidationError

from portal.canteen.labels import MEAL_KINDS
from portal.web.forms import Checkboxes, LocalDateField

MIN_HOURS, MAX_HOURS = Decimal("0.5"), Decimal(12)


def _chosen_id(value) -> int | None:
    """A chosen person's or dish's id; None for the empty choice or anything else."""
    text = str(value)
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None


class Chosen:
    """One of the field's choices (its own check off, to say message instead of WTForms' words)."""

    def __init__(self, message):
        self.message = message

    def __call__(self, form, field):
        if field.data is None or field.data not in [choice.value for choice in field.choices]:
            raise ValidationError(self.message)


class HoursField(StringField):
    """A number of hours, like 3 or 2.5 (full-width digits and "小时" after it are read too)."""

    def process_formdata(self, valuelist):
        text = unicodedata.normalize("NFKC", valuelist[0] if valuelist else "").strip()
        for suffix in ("小时", "小時", "hours", "hour", "h"):
            text = text.removesuffix(suffix).strip()
        self.data = None
        if not text:
            return
        try:
            self.data = Decimal(text.replace(",", "."))
        except InvalidOperation:
            self.data = None
        if self.data is None or not self.data.is_finite():  # "NaN" and "Infinity" are Decimals
            self.data = None
            raise ValueError(_l("Enter the hours as a number, like 3 or 2.5."))

    def _value(self):
        return self.raw_data[0] if self.raw_data else (str(self.data) if self.data else "")


class ShiftForm(FlaskForm):
    """A volunteer's shift in the kitchen: who, which day and meal, how long."""

    helper = SelectField(
        _l("Volunteer"),
        coerce=_chosen_id,
        validate_choice=False,
        validators=[Chosen(_l("Choose the volunteer who helped."))],
    )
    day = LocalDateField(
        _l("Date"), validators=[InputRequired(_l("Enter the date of the shift, like 2026-03-01."))]
    )
    meal = RadioField(
        _l("Lunch or dinner"),
        choices=[SelectChoice(kind, name) for kind, name in MEAL_KINDS.items()],
        validate_choice=False,
        validators=[Chosen(_l("Choose lunch or dinner."))],
    )
    hours = HoursField(
        _l("Hours"), validators=[InputRequired(_l("Enter how many hours they helped."))]
    )

    def __init__(self, volunteers, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.choices = [SelectChoice("", _l("Choose a volunteer"))] + [
            SelectChoice(person.id, person.name) for person in volunteers
        ]

    def validate_hours(self, field):
        hours = field.data
        if hours is not None and not (MIN_HOURS <= hours <= MAX_HOURS and hours * 2 % 1 == 0):
            raise ValidationError(_l("Enter from 0.5 to 12 hours, in half hours."))

    @property
    def minutes(self) -> int:
        return int(self.hours.data * 60)


class HelpersForm(FlaskForm):
    """Who helped at an activity, of those not credited yet."""

    helpers = Checkboxes(_l("Who helped?"), coerce=_chosen_id, validate_choice=False)

    def __init__(self, candidates, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helpers.choices = [SelectChoice(person.id, person.name) for person in candidates]

    def validate_helpers(self, field):
        offered = {choice.value for choice in field.choices}
        if not field.data or not offered.issuperset(field.data):
            raise ValidationError(_l("Choose at least one person who helped."))


class VoucherForm(FlaskForm):
    """The reference on a voucher, and then the meal it pays for. Read from the address, so no
    CSRF token: nothing is taken until the check page is confirmed."""

    class Meta:
        csrf = False

    reference = StringField(
        _l("Voucher reference"),
        filters=[lambda value: value.strip() if value else value],
        validators=[
            InputRequired(_l("Enter the reference on the voucher, like Q000012.")),
            Length(max=20, message=_l("Enter the reference on the voucher, like Q000012.")),
        ],
    )


class DishForm(VoucherForm):
    dish = RadioField(
        _l("Which meal does the voucher pay for?"),
        coerce=_chosen_id,
        validate_choice=False,
        validators=[Chosen(_l("Choose the meal the voucher pays for."))],
    )

    def __init__(self, choices, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.dish.choices = choices


class TakeVoucherForm(FlaskForm):
    """The check page's confirmation: the voucher and the dish, as checked."""

    reference = HiddenField(validators=[InputRequired()])
    dish = HiddenField(validators=[InputRequired()])
