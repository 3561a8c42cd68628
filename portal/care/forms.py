from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from portal.accounts.labels import CARE_CADENCES
from portal.care.labels import OUTCOMES
from portal.care.services import NOTE_MAX_LENGTH, REASON_MAX_LENGTH
from portal.help.labels import CATEGORY_TITLES
from portal.help.models import RESIDENT_CATEGORIES
from portal.web.forms import LocalDateField, MonthField


class VisitForm(FlaskForm):
    """How a visit went, a note among staff, and help it showed was needed."""

    outcome = RadioField(
        _l("How was it?"),
        choices=[SelectChoice(o.value, name) for o, name in OUTCOMES.items()],
        validators=[InputRequired(_l("Choose how the visit went."))],
    )
    note = TextAreaField(
        _l("Note (for staff only)"),
        validators=[
            Optional(),
            Length(max=NOTE_MAX_LENGTH, message=_l("Type at most 500 characters.")),
        ],
    )
    needs_help = SelectField(
        _l("Needs help?"),
        choices=[SelectChoice("", _l("No help needed"))]
        + [SelectChoice(c.value, CATEGORY_TITLES[c]) for c in RESIDENT_CATEGORIES],
        validators=[Optional()],
    )


class ColourForm(FlaskForm):
    """The resident's care colour, and why."""

    colour = RadioField(
        _l("Care colour"),
        choices=[SelectChoice(c.value, name) for c, name in CARE_CADENCES.items()],
        validators=[InputRequired(_l("Choose a colour."))],
    )
    reason = StringField(
        _l("Why"),
        filters=[lambda value: value.strip() if value else value],
        validators=[
            Length(max=REASON_MAX_LENGTH, message=_l("Type at most 200 characters.")),
        ],
    )

    def validate_reason(self, field):
        if not field.data:
            raise ValidationError(_l("Say why, for whoever visits next."))


def _days(label) -> IntegerField:
    return IntegerField(
        label,
        validators=[
            InputRequired(_l("Enter a number of days, from 1 to 366.")),
            NumberRange(1, 366, message=_l("Enter a number of days, from 1 to 366.")),
        ],
    )


class CadenceForm(FlaskForm):
    """How many days may pass between two visits, per colour, in the admin's community."""

    red = _days(_l("Red: days between visits"))
    yellow = _days(_l("Yellow: days between visits"))
    green = _days(_l("Green: days between visits"))
    other_contacts = BooleanField(
        _l(
            "A meal handed over at the door, a kiosk sign-in, an activity check-in or “I'm fine today” counts as a visit for yellow and green"
        )
    )


DEADLINES = ("08:00", "09:00", "10:00", "11:00", "12:00")


class CheckInPlanForm(FlaskForm):
    """Whether the resident checks in every day, and by when."""

    deadline = RadioField(
        _l("Check in every day by"),
        choices=[SelectChoice("", _l("No daily check-in"))]
        + [SelectChoice(d, d) for d in DEADLINES],
        validators=[Optional()],
    )


class PauseForm(FlaskForm):
    """No visits due until a day: in hospital, staying with family."""

    resumes_on = LocalDateField(
        _l("Visits resume on"), validators=[InputRequired(_l("Enter the day visits resume."))]
    )
    reason = StringField(
        _l("Why"),
        filters=[lambda value: value.strip() if value else value],
        validators=[
            InputRequired(_l("Say why, for whoever visits next.")),
            Length(max=REASON_MAX_LENGTH, message=_l("Type at most 200 characters.")),
        ],
    )


class CareReportForm(FlaskForm):
    class Meta:
        csrf = False  # a report changes nothing

    month = MonthField(_l("Month"), validators=[Optional()])
    by = RadioField(
        _l("One row per"),
        choices=[
            SelectChoice("grid", _l("Grid")),
            SelectChoice("community", _l("Community")),
        ],
        default="grid",
        validators=[Optional()],
    )
