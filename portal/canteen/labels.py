"""Words for meals, ways of eating and diet tags, in the reader's language."""

from flask_babel import lazy_gettext as _l

MEAL_KINDS = {"lunch": _l("Lunch"), "dinner": _l("Dinner")}
MODES = {"dine_in": _l("Eat in the canteen"), "pick_up": _l("Pick it up and take it home")}
DIET_TAGS = {
    "soft": _l("Soft"),
    "low_salt": _l("Low salt"),
    "low_sugar": _l("Low sugar"),
    "vegetarian": _l("Vegetarian"),
    "halal": _l("Halal"),
}
STATUSES = {
    "booked": _l("Booked"),
    "cancelled": _l("Cancelled"),
    "served": _l("Served"),
    "no_show": _l("Not collected"),
}
