from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length
from wtforms.widgets import PasswordInput

from portal.accounts.labels import CHANNELS, KINSHIP_LABELS
from portal.web.forms import Digits, Phone


def resident_code_field() -> StringField:
    """The code on a resident's slip, by which staff find whom they act for."""
    return StringField(
        _l("Resident code"),
        filters=[lambda value: value.strip() if value else value],
        validators=[
            InputRequired(_l("Enter the resident code, from their slip or the resident list.")),
            Length(max=12, message=_l("A resident code has 6 digits.")),
        ],
    )


def channel_field() -> RadioField:
    """How a resident without a device asked the staff member acting for them."""
    return RadioField(
        _l("How they asked"),
        choices=[SelectChoice(c.value, name) for c, name in CHANNELS.items()],
        validators=[InputRequired(_l("Choose how they asked."))],
    )


class SignInForm(FlaskForm):
    phone = StringField(
        _l("Mobile number"),
        validators=[InputRequired(_l("Enter your mobile number.")), Phone()],
    )
    password = PasswordField(
        _l("Password"),
        validators=[
            InputRequired(_l("Enter your password.")),
            Length(max=128, message=_l("A password has at most 128 characters.")),
        ],
    )
    next = HiddenField()


class ResidentCodeForm(FlaskForm):
    code = StringField(
        _l("Your resident code"),
        validators=[
            InputRequired(_l("Enter your resident code.")),
            Digits(6, 6, _l("Your resident code has 6 digits. It is on your resident card.")),
        ],
    )


class PinForm(FlaskForm):
    # The keypad without JavaScript posts the PIN typed so far and redraws it, so the field must
    # keep its value; the page is only ever sent back to the kiosk that typed it.
    pin = PasswordField(
        _l("Your PIN"),
        widget=PasswordInput(hide_value=False),
        validators=[
            InputRequired(_l("Enter your PIN.")),
            Digits(4, 6, _l("Your PIN has 4 to 6 digits, using only the numbers on the keypad.")),
        ],
    )


def _new_password(label, required) -> PasswordField:
    """A password being chosen: 8 to 128 characters."""
    return PasswordField(
        label,
        validators=[
            InputRequired(required),
            Length(8, 128, message=_l("A password has 8 to 128 characters.")),
        ],
    )


def _same_again(label, required) -> PasswordField:
    """The chosen password typed again."""
    return PasswordField(
        label,
        validators=[
            InputRequired(required),
            EqualTo("password", message=_l("The two passwords are not the same.")),
        ],
    )


class RegisterForm(FlaskForm):
    name = StringField(
        _l("Your name"),
        validators=[
            InputRequired(_l("Enter your name.")),
            Length(max=40, message=_l("A name has at most 40 characters.")),
        ],
    )
    phone = StringField(
        _l("Mobile number"),
        validators=[InputRequired(_l("Enter your mobile number.")), Phone()],
    )
    password = _new_password(_l("Choose a password"), _l("Choose a password."))
    confirm = _same_again(_l("Type the password again"), _l("Type the password again."))
    consent = BooleanField(
        _l("I have read how Linli uses my details, and agree"),
        validators=[DataRequired(_l("Agree to how Linli uses your details to register."))],
    )


class LinkRequestForm(FlaskForm):
    resident_code = StringField(
        _l("Their resident code"),
        validators=[
            InputRequired(_l("Enter the resident code of the person you help.")),
            Digits(6, 6, _l("A resident code has 6 digits. It is on the resident's card.")),
        ],
    )
    kinship = RadioField(
        _l("You are their"),
        choices=[SelectChoice(value, label) for value, label in KINSHIP_LABELS.items()],
        validators=[InputRequired(_l("Choose how you are related."))],
    )


class KioskEnrolForm(FlaskForm):
    # Without an empty first option, HTML forbids "required" on a select; the server checks it.
    community = SelectField(
        _l("Community"),
        coerce=int,
        validators=[InputRequired(_l("Choose a community."))],
        render_kw={"required": False},
    )
    location = StringField(
        _l("Where the kiosk stands"),
        validators=[
            InputRequired(_l("Say where the kiosk stands, for example the activity room.")),
            Length(max=60, message=_l("A location has at most 60 characters.")),
        ],
    )


class FindPersonForm(FlaskForm):
    class Meta:
        csrf = False  # a search changes nothing

    person = StringField(
        _l("Resident code or mobile number"),
        validators=[
            InputRequired(_l("Enter a resident code or a mobile number.")),
            Length(
                max=20, message=_l("A resident code or mobile number has at most 20 characters.")
            ),
        ],
    )


class NewPasswordForm(FlaskForm):
    """A password of one's own, after signing in with the office's one-time code."""

    password = _new_password(_l("Your new password"), _l("Choose a password."))
    confirm = _same_again(_l("Type the new password again"), _l("Type the new password again."))


class PasswordChangeForm(FlaskForm):
    current = PasswordField(
        _l("Your password now"),
        validators=[
            InputRequired(_l("Enter the password you sign in with now.")),
            Length(max=128, message=_l("A password has at most 128 characters.")),
        ],
    )
    password = _new_password(_l("New password"), _l("Choose a new password."))
    confirm = _same_again(_l("Type the new password again"), _l("Type the new password again."))
