from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import InputRequired, Length, Optional, Regexp, ValidationError

from portal.web.forms import LocalDateField


class PartnerForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[
            InputRequired(_l("Enter the partner's name, for example the property company.")),
            Length(max=80, message=_l("A name has at most 80 characters.")),
        ],
    )
    phone = StringField(
        _l("Phone number"),
        validators=[
            Optional(),
            Regexp(
                r"^[0-9+\-\s]{3,20}$",
                message=_l("Enter a phone number: digits, spaces and dashes."),
            ),
        ],
    )


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a search changes nothing

    person = StringField(
        _l("Person: name, mobile number or resident code"),
        validators=[Optional(), Length(max=40, message=_l("Type at most 40 characters."))],
    )
    start = LocalDateField(_l("From"), validators=[Optional()])
    end = LocalDateField(_l("To"), validators=[Optional()])

    def validate_end(self, field):
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError(_l("The end date must be on or after the start date."))
