"""What a partner's people send about a request handed to them."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from portal.help.services import NOTE_MAX_LENGTH
from portal.web.forms import MonthField, WholeNumberField

# A week: longer, and a partner that never answers keeps a resident waiting for days.
MOST_MINUTES = 7 * 24 * 60
TOO_LONG = _l("Please keep it under %(max)s characters.", max=NOTE_MAX_LENGTH)


def _text(label, required_message, id: str):
    """Words that must say something: spaces alone are refused."""
    return TextAreaField(
        label,
        filters=[lambda text: text.strip() if text else text],
        validators=[DataRequired(required_message), Length(max=NOTE_MAX_LENGTH, message=TOO_LONG)],
        id=id,
    )


class AcceptForm(FlaskForm):
    """Accepting needs nothing but the button."""


class DeclineForm(FlaskForm):
    reason = _text(
        _l("Why you cannot do it"),
        _l("Say why, so the grid worker can find someone else."),
        id="decline-reason",
    )


class PartnerNoteForm(FlaskForm):
    text = _text(_l("Note"), _l("Write the note."), id="note-text")
    shown_to = RadioField(
        _l("Who may read it"),
        choices=[
            SelectChoice("resident", _l("The resident and their family, and the grid worker")),
            SelectChoice("staff", _l("Only the grid worker and partners")),
        ],
        default="resident",
        validators=[InputRequired(_l("Choose who may read it."))],
    )


class HandOnForm(FlaskForm):
    partner = SelectField(
        _l("Hand on to"),
        coerce=int,
        validators=[InputRequired(_l("Choose who takes it over."))],
        render_kw={"required": False},
    )
    text = _text(
        _l("What they should do"), _l("Say what the partner should do."), id="hand-on-text"
    )


class DoneForm(FlaskForm):
    text = _text(
        _l("What was done"),
        _l("Say what was done, in a few words: the resident reads it."),
        id="done-text",
    )


class MinutesField(WholeNumberField):
    """A number of minutes; "30分钟" is read as 30."""

    suffixes = ("分钟", "分鐘", "minutes", "minute", "min")
    not_a_number = _l("Enter a number of minutes, like 30.")


def _minutes(label):
    return MinutesField(
        label,
        validators=[
            InputRequired(_l("Enter a number of minutes.")),
            NumberRange(min=1, max=MOST_MINUTES, message=_l("Enter minutes from 1 to 10080.")),
        ],
    )


class AcceptTimeForm(FlaskForm):
    """How long a partner has to accept a request handed to it before it goes back."""

    minutes = _minutes(_l("Minutes to accept a request"))
    urgent_minutes = _minutes(_l("Minutes to accept an urgent request"))


SCORES = (
    SelectChoice("5", _l("5: very good")),
    SelectChoice("4", _l("4: good")),
    SelectChoice("3", _l("3: fair")),
    SelectChoice("2", _l("2: poor")),
    SelectChoice("1", _l("1: very poor")),
)


def _score(label):
    return RadioField(
        label,
        choices=SCORES,
        coerce=int,
        validators=[InputRequired(_l("Choose a score from 1 to 5."))],
    )


class RatingForm(FlaskForm):
    """The review panel's month on a partner: three scores and what it said."""

    speed = _score(_l("How quickly it came"))
    quality = _score(_l("How well it did the work"))
    manner = _score(_l("How it treated residents"))
    panel = StringField(
        _l("Who reviewed it"),
        validators=[
            Optional(),
            Length(max=200, message=_l("Please keep it under 200 characters.")),
        ],
    )
    comment = TextAreaField(
        _l("What the panel said"),
        validators=[Optional(), Length(max=NOTE_MAX_LENGTH, message=TOO_LONG)],
    )


class MonthForm(FlaskForm):
    class Meta:
        csrf = False  # a report changes nothing

    month = MonthField(_l("Month"), validators=[Optional()])
