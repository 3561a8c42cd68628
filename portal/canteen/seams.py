"""Where other features meet the canteen: what it tells them, and what they add to its pages."""

from collections.abc import Callable

from blinker import Namespace
from markupsafe import Markup

_signals = Namespace()

# A meal is about to be shown to residents: sent with the MealDay and now= (naive UTC, or None
# for the present), before it is published, so that receivers can take their places first.
# Meal delivery books the meal for everyone enrolled.
meal_published = _signals.signal("meal-published")

# Warnings above the counts on the kitchen sheet: functions of the sheet's MealDays giving HTML
# (empty when there is nothing to say). Meal delivery adds the deliveries a full meal left out.
_kitchen_warnings: list[Callable[[list], str]] = []


def add_kitchen_warning(warning: Callable[[list], str]) -> None:
    if warning not in _kitchen_warnings:
        _kitchen_warnings.append(warning)


def kitchen_warnings(meal_days: list) -> list[Markup]:
    shown = (Markup(warning(meal_days)) for warning in _kitchen_warnings)
    return [html for html in shown if html]
