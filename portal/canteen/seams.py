"""Where other features meet the canteen: what it tells them, and what they add to its pages."""

from collections.abc import Callable
from datetime import date, datetime
from typing import NamedTuple, Protocol

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


# Links on the kitchen sheet to what other features record about the kitchen (service points: a
# volunteer's shift), keyed by the feature's name so that registering again replaces its link.
_kitchen_links: dict[str, tuple[str, Callable]] = {}


def add_kitchen_link(name: str, label: str, url: Callable) -> None:
    """label (a lazy string) links to url(place) from place's kitchen sheet."""
    _kitchen_links[name] = (label, url)


def kitchen_links(place) -> list[tuple[str, str]]:
    return [(label, url(place)) for label, url in _kitchen_links.values()]


# Ways to pay for a meal other than money at the counter (service points' meal vouchers). A
# payer offers what a resident may pay a meal with, takes it as part of the booking's transaction
# and gives it back when the booking is cancelled in time.


class PaymentRefused(Exception):
    """What was offered cannot pay for the meal any more (used meanwhile, or expired)."""


class Offer(NamedTuple):
    key: str  # the payer's prefix and its own id: "voucher:12"
    name: str  # what the resident knows it by: "爱心午餐券"
    reference: str  # what is written on it: "Q000012"
    covers_fen: int  # what it pays of this meal
    until: date  # its last day


class Payer(Protocol):
    prefix: str

    def offers(self, resident, meal_day, price_fen: int) -> list[Offer]: ...

    def take(self, key: str, booking, by, now: datetime) -> tuple[str, int]:
        """Pay for booking (flushed, not committed) with what key names, without committing:
        return its reference and what it paid, or raise PaymentRefused."""

    def give_back(self, booking, now: datetime) -> None:
        """booking, paid with this payer's, was cancelled: give it back, without committing."""

    def counter_links(self, place) -> list[tuple[str, str]]:
        """(label, url) of what the counter can do with this payer's, such as a walk-in meal."""


_payers: dict[str, Payer] = {}


def add_payer(payer: Payer) -> None:
    _payers[payer.prefix] = payer


def offers(resident, meal_day, price_fen: int) -> list[Offer]:
    """Everything resident may pay this meal with, besides money."""
    return [
        offer for payer in _payers.values() for offer in payer.offers(resident, meal_day, price_fen)
    ]


def _payer(key: str) -> Payer:
    payer = _payers.get(key.partition(":")[0])
    if payer is None:
        raise PaymentRefused(key)
    return payer


def take_payment(key: str, booking, by, now: datetime) -> tuple[str, int]:
    return _payer(key).take(key, booking, by, now)


def give_back(booking, now: datetime) -> None:
    """Give back what paid for booking, if anything did."""
    if booking.paid_with:
        for payer in _payers.values():
            payer.give_back(booking, now)


def counter_links(place) -> list[tuple[str, str]]:
    return [link for payer in _payers.values() for link in payer.counter_links(place)]
