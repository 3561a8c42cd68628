from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from portal.accounts.forms import channel_field, resident_code_field
from portal.help import labels
from portal.help.catalogue import ANSWER_MAX_LENGTH
from portal.help.models import RESIDENT_CATEGORIES
from portal.help.services import NOTE_MAX_LENGTH
from portal.web.forms import LocalDateField

TOO_LONG = _l("Please keep it under %(max)s characters.", max=NOTE_MAX_LENGTH)


def _text(label, required_message, id: str = "text"):
    """The form's words; a form that shares its page with others names its own id."""
    return TextAreaField(
        label,
        validators=[InputRequired(required_message), Length(max=NOTE_MAX_LENGTH, message=TOO_LONG)],
        id=id,
    )


class ResidentNoteForm(FlaskForm):
    text = _text(_l("Tell us more"), _l("Type a few words, or press the microphone and speak."))


class WorkerNoteForm(FlaskForm):
    text = _text(_l("Note"), _l("Write the note."), id="note-text")
    visible = BooleanField(_l("The resident and their family may read this note"))


class HandOffForm(FlaskForm):
    partner = SelectField(
        _l("Hand to"),
        coerce=int,
        validators=[InputRequired(_l("Choose who takes it over."))],
        render_kw={"required": False},
    )
    text = _text(
        _l("What they should do"), _l("Say what the partner should do."), id="hand-off-text"
    )


class ResolveForm(FlaskForm):
    text = _text(_l("What was done"), _l("Say what was done, in a few words."), id="resolve-text")


class EscalateForm(FlaskForm):
    text = _text(
        _l("Why it needs the next level"), _l("Give the reason for escalating."), id="escalate-text"
    )


class ReportForm(FlaskForm):
    class Meta:
        csrf = False  # a report changes nothing

    start = LocalDateField(_l("From"), validators=[Optional()])
    end = LocalDateField(_l("To"), validators=[Optional()])
    by = RadioField(
        _l("One row per"),
        choices=[SelectChoice("grid", _l("Grid")), SelectChoice("category", _l("Kind of request"))],
        default="grid",
        validators=[Optional()],
    )

    def validate_end(self, field):
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError(_l("The end date must be on or after the start date."))


class RaiseForForm(FlaskForm):
    """A request a resident without a device makes through staff: who, what, how they asked."""

    code = resident_code_field()
    category = RadioField(
        _l("What they need"),
        choices=[SelectChoice(c.value, labels.CATEGORY_TITLES[c]) for c in RESIDENT_CATEGORIES],
        validators=[InputRequired(_l("Choose what they need."))],
    )
    channel = channel_field()
    text = TextAreaField(
        _l("What they said"),
        validators=[Optional(), Length(max=NOTE_MAX_LENGTH, message=TOO_LONG)],
    )


def answer_form(question, index: int, locale: str, formdata, *, final: bool) -> FlaskForm:
    """One question of a service as a form of one field, a{index}: a choice, yes or no, or words.
    The last question's form sends the request, so it carries the CSRF token; the others only
    lead to the next question."""

    class AnswerForm(FlaskForm):
        pass

    if not final:
        AnswerForm.Meta = type("Meta", (), {"csrf": False})

    label = question.text(locale)
    if question.kind == "text":
        field = TextAreaField(
            label,
            validators=[
                InputRequired(_l("Write a few words.")) if question.required else Optional(),
                Length(
                    max=ANSWER_MAX_LENGTH,
                    message=_l("Please keep it under %(max)s characters.", max=ANSWER_MAX_LENGTH),
                ),
            ],
        )
    else:
        if question.kind == "yes_no":
            choices = [SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))]
        else:
            choices = [
                SelectChoice(str(i), choice.get(locale) or next(iter(choice.values()), ""))
                for i, choice in enumerate(question.choices)
            ]
        field = RadioField(
            label,
            choices=choices,
            validators=[
                InputRequired(_l("Choose an answer.")) if question.required else Optional()
            ],
        )
    setattr(AnswerForm, f"a{index}", field)
    return AnswerForm(formdata=formdata)
