"""Forms for organisers: a venue, an event or weekly series, moving and cancelling one."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from portal.activities.labels import CATEGORIES
from portal.web.forms import LocalDateField

MAX_PLACES = 1_000
ONCE, WEEKLY = "once", "weekly"


def _shorter_than(most: int) -> Length:
    return Length(max=most, message=_l("Please keep it under %(max)s characters.", max=most))


def _optional_text(label, most: int, area: bool = False):
    kind = TextAreaField if area else StringField
    return kind(label, validators=[Optional(), _shorter_than(most)])


class LocalTimeField(TimeField):
    """A time of day typed as HH:MM (the browser's time picker sends that), with our message."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(_l("Enter a time like 14:00.")) from error


def _places(label, message, required=True):
    return IntegerField(
        label,
        validators=[
            InputRequired(message) if required else Optional(),
            NumberRange(1, MAX_PLACES, message),
        ],
        render_kw={"inputmode": "numeric"},
    )


class VenueForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[InputRequired(_l("Enter the venue's name.")), _shorter_than(60)],
    )
    capacity = _places(_l("How many people it holds"), _l("Enter a number from 1 to 1000."))
    step_free = BooleanField(_l("Step-free access"))
    hearing_loop = BooleanField(_l("Hearing loop"))


class WhenForm(FlaskForm):
    """A day with a start and an end time in the community's time zone."""

    day = LocalDateField(
        _l("Date"), validators=[InputRequired(_l("Enter a date like 2026-03-01."))]
    )
    starts = LocalTimeField(
        _l("Starts"), validators=[InputRequired(_l("Enter a time like 14:00."))]
    )
    ends = LocalTimeField(_l("Ends"), validators=[InputRequired(_l("Enter a time like 16:00."))])

    def validate_ends(self, field):
        if self.starts.data and field.data and field.data <= self.starts.data:
            raise ValidationError(_l("The end must be after the start."))


class EventForm(WhenForm):
    """A one-off event, one occurrence, or a weekly series (the view drops what does not apply)."""

    title_zh_hans = StringField(
        _l("Title in Simplified Chinese"),
        validators=[
            InputRequired(_l("Enter the title in Simplified Chinese.")),
            _shorter_than(80),
        ],
    )
    title_zh_hant = _optional_text(_l("Title in Traditional Chinese (optional)"), 80)
    title_en = _optional_text(_l("Title in English (optional)"), 120)
    description_zh_hans = _optional_text(
        _l("Description in Simplified Chinese (optional)"), 2000, area=True
    )
    description_zh_hant = _optional_text(
        _l("Description in Traditional Chinese (optional)"), 2000, area=True
    )
    description_en = _optional_text(_l("Description in English (optional)"), 2000, area=True)
    category = RadioField(
        _l("Kind of activity"),
        choices=[SelectChoice(value, label) for value, label in CATEGORIES.items()],
        validators=[InputRequired(_l("Choose the kind of activity."))],
    )
    # Any number is accepted here; the schedule refuses a venue of another community.
    venue = SelectField(
        _l("Venue"),
        coerce=int,
        validate_choice=False,
        validators=[InputRequired(_l("Choose the venue."))],
        render_kw={"required": False},
    )
    repeat = RadioField(
        _l("How often"),
        choices=[
            SelectChoice(ONCE, _l("Once")),
            SelectChoice(WEEKLY, _l("Every week on the same day")),
        ],
        default=ONCE,
        validators=[InputRequired(_l("Choose once or every week."))],
    )
    last_day = LocalDateField(_l("Last date"), validators=[Optional()])
    capacity = _places(
        _l("Places (optional)"), _l("Enter a number from 1 to 1000, or leave it empty."), False
    )
    signup_required = BooleanField(_l("Residents sign up beforehand"), default=True)
    access_notes = _optional_text(_l("Accessibility notes (optional)"), 200)

    def validate(self, extra_validators=None) -> bool:
        """The last date is needed for every week, and cannot come before the first."""
        valid = super().validate(extra_validators)
        if "last_day" not in self or ("repeat" in self and self.repeat.data != WEEKLY):
            return valid
        last, first = self.last_day.data, self.day.data if "day" in self else None
        if last is None and not self.last_day.errors:
            self.last_day.errors.append(_l("Enter the last date, like 2026-06-30."))
        elif last and first and last < first:
            self.last_day.errors.append(_l("The last date must be on or after the first date."))
        return valid and not self.last_day.errors

    def values(self) -> dict:
        """What the schedule stores, from the fields this page has."""
        text = {
            name: (self[name].data or "").strip() or None
            for name in (
                "title_zh_hant",
                "title_en",
                "description_zh_hans",
                "description_zh_hant",
                "description_en",
                "access_notes",
            )
        }
        return {
            **text,
            "title_zh_hans": self.title_zh_hans.data.strip(),
            "category": self.category.data,
            "venue_id": self.venue.data,
            "capacity": self.capacity.data,
            "signup_required": self.signup_required.data,
            "starts": self.starts.data,
            "ends": self.ends.data,
        }


class MoveForm(WhenForm):
    pass


class CancelForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason residents will read"),
        validators=[InputRequired(_l("Enter the reason residents will read.")), _shorter_than(200)],
    )
