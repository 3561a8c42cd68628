from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from portal.accounts.forms import channel_field, resident_code_field
from portal.help import labels
from portal.help.catalogue import ANSWER_MAX_LENGTH
from portal.help.models import LANGUAGES, RESIDENT_CATEGORIES, Charge, Handler
from portal.help.services import NOTE_MAX_LENGTH
from portal.web.forms import (
    Checkboxes,
    ClockTimeField,
    LocalDateField,
    WholeNumberField,
    YuanField,
    words_field,
)
from portal.web.i18n import WEEKDAYS

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


# Open days are stored as ISO weekdays, Monday 1.
OPEN_DAYS = [SelectChoice(str(day + 1), name) for day, name in enumerate(WEEKDAYS)]


class ServiceForm(FlaskForm):
    """A service of the community's catalogue, as its admins set it."""

    name_zh_hans = words_field(
        _l("Name in Simplified Chinese"), required=_l("Enter the name in Simplified Chinese.")
    )
    name_zh_hant = words_field(_l("Name in Traditional Chinese"))
    name_en = words_field(_l("Name in English"))
    hint_zh_hans = words_field(_l("What it is for, in Simplified Chinese"), max_length=120)
    hint_zh_hant = words_field(_l("What it is for, in Traditional Chinese"), max_length=120)
    hint_en = words_field(_l("What it is for, in English"), max_length=120)
    code = StringField(
        _l("Short code"),
        filters=[lambda text: text.strip().lower() if text else text],
        validators=[
            InputRequired(_l("Enter a short code, such as water.")),
            Regexp(
                r"^[a-z0-9][a-z0-9_-]{0,23}$",
                message=_l("Use up to 24 small letters, digits, - or _, such as water."),
            ),
        ],
    )
    category = SelectField(
        _l("Kind of request"),
        choices=[SelectChoice(c.value, labels.CATEGORY_TITLES[c]) for c in RESIDENT_CATEGORIES],
        validators=[InputRequired(_l("Choose the kind of request."))],
        render_kw={"required": False},
    )
    handler = RadioField(
        _l("Who gets it first"),
        choices=[
            SelectChoice(Handler.GRID.value, _l("The grid worker")),
            SelectChoice(Handler.PARTNER.value, _l("A partner, straight away")),
        ],
        default=Handler.GRID.value,
        validators=[InputRequired(_l("Choose who gets it first."))],
    )
    partner = SelectField(
        _l("Which partner"), coerce=int, validators=[Optional()], render_kw={"required": False}
    )
    charge = RadioField(
        _l("What the resident pays"),
        choices=[
            SelectChoice(Charge.FREE.value, _l("Nothing")),
            SelectChoice(Charge.SUBSIDISED.value, _l("Part of it: the rest is subsidised")),
            SelectChoice(Charge.PAID.value, _l("The whole price")),
            SelectChoice(Charge.QUOTE.value, _l("A price agreed on the visit")),
        ],
        default=Charge.FREE.value,
        validators=[InputRequired(_l("Choose what the resident pays."))],
    )
    price = YuanField(_l("Price the resident pays"))
    open_days = Checkboxes(_l("Open on"), choices=OPEN_DAYS, default=[d.value for d in OPEN_DAYS])
    opens = ClockTimeField(_l("Opens at"), validators=[Optional()])
    closes = ClockTimeField(_l("Closes at"), validators=[Optional()])
    position = WholeNumberField(_l("Place in the list"), default=0, validators=[Optional()])
    on_kiosk = BooleanField(_l("A big button on the kiosk's first page"), default=True)

    def validate_partner(self, field):
        if self.handler.data == Handler.PARTNER and not field.data:
            raise ValidationError(_l("Choose the partner that does it."))

    def validate_price(self, field):
        if self.charge.data in (Charge.SUBSIDISED, Charge.PAID) and field.data is None:
            raise ValidationError(_l("Enter what the resident pays, such as 5."))
        if field.data is not None and not 0 <= field.data <= 1_000_000:
            raise ValidationError(_l("Enter an amount up to ¥10,000."))

    def validate_open_days(self, field):
        if not field.data:
            raise ValidationError(_l("Choose at least one day."))

    def validate_closes(self, field):
        if bool(field.data) != bool(self.opens.data):
            raise ValidationError(_l("Enter both times, or neither for all day."))
        if field.data and field.data <= self.opens.data:
            raise ValidationError(_l("It must close after it opens."))


class QuestionForm(FlaskForm):
    """A question a service asks, one per page, before the request is sent."""

    text_zh_hans = words_field(
        _l("The question in Simplified Chinese"),
        required=_l("Enter the question in Simplified Chinese."),
        max_length=200,
    )
    text_zh_hant = words_field(_l("The question in Traditional Chinese"), max_length=200)
    text_en = words_field(_l("The question in English"), max_length=200)
    kind = RadioField(
        _l("How it is answered"),
        choices=[
            SelectChoice("choice", _l("Choose one of a few answers")),
            SelectChoice("yes_no", _l("Yes or no")),
            SelectChoice("text", _l("In their own words")),
        ],
        default="choice",
        validators=[InputRequired(_l("Choose how it is answered."))],
    )
    choices = TextAreaField(
        _l("The answers to choose from, one a line"),
        validators=[Length(max=1000, message=TOO_LONG)],
    )
    required = BooleanField(_l("It must be answered"), default=True)

    def validate_choices(self, field):
        if self.kind.data == "choice" and len(self.choice_list()) < 2:
            raise ValidationError(_l("Give at least two answers, one a line."))
        if len(self.choice_list()) > 8:
            raise ValidationError(_l("Give at most eight answers."))

    def choice_list(self) -> list[dict]:
        """Each line's answer: "厨房 | 廚房 | Kitchen" gives it in the three languages."""
        found = []
        for line in (self.choices.data or "").splitlines():
            parts = [part.strip() for part in line.split("|")]
            if parts[0]:
                found.append(
                    {lang: words for lang, words in zip(LANGUAGES, parts, strict=False) if words}
                )
        return found


class ApiKeyForm(FlaskForm):
    """A key for a partner's application to the open API."""

    name = words_field(
        _l("The application's name"),
        required=_l("Name the application, such as the community's WeChat mini-program."),
        max_length=80,
    )
