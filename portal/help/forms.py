from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length

from portal.help.services import NOTE_MAX_LENGTH

TOO_LONG = _l("Please keep it under %(max)s characters.", max=NOTE_MAX_LENGTH)


def _text(label, required_message):
    return TextAreaField(
        label,
        validators=[InputRequired(required_message), Length(max=NOTE_MAX_LENGTH, message=TOO_LONG)],
    )


class ResidentNoteForm(FlaskForm):
    text = _text(_l("Tell us more"), _l("Type a few words, or press the microphone and speak."))


class WorkerNoteForm(FlaskForm):
    text = _text(_l("Note"), _l("Write the note."))
    visible = BooleanField(_l("The resident and their family may read this note"))


class HandOffForm(FlaskForm):
    partner = SelectField(
        _l("Hand to"),
        coerce=int,
        validators=[InputRequired(_l("Choose who takes it over."))],
        render_kw={"required": False},
    )
    text = _text(_l("What they should do"), _l("Say what the partner should do."))


class ResolveForm(FlaskForm):
    text = _text(_l("What was done"), _l("Say what was done, in a few words."))


class EscalateForm(FlaskForm):
    text = _text(_l("Why it needs the next level"), _l("Give the reason for escalating."))
