from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from portal.paperwork.labels import OUTCOMES
from portal.paperwork.services import DOCUMENT_MAX_LENGTH, NOTE_MAX_LENGTH
from portal.web.forms import LocalDateField, words_field

MAX_DOCUMENTS = 12


def _strip(text):
    return text.strip() if text else text


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _document_list(label):
    return TextAreaField(label, validators=[Optional()])


class KindForm(FlaskForm):
    """A kind of paperwork, as a community's admins set it: its name and the documents to have
    ready, one a line, in each language."""

    name_zh_hans = words_field(
        _l("Name in Simplified Chinese"), required=_l("Enter the name in Simplified Chinese.")
    )
    name_zh_hant = words_field(_l("Name in Traditional Chinese"))
    name_en = words_field(_l("Name in English"))
    documents_zh_hans = _document_list(
        _l("Documents to have ready, one a line, in Simplified Chinese")
    )
    documents_zh_hant = _document_list(_l("The same documents in Traditional Chinese"))
    documents_en = _document_list(_l("The same documents in English"))
    every = RadioField(
        _l("How often"),
        choices=[
            SelectChoice("once", _l("Once, when the resident asks")),
            SelectChoice("12", _l("Every year: the portal reminds the resident when it is due")),
        ],
        default="once",
        validators=[InputRequired(_l("Choose how often it is done."))],
    )

    def validate_documents_zh_hans(self, field):
        lines = _lines(field.data)
        if len(lines) > MAX_DOCUMENTS:
            raise ValidationError(_l("List at most %(num)s documents.", num=MAX_DOCUMENTS))
        if any(len(line) > DOCUMENT_MAX_LENGTH for line in lines):
            raise ValidationError(
                _l("Keep each document under %(max)s characters.", max=DOCUMENT_MAX_LENGTH)
            )

    def _same_count(self, field):
        lines = _lines(field.data)
        if lines and len(lines) != len(_lines(self.documents_zh_hans.data)):
            raise ValidationError(
                _l("List as many documents as in Simplified Chinese, in the same order.")
            )
        if any(len(line) > DOCUMENT_MAX_LENGTH for line in lines):
            raise ValidationError(
                _l("Keep each document under %(max)s characters.", max=DOCUMENT_MAX_LENGTH)
            )

    validate_documents_zh_hant = _same_count
    validate_documents_en = _same_count

    def documents(self) -> list[dict]:
        """The documents as [{language: words}], the other languages' lines beside each."""
        columns = {
            "zh_Hans": _lines(self.documents_zh_hans.data),
            "zh_Hant": _lines(self.documents_zh_hant.data),
            "en": _lines(self.documents_en.data),
        }
        return [
            {
                language: lines[index]
                for language, lines in columns.items()
                if index < len(lines) and lines[index]
            }
            for index in range(len(columns["zh_Hans"]))
        ]


class KindChoiceForm(FlaskForm):
    """Which paperwork a request is for, chosen by the grid worker."""

    kind = SelectField(
        _l("Which paperwork"),
        coerce=int,
        validators=[InputRequired(_l("Choose which paperwork it is."))],
        render_kw={"required": False},
    )


class DocumentForm(FlaskForm):
    name = StringField(
        _l("Another document you take"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Name the document.")),
            Length(
                max=DOCUMENT_MAX_LENGTH,
                message=_l("Please keep it under %(max)s characters.", max=DOCUMENT_MAX_LENGTH),
            ),
        ],
    )


class OutcomeForm(FlaskForm):
    """How the paperwork went."""

    outcome = RadioField(
        _l("How did it go?"),
        choices=[SelectChoice(o.value, words) for o, words in OUTCOMES.items()],
        validators=[InputRequired(_l("Choose how it went."))],
    )
    note = TextAreaField(
        _l("What the resident should know (they read it)"),
        filters=[_strip],
        validators=[
            Optional(),
            Length(
                max=NOTE_MAX_LENGTH,
                message=_l("Please keep it under %(max)s characters.", max=NOTE_MAX_LENGTH),
            ),
        ],
    )
    result_due_on = LocalDateField(
        _l("When the office's answer is due (if it was handed in)"), validators=[Optional()]
    )
    next_due_on = LocalDateField(
        _l("When it is next due (for yearly paperwork; a year from today if left empty)"),
        validators=[Optional()],
    )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        due = self.result_due_on
        if self.outcome.data == "submitted" and due.data is None and not due.errors:
            due.errors = [_l("Enter when the office's answer is due.")]
            return False
        return valid


class DueForm(FlaskForm):
    """When a resident's yearly paperwork is next due."""

    kind = SelectField(
        _l("Paperwork"),
        coerce=int,
        validators=[InputRequired(_l("Choose the paperwork."))],
        render_kw={"required": False},
    )
    due_on = LocalDateField(
        _l("Next due on"), validators=[InputRequired(_l("Enter the day it is due."))]
    )
