from uuid import uuid4

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)
from wtforms.widgets import TextInput

from portal.web.forms import WholeNumberField


def one_time_key() -> str:
    return uuid4().hex


class RedeemForm(FlaskForm):
    """Getting a voucher: the confirmation carries its own key, so that a second tap, or the
    page sent again, gets the same voucher rather than another."""

    key = HiddenField(default=one_time_key, validators=[InputRequired(), Length(max=40)])


class PointsField(WholeNumberField):
    """A number of points; "20分" and "20 积分" are read as 20."""

    suffixes = ("积分", "積分", "分", "points", "point")
    not_a_number = _l("Enter the points as a whole number, like 20.")


def _unreadable_stops(form, field) -> None:
    """A number that could not be read is refused with its own message only."""
    if field.process_errors:
        raise StopValidation()


TO_THE_POOL = "pool"
TO_A_NEIGHBOUR = "neighbour"


class GiveForm(FlaskForm):
    """Giving points to a neighbour, found by their mobile number or resident code, or to the
    community's pool. Sent again with confirmed set, from the check page, it gives them."""

    to = RadioField(
        _l("Who gets the points?"),
        choices=[
            SelectChoice(TO_A_NEIGHBOUR, _l("A neighbour")),
            SelectChoice(TO_THE_POOL, _l("The community's pool, for neighbours in need")),
        ],
        default=TO_A_NEIGHBOUR,
        validators=[InputRequired(_l("Choose who gets the points."))],
    )
    who = StringField(
        _l("Their mobile number or resident code"),
        validators=[Optional(), Length(max=20, message=_l("Type at most 20 characters."))],
    )
    points = PointsField(
        _l("How many points"),
        # A text box with a numeric keypad: what was typed wrongly comes back as it was typed.
        widget=TextInput(),
        validators=[
            _unreadable_stops,
            InputRequired(_l("Enter how many points to give.")),
            NumberRange(min=1, max=10000, message=_l("Enter a number of points from 1 to 10,000.")),
        ],
    )
    key = HiddenField(default=one_time_key, validators=[InputRequired(), Length(max=40)])
    confirmed = HiddenField()

    def validate_who(self, field) -> None:
        if self.to.data == TO_A_NEIGHBOUR and not (field.data or "").strip():
            raise ValidationError(_l("Enter your neighbour's mobile number or resident code."))
