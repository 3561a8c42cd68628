"""Forms for the community's admins: the points each rule earns and when points expire, a kind of
voucher, an award by hand, and the month's report."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    StopValidation,
    ValidationError,
)
from wtforms.widgets import TextInput

from portal.accounts.models import Person
from portal.points.catalogue import Draft
from portal.points.models import VoucherKind, VoucherUse
from portal.points.rules import AWARD_MAX, Rule
from portal.points.services import REASON_MAX_LENGTH
from portal.web.forms import LocalDateField, MonthField, MonthsField, WholeNumberField, YuanField

RULE_MAX = 500
EXPIRY_MAX_MONTHS = 120
PRICE_MAX = 10_000
VALUE_MAX_FEN = 1_000_000  # ¥10,000
STOCK_MAX = 100_000
NAME_MAX_LENGTH = 60

# What each rule earns points for, in words, as the rules page explains it.
RULES = {
    Rule.HELP: (
        _l("An errand or company"),
        _l("A volunteer does an errand or keeps a resident company, and the request is resolved."),
    ),
    Rule.ROUND: (
        _l("A delivery round"),
        _l("A volunteer delivers a round of meals to its last door."),
    ),
    Rule.ACTIVITY: (
        _l("Helping at an activity"),
        _l("The organiser records, after an activity, who helped at it."),
    ),
    Rule.KITCHEN: (
        _l("A kitchen shift"),
        _l("Canteen staff record a volunteer's shift in the kitchen."),
    ),
}

USES = {
    VoucherUse.MEAL: _l("A canteen meal up to a value"),
    VoucherUse.FREE_MEAL: _l("A free canteen meal"),
    VoucherUse.EXPERIENCE: _l("An experience"),
    VoucherUse.GOODS: _l("Goods"),
    VoucherUse.COUNSELLING: _l("Counselling"),
}


# A number is typed in a text box (with a numeric keypad): one typed wrongly comes back as it was
# typed, which a number box cannot hold.
_TYPED = TextInput()


def _read(form, field):
    """Stop at a number that could not be read: the field's own message says so already."""
    if field.process_errors:
        raise StopValidation()


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _rule_points(rule: Rule) -> WholeNumberField:
    message = _l("Enter a number of points from 0 to %(most)s.", most=RULE_MAX)
    return WholeNumberField(
        RULES[rule][0],
        widget=_TYPED,
        description=RULES[rule][1],
        validators=[_read, InputRequired(message), NumberRange(0, RULE_MAX, message)],
    )


class RulesForm(FlaskForm):
    """The points each deed earns in the admin's community, and when points expire."""

    help = _rule_points(Rule.HELP)
    round = _rule_points(Rule.ROUND)
    activity = _rule_points(Rule.ACTIVITY)
    kitchen = _rule_points(Rule.KITCHEN)
    expire_after_months = MonthsField(
        _l("Points expire after this many months"),
        widget=_TYPED,
        validators=[
            _read,
            Optional(),
            NumberRange(
                1,
                EXPIRY_MAX_MONTHS,
                _l(
                    "Enter a number of months from 1 to %(most)s, or nothing.",
                    most=EXPIRY_MAX_MONTHS,
                ),
            ),
        ],
    )

    @property
    def points(self) -> dict[str, int]:
        return {rule: self[rule.value].data for rule in RULES}


class KindForm(FlaskForm):
    """A kind of voucher: what it buys, its price in points, its stock, dates and limit."""

    name = StringField(
        _l("Name of the voucher"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Enter the name of the voucher.")),
            Length(max=NAME_MAX_LENGTH, message=_l("Type at most 60 characters.")),
        ],
    )
    use = RadioField(
        _l("What it buys"),
        choices=[SelectChoice(use.value, label) for use, label in USES.items()],
        validators=[InputRequired(_l("Choose what the voucher buys."))],
    )
    value = YuanField(_l("Value (yuan)"))
    points = WholeNumberField(
        _l("Price in points"),
        widget=_TYPED,
        validators=[
            _read,
            InputRequired(_l("Enter the price in points, from 1 to %(most)s.", most=PRICE_MAX)),
            NumberRange(
                1,
                PRICE_MAX,
                _l("Enter the price in points, from 1 to %(most)s.", most=PRICE_MAX),
            ),
        ],
    )
    stock = WholeNumberField(
        _l("How many there are"),
        widget=_TYPED,
        validators=[
            _read,
            Optional(),
            NumberRange(
                0,
                STOCK_MAX,
                _l("Enter a number from 0 to %(most)s, or nothing.", most=STOCK_MAX),
            ),
        ],
    )
    valid_from = LocalDateField(
        _l("Valid from"), validators=[InputRequired(_l("Enter the first day it can be used."))]
    )
    valid_until = LocalDateField(
        _l("Valid until"), validators=[InputRequired(_l("Enter the last day it can be used."))]
    )
    per_person = WholeNumberField(
        _l("How many one person may get"),
        widget=_TYPED,
        validators=[
            _read,
            Optional(),
            NumberRange(1, 1000, _l("Enter a number from 1 to %(most)s, or nothing.", most=1000)),
        ],
    )

    @staticmethod
    def data_of(kind: VoucherKind) -> dict:
        """The form's data for kind, to change it."""
        return {
            "name": kind.name,
            "use": kind.use,
            "value": kind.value_fen,
            "points": kind.points,
            "stock": kind.stock,
            "valid_from": kind.valid_from,
            "valid_until": kind.valid_until,
            "per_person": kind.per_person,
        }

    def draft(self) -> Draft:
        return Draft(
            name=self.name.data,
            use=self.use.data,
            value_fen=self.value.data,
            points=self.points.data,
            stock=self.stock.data,
            valid_from=self.valid_from.data,
            valid_until=self.valid_until.data,
            per_person=self.per_person.data,
        )

    def validate_value(self, field):
        if self.use.data == VoucherUse.FREE_MEAL:
            return
        if field.data is None and not field.errors:
            raise ValidationError(_l("Enter the value, like 15 or 15.50."))
        if field.data is not None and not 1 <= field.data <= VALUE_MAX_FEN:
            raise ValidationError(_l("Enter a value from ¥0.01 to ¥10,000."))

    def validate_valid_until(self, field):
        first = self.valid_from.data
        if field.data is not None and first is not None and field.data < first:
            raise ValidationError(_l("The last day cannot be before the first."))


class AwardForm(FlaskForm):
    """Points by hand for a volunteer or resident of the admin's community, with a reason. key
    is the form's own, made when it is first shown, so that it awards once."""

    who = StringField(
        _l("Who"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Enter a mobile number, a resident code or a name.")),
            Length(max=80, message=_l("Type at most 80 characters.")),
        ],
    )
    person = RadioField(_l("Which of them"), choices=[], validate_choice=False, coerce=str)
    points = WholeNumberField(
        _l("Points"),
        widget=_TYPED,
        validators=[
            _read,
            InputRequired(_l("Enter a number of points from 1 to %(most)s.", most=AWARD_MAX)),
            NumberRange(
                1, AWARD_MAX, _l("Enter a number of points from 1 to %(most)s.", most=AWARD_MAX)
            ),
        ],
    )
    reason = TextAreaField(
        _l("Why"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Say why the points are awarded.")),
            Length(max=REASON_MAX_LENGTH, message=_l("Type at most 200 characters.")),
        ],
    )
    key = HiddenField(validators=[Regexp(r"^[0-9a-f]{32}$", message=_l("This page expired"))])

    found: list[Person] = []

    def offer(self, found: list[Person]) -> None:
        """found are the people who names; several are offered to choose from."""
        self.found = found
        self.person.choices = (
            [SelectChoice(str(p.id), _described(p)) for p in found] if len(found) > 1 else []
        )

    @property
    def chosen(self) -> Person | None:
        """The one person found, or the one chosen of several."""
        if len(self.found) == 1:
            return self.found[0]
        return next((p for p in self.found if str(p.id) == self.person.data), None)

    def validate_who(self, field):
        if field.data and not field.errors and not self.found:
            raise ValidationError(
                _l(
                    "No volunteer or resident of your community has this mobile number, code or name."
                )
            )

    def validate_person(self, field):
        if len(self.found) > 1 and self.chosen is None:
            raise ValidationError(_l("Several people match: choose one."))


def _described(person: Person) -> str:
    return " · ".join(filter(None, (person.name, person.resident_code, person.phone)))


class ReportForm(FlaskForm):
    class Meta:
        csrf = False  # a report changes nothing

    month = MonthField(_l("Month"), validators=[Optional()])
