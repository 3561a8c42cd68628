"""Words for delivery statuses, outcomes, weekdays and reasons, in the reader's language."""

from flask_babel import lazy_gettext as _l

from portal.web.i18n import WEEKDAYS  # noqa: F401  (the pages name delivery days by it)
from portal.web.templating import money

STATUSES = {
    "applied": _l("Waiting for the canteen to approve"),
    "active": _l("Meals are delivered"),
    "declined": _l("Not approved"),
    "stopped": _l("Stopped"),
}
STATUS_ICONS = {"applied": "waiting", "active": "check", "declined": "cross", "stopped": "minus"}
PAUSED = _l("Paused")


OUTCOMES = {
    "delivered": _l("Delivered"),
    "no_answer": _l("No answer"),
    "refused": _l("Refused"),
}
OUTCOME_ICONS = {"delivered": "check", "no_answer": "warning", "refused": "cross"}

# Why an application was declined, as the applicant reads it.
DECLINE_REASONS = {
    "outside_area": _l("Your home is outside the area the canteen delivers to."),
    "no_places": _l(
        "There are no delivery places left for now. We will call you when one frees up."
    ),
    "not_eligible": _l("Meal delivery is for residents aged 60 and over."),
    "can_come": _l("We think you can come to the canteen or pick your meal up; please talk to us."),
    "other": _l("The canteen will call you to explain."),
}
# The same reasons as staff choose them.
DECLINE_CHOICES = {
    "outside_area": _l("Outside the delivery area"),
    "no_places": _l("No delivery places left"),
    "not_eligible": _l("Not eligible (under 60)"),
    "can_come": _l("Able to come to the canteen"),
    "other": _l("Another reason (explain in the note)"),
}

# Why someone cannot apply, said politely, with whom to call added by the page.
INELIGIBLE = {
    "no_canteen": _l(
        "There is no community canteen for your home yet, so meals cannot be delivered."
    ),
    "no_address": _l(
        "We do not have your building and room yet, so we would not know where to bring the meals."
    ),
    "age_unknown": _l(
        "We do not have your date of birth, and meal delivery is for residents aged 60 and over."
    ),
    "too_young": _l("Meal delivery is for residents aged 60 and over."),
}

# Price tiers as the check-your-answers page says them.
PRICE_TIERS = {
    "free": _l("Free of charge"),
    "fixed": _l("The senior price: %(price)s a meal at most"),
    "percent": _l("The senior price: %(percent)s%% off each meal"),
    "standard": _l("The price of the dish on the menu"),
}


def price_words(tier) -> str:
    """A services.PriceTier as applicants and staff read it: "Free of charge", "The senior
    price: ¥3.00 a meal at most"."""
    amount = tier.amount or 0
    return str(PRICE_TIERS[tier.kind]) % {"price": money(amount), "percent": amount}
