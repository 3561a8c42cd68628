"""Forms of the kitchen sheet and the counter: which day, and whose booking."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length, Optional

from portal.web.forms import LocalDateField


class DayForm(FlaskForm):
    """The day to show; empty means today. Read from the address, so no CSRF token."""

    class Meta:
        csrf = False

    day = LocalDateField(_l("Day"), validators=[Optional()])


class CounterSearchForm(DayForm):
    q = StringField(
        _l("Find a booking"),
        validators=[Optional(), Length(max=40, message=_l("Please keep it under 40 characters."))],
    )
