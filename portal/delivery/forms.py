"""One form per question of the meal delivery journey, and the forms for living with it.

Each journey form takes the answer saved in the draft (JSON-friendly) and gives it back with
answer(); `question` names the field that the page asks, where problems found later are shown.
"""

from datetime import date, timedelta
from itertools import islice

from babel.lists import format_list
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from portal.canteen.labels import DIET_TAGS, MEAL_KINDS
from portal.community.services import TOP_FLOOR
from portal.delivery.labels import WEEKDAYS
from portal.delivery.services import START_MAX_DAYS
from portal.web.forms import Checkboxes, FloorField, LocalDateField, Phone
from portal.web.phones import normalise_phone

NOTES_MAX_LENGTH = 200
START_CHOICES = 7  # the days offered as big buttons; any other day can be typed
OTHER_DAY = "other"
# A group needs one box ticked, not each box: no "required" on every checkbox.
ANY_OF_THEM = {"required": False}


def _notes(label):
    return TextAreaField(
        label,
        validators=[
            Optional(),
            Length(
                max=NOTES_MAX_LENGTH,
                message=_l("Please keep it under %(max)s characters.", max=NOTES_MAX_LENGTH),
            ),
        ],
    )


def already_enrolled(kind: str, enrolment) -> str:
    """Why a meal cannot be asked for twice, naming the enrolment that has it when known."""
    meal = MEAL_KINDS.get(kind, kind)
    if enrolment is None:
        return _("%(meal)s is already asked for. See the meal delivery page.", meal=meal)
    return _(
        "%(meal)s is already asked for (reference %(ref)s). "
        "To change it, go to the meal delivery page.",
        meal=meal,
        ref=enrolment.reference,
    )


class MealsForm(FlaskForm):
    """held: the open enrolment that has each meal already."""

    question = "meals"
    meals = Checkboxes(
        _l("Which meals should be brought?"),
        validators=[DataRequired(_l("Choose at least one meal."))],
        render_kw=ANY_OF_THEM,
    )

    def __init__(self, served: list[str], held: dict, saved: list[str] | None = None, **kwargs):
        super().__init__(data={"meals": saved or []}, **kwargs)
        self.meals.choices = [SelectChoice(kind, MEAL_KINDS[kind]) for kind in served]
        self.held = held

    def validate_meals(self, field):
        for kind in field.data:
            if kind in self.held:
                raise ValidationError(already_enrolled(kind, self.held[kind]))

    def answer(self) -> list[str]:
        return list(self.meals.data)


class DaysForm(FlaskForm):
    question = "weekdays"
    weekdays = Checkboxes(
        _l("On which days of the week?"),
        coerce=int,
        choices=[SelectChoice(day, name) for day, name in enumerate(WEEKDAYS)],
        validators=[DataRequired(_l("Choose at least one day of the week."))],
        render_kw=ANY_OF_THEM,
    )

    def __init__(self, saved: list[int] | None = None, **kwargs):
        super().__init__(data={"weekdays": saved or []}, **kwargs)

    def answer(self) -> list[int]:
        return sorted(self.weekdays.data)


class StartForm(FlaskForm):
    """The first day: one of the coming days as a big button, or another day typed."""

    question = "start"
    start = RadioField(
        _l("When should the first meal come?"),
        validate_choice=False,
        validators=[InputRequired(_l("Choose the day of the first meal."))],
    )
    other_day = LocalDateField(_l("Another day"), validators=[Optional()])

    def __init__(self, today: date, weekdays: list[int], saved: str | None = None, **kwargs):
        # The first meal comes on one of the chosen days of the week: the next few of those.
        coming = (today + timedelta(days=ahead) for ahead in range(1, START_MAX_DAYS + 1))
        days = list(islice((day for day in coming if day.weekday() in weekdays), START_CHOICES))
        self.weekdays = weekdays
        data = {}
        if saved in {day.isoformat() for day in days}:
            data["start"] = saved
        elif saved:
            data = {"start": OTHER_DAY, "other_day": date.fromisoformat(saved)}
        super().__init__(data=data, **kwargs)
        self.today = today
        self.example = today + timedelta(days=START_CHOICES + 7)
        self.start.choices = [
            *(SelectChoice(day.isoformat(), _day_words(day, today)) for day in days),
            SelectChoice(OTHER_DAY, _l("Another day: type it below")),
        ]

    def chosen_day(self) -> date | None:
        if self.start.data == OTHER_DAY:
            return self.other_day.data
        try:
            return date.fromisoformat(self.start.data or "")
        except ValueError:
            return None

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        field = self.other_day if self.start.data == OTHER_DAY else self.start
        day = self.chosen_day()
        if day is None:
            field.errors.append(
                _l("Type the day, like 2026-03-01.")
                if field is self.other_day
                else _l("Choose the day of the first meal.")
            )
        elif day < self.today:
            field.errors.append(_l("That day has passed. Please choose a day from tomorrow on."))
        elif day > self.today + timedelta(days=START_MAX_DAYS):
            field.errors.append(
                _l("Please choose a day in the next %(days)s days.", days=START_MAX_DAYS)
            )
        elif day.weekday() not in self.weekdays:
            field.errors.append(not_on_a_day(self.weekdays))
        return not field.errors

    def answer(self) -> str:
        return self.chosen_day().isoformat()


def not_on_a_day(weekdays: list[int]) -> str:
    """Why a first meal cannot come on a day of the week not chosen."""
    days = format_list([str(WEEKDAYS[day]) for day in sorted(weekdays)], locale=get_locale())
    return _("Meals come on %(days)s only. Please choose one of those days.", days=days)


def _day_words(day: date, today: date) -> str:
    words = format_date(day, "full")
    return _("Tomorrow, %(day)s", day=words) if day == today + timedelta(days=1) else words


class AddressForm(FlaskForm):
    """Where exactly to bring the meals; building, unit and room are known already."""

    question = "floor"
    floor = FloorField(
        _l("Which floor is the home on?"),
        validators=[InputRequired(_l("Enter the floor as a number, like 3."))],
    )
    has_lift = RadioField(
        _l("Is there a lift to that floor?"),
        choices=[
            SelectChoice("yes", _l("Yes, there is a lift")),
            SelectChoice("no", _l("No, only stairs")),
        ],
        validators=[InputRequired(_l("Say whether there is a lift."))],
    )
    access_notes = _notes(
        _l("Anything the person bringing the meals should know (you can skip this)")
    )

    def __init__(
        self, has_lift: bool, saved: dict | None = None, floor: int | None = None, **kwargs
    ):
        """floor: the floor the room number implies, offered as the answer until one is given."""
        self.implied_floor = floor
        saved = saved or {"floor": floor, "has_lift": has_lift, "access_notes": ""}
        super().__init__(data={**saved, "has_lift": "yes" if saved["has_lift"] else "no"}, **kwargs)

    def validate_floor(self, field):
        # Not NumberRange: its min and max attributes are not allowed on the text box.
        if field.data is not None and not 1 <= field.data <= TOP_FLOOR:
            raise ValidationError(_l("Enter a floor from 1 to %(top)s.", top=TOP_FLOOR))

    def answer(self) -> dict:
        return {
            "floor": self.floor.data,
            "has_lift": self.has_lift.data == "yes",
            "access_notes": (self.access_notes.data or "").strip(),
        }


class DietForm(FlaskForm):
    question = "diet_tags"
    diet_tags = Checkboxes(
        _l("Should the food be any of these?"),
        choices=[SelectChoice(tag, name) for tag, name in DIET_TAGS.items()],
    )
    diet_notes = _notes(_l("Anything else the kitchen should know (you can skip this)"))

    def __init__(self, notes_on_file: str | None, saved: dict | None = None, **kwargs):
        saved = saved or {"tags": [], "notes": notes_on_file or ""}
        super().__init__(data={"diet_tags": saved["tags"], "diet_notes": saved["notes"]}, **kwargs)

    def answer(self) -> dict:
        return {"tags": list(self.diet_tags.data), "notes": (self.diet_notes.data or "").strip()}


class PhoneForm(FlaskForm):
    question = "contact_phone"
    contact_phone = StringField(
        _l("Which phone number should the canteen call?"),
        validators=[
            InputRequired(
                _l("Enter a mobile number, so that the canteen can call about the meals.")
            ),
            Phone(),
        ],
    )

    def __init__(self, known: str | None, saved: str | None = None, **kwargs):
        super().__init__(data={"contact_phone": saved or known or ""}, **kwargs)

    def answer(self) -> str:
        return normalise_phone(self.contact_phone.data)


class PauseForm(FlaskForm):
    first_day = LocalDateField(
        _l("First day without meals"),
        validators=[InputRequired(_l("Enter the first day without meals, like 2026-03-01."))],
    )
    last_day = LocalDateField(
        _l("Last day without meals"),
        validators=[InputRequired(_l("Enter the last day without meals, like 2026-03-08."))],
    )
