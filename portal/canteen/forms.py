from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from portal.canteen.labels import MODES


class ConfirmBookingForm(FlaskForm):
    mode = RadioField(
        _l("How will you have it?"),
        choices=[SelectChoice(value, label) for value, label in MODES.items()],
        default="dine_in",
        validators=[InputRequired(_l("Choose whether you eat in the canteen or take it home."))],
    )
