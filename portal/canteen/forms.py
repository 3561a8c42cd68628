from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from portal.accounts.forms import channel_field
from portal.canteen.labels import MODES


def _mode_field(label) -> RadioField:
    return RadioField(
        label,
        choices=[SelectChoice(value, label) for value, label in MODES.items()],
        default="dine_in",
        validators=[InputRequired(_l("Choose whether you eat in the canteen or take it home."))],
    )


# The choice to pay with money at the counter, beside the resident's vouchers.
PAY_WITH_MONEY = "money"


class ConfirmBookingForm(FlaskForm):
    mode = _mode_field(_l("How will you have it?"))
    # What pays for the meal, when the resident holds something other than money to pay with
    # (the view sets the choices, or removes the field when there is nothing to choose).
    pay = RadioField(
        _l("How will you pay?"),
        validators=[InputRequired(_l("Choose how you will pay for the meal."))],
    )


class StaffBookingForm(ConfirmBookingForm):
    """Booking by a grid worker or admin for a resident who asked them without a device."""

    mode = _mode_field(_l("How will they have it?"))
    channel = channel_field()
