from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, Regexp, ValidationError

from portal.web.forms import ClockTimeField, LocalDateField
from portal.web.i18n import NATIVE_NAMES

EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


def _stripped(value):
    return value.strip() if value else value


class TellingForm(FlaskForm):
    """How a person wants to be told, besides the inbox: in which language, by e-mail, and
    hours to be left in peace."""

    language = RadioField(
        _l("Language of your messages"),
        choices=[SelectChoice(code, name) for code, name in NATIVE_NAMES.items()],
        validators=[Optional()],
    )

    email = StringField(
        _l("E-mail address"),
        filters=[_stripped],
        validators=[
            Optional(),
            Length(max=254, message=_l("An e-mail address has at most 254 characters.")),
            Regexp(EMAIL, message=_l("Enter an e-mail address like name@example.cn.")),
        ],
    )
    by_email = BooleanField(_l("Send me my messages by e-mail too"))
    by_sms = BooleanField(_l("Send me my messages by text message too"))
    by_wechat = BooleanField(_l("Send me my messages in WeChat too"))
    away_until = LocalDateField(_l("Away until"), validators=[Optional()])
    quiet_from = ClockTimeField(_l("Quiet from"), validators=[Optional()])
    quiet_until = ClockTimeField(_l("Quiet until"), validators=[Optional()])

    def validate_by_email(self, field):
        if field.data and not self.email.data:
            raise ValidationError(_l("Enter the e-mail address to send them to."))

    def validate_quiet_until(self, field):
        if field.data == self.quiet_from.data:
            raise ValidationError(_l("Quiet hours end at another time than they start."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        start, end = self.quiet_from, self.quiet_until
        if valid and (start.data is None) != (end.data is None):
            (end if end.data is None else start).errors.append(_l("Give both times, or neither."))
            return False
        return valid


class SmsCodeForm(FlaskForm):
    """The code texted to a person's mobile number, typed back to prove it is theirs."""

    code = StringField(
        _l("The code in the text message"),
        filters=[_stripped],
        validators=[
            InputRequired(_l("Type the six digits of the code.")),
            Regexp(r"^\d{6}$", message=_l("Type the six digits of the code.")),
        ],
    )
