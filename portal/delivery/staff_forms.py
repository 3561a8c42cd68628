"""Forms of the canteen staff's delivery pages: find a resident, approve or decline an application."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from portal.delivery.labels import DECLINE_CHOICES
from portal.delivery.services import NOTE_MAX_LENGTH
from portal.web.forms import LocalDateField


class ResidentLookupForm(FlaskForm):
    code = StringField(
        _l("Resident code"),
        validators=[
            InputRequired(_l("Enter the resident's code.")),
            Length(max=12, message=_l("A resident code is at most 12 characters.")),
        ],
    )


class ApproveForm(FlaskForm):
    start_day = LocalDateField(
        _l("First delivery on"), validators=[InputRequired(_l("Enter the day of the first meal."))]
    )


class DeclineForm(FlaskForm):
    reason = RadioField(
        _l("Why it is declined"),
        choices=[SelectChoice(value, label) for value, label in DECLINE_CHOICES.items()],
        validators=[InputRequired(_l("Choose why the application is declined."))],
        validate_choice=False,  # the service refuses what is not a reason, in our own words
    )
    note = TextAreaField(
        _l("A note for the applicant (optional)"),
        validators=[
            Optional(),
            Length(
                max=NOTE_MAX_LENGTH,
                message=_l("Please keep it under %(max)s characters.", max=NOTE_MAX_LENGTH),
            ),
        ],
    )
