"""Forms for canteen staff: a canteen and its price tiers, a meal service, a meal, a dish."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
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

from portal.canteen.labels import CATEGORIES, DIET_TAGS, MEAL_KINDS
from portal.web.forms import Checkboxes, YuanField

MAX_PRICE_FEN = 50_000  # ¥500: nothing in a community canteen costs more
MAX_CAPACITY = 2_000
DISCOUNT_NONE, DISCOUNT_PERCENT, DISCOUNT_FIXED = "none", "percent", "fixed"


class PriceRange:
    """Between ¥0 and the most a community canteen meal could cost."""

    def __call__(self, form, field):
        if field.data is not None and not 0 <= field.data <= MAX_PRICE_FEN:
            raise ValidationError(_l("Enter a price from ¥0 to ¥500."))


def _whole(label, low, high, message, required=True):
    return IntegerField(
        label,
        validators=[
            InputRequired(message) if required else Optional(),
            NumberRange(low, high, message),
        ],
        render_kw={"inputmode": "numeric"},
    )


class CanteenForm(FlaskForm):
    community = SelectField(
        _l("Community"),
        coerce=int,
        validators=[InputRequired(_l("Choose the community."))],
        render_kw={"required": False},
    )
    name = StringField(
        _l("Name"),
        validators=[
            InputRequired(_l("Enter the canteen's name.")),
            Length(max=80, message=_l("Please keep it under %(max)s characters.", max=80)),
        ],
    )
    phone = StringField(_l("Phone number for residents"), validators=[Optional(), Length(max=20)])
    senior_age = _whole(_l("Senior price from age"), 50, 100, _l("Enter an age from 50 to 100."))
    discount = RadioField(
        _l("Senior price"),
        choices=[
            SelectChoice(DISCOUNT_NONE, _l("No senior price")),
            SelectChoice(DISCOUNT_PERCENT, _l("A percentage off each dish")),
            SelectChoice(DISCOUNT_FIXED, _l("A fixed price for any dish")),
        ],
        default=DISCOUNT_PERCENT,
        validators=[InputRequired(_l("Choose how seniors pay."))],
    )
    percent = _whole(
        _l("Percentage off"), 1, 100, _l("Enter a percentage from 1 to 100."), required=False
    )
    senior_price = YuanField(_l("Fixed senior price (yuan)"), validators=[PriceRange()])
    free_age = _whole(_l("Free meals from age"), 60, 120, _l("Enter an age from 60 to 120."))
    free_needs_special_support = BooleanField(
        _l("Free only for residents with special-support status")
    )

    def validate_percent(self, field):
        if self.discount.data == DISCOUNT_PERCENT and field.data is None:
            raise ValidationError(_l("Enter a percentage from 1 to 100."))

    def validate_senior_price(self, field):
        if self.discount.data == DISCOUNT_FIXED and field.data is None:
            raise ValidationError(_l("Enter the fixed senior price."))

    def tiers(self) -> dict:
        """The price tiers as the canteen stores them."""
        return {
            "senior_age": self.senior_age.data,
            "senior_discount_percent": (
                self.percent.data if self.discount.data == DISCOUNT_PERCENT else None
            ),
            "senior_price_fen": (
                self.senior_price.data if self.discount.data == DISCOUNT_FIXED else None
            ),
            "free_age": self.free_age.data,
            "free_needs_special_support": self.free_needs_special_support.data,
        }


class ServiceForm(FlaskForm):
    kind = RadioField(
        _l("Lunch or dinner"),
        choices=[SelectChoice(value, label) for value, label in MEAL_KINDS.items()],
        validators=[InputRequired(_l("Choose lunch or dinner."))],
    )
    serving_start = TimeField(
        _l("Serving starts"), validators=[InputRequired(_l("Enter a time like 11:00."))]
    )
    serving_end = TimeField(
        _l("Serving ends"), validators=[InputRequired(_l("Enter a time like 13:00."))]
    )
    cutoff = TimeField(
        _l("Booking closes at"), validators=[InputRequired(_l("Enter a time like 09:30."))]
    )
    capacity = _whole(
        _l("Usual number of portions"),
        1,
        MAX_CAPACITY,
        _l("Enter a number of portions from 1 to 2000."),
    )


class CapacityForm(FlaskForm):
    capacity = _whole(
        _l("Portions for this meal"),
        0,
        MAX_CAPACITY,
        _l("Enter a number of portions from 0 to 2000."),
    )


class DishForm(FlaskForm):
    name_zh_hans = StringField(
        _l("Name in Simplified Chinese"),
        validators=[
            InputRequired(_l("Enter the dish's name in Simplified Chinese.")),
            Length(max=60, message=_l("Please keep it under %(max)s characters.", max=60)),
        ],
    )
    name_zh_hant = StringField(
        _l("Name in Traditional Chinese (optional)"),
        validators=[
            Optional(),
            Length(max=60, message=_l("Please keep it under %(max)s characters.", max=60)),
        ],
    )
    name_en = StringField(
        _l("Name in English (optional)"),
        validators=[
            Optional(),
            Length(max=80, message=_l("Please keep it under %(max)s characters.", max=80)),
        ],
    )
    price = YuanField(
        _l("Price (yuan)"),
        validators=[InputRequired(_l("Enter the price, like 12 or 12.50.")), PriceRange()],
        render_kw={"inputmode": "decimal"},
    )
    category = RadioField(
        _l("Kind of dish"),
        choices=[SelectChoice(value, label) for value, label in CATEGORIES.items()],
        validators=[InputRequired(_l("Choose the kind of dish."))],
    )
    tags = Checkboxes(
        _l("Suits these diets"),
        choices=[SelectChoice(value, label) for value, label in DIET_TAGS.items()],
        validators=[Optional()],
    )
    allergens = TextAreaField(
        _l("Allergens (optional)"),
        validators=[
            Optional(),
            Length(max=200, message=_l("Please keep it under %(max)s characters.", max=200)),
        ],
    )
    portions = _whole(
        _l("Portions of this dish (optional)"),
        0,
        MAX_CAPACITY,
        _l("Enter a number of portions from 0 to 2000, or leave it empty."),
        required=False,
    )
    photo = FileField(_l("Photo (optional)"))
    remove_photo = BooleanField(_l("Remove the photo"))

    def values(self) -> dict:
        """The dish as the menu stores it (the photo is handled by the view)."""
        return {
            "name_zh_hans": self.name_zh_hans.data.strip(),
            "name_zh_hant": (self.name_zh_hant.data or "").strip() or None,
            "name_en": (self.name_en.data or "").strip() or None,
            "price_fen": self.price.data,
            "category": self.category.data,
            "tags": ",".join(self.tags.data or []),
            "allergens": (self.allergens.data or "").strip() or None,
            "portions": self.portions.data,
        }
