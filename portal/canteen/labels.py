"""Words for meals, ways of eating and diet tags, in the reader's language."""

from flask_babel import lazy_gettext as _l

# A meal staff booked for a resident who asked them without a device, as the resident and family
# read it; keyed by the accounts Channel the resident asked by.
BOOKED_AFTER = {
    "phone_call": _l("Booked by %(name)s after your phone call"),
    "walk_in": _l("Booked by %(name)s when you came to the office"),
    "visit": _l("Booked by %(name)s on a visit to your home"),
}
MEAL_KINDS = {"lunch": _l("Lunch"), "dinner": _l("Dinner")}
MODES = {"dine_in": _l("Eat in the canteen"), "pick_up": _l("Pick it up and take it home")}
# Every way of eating, delivery included, in a word or two: for staff tables and the counter.
SHORT_MODES = {"dine_in": _l("Eat in"), "pick_up": _l("Pick up"), "delivery": _l("Delivery")}
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
STATUS_ICONS = {"booked": "waiting", "cancelled": "minus", "served": "check", "no_show": "cross"}
# A delivered booking's status, as its round left it.
DELIVERY_STATUS_ICONS = {"booked": "waiting", "served": "check", "no_show": "warning"}
DELIVERY_STATUSES = {
    "booked": _l("Not yet delivered"),
    "served": _l("Delivered"),
    "no_show": _l("No answer"),
}
CATEGORIES = {
    "set_meal": _l("Set meal"),
    "rice": _l("Rice dish"),
    "noodles": _l("Noodles"),
    "dumplings": _l("Dumplings"),
    "soup": _l("Soup or porridge"),
    "vegetables": _l("Vegetables"),
}
CATEGORY_ICONS = {"set_meal": "meal"}
# Meals paid by a voucher (of service points), on the kitchen sheet and at the counter.
PAID_BY_VOUCHER = _l("Paid by voucher")
# The columns of the kitchen sheet's spreadsheet.
KITCHEN_COLUMNS = (
    _l("Date"),
    _l("Lunch or dinner"),
    _l("Dish"),
    *SHORT_MODES.values(),
    _l("Total"),
)
