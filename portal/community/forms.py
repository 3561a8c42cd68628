from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import InputRequired, Length, Optional, Regexp

from portal.web.i18n import lazy_gettext as _l


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
