"""A resident's profile, as the admins of their community read it, is made of the parts each
feature registers: a heading, what to show (a function of the resident and the time) and the
feature's own template for it, which is given `items`."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from portal.accounts.models import Person


@dataclass(frozen=True)
class Part:
    name: str
    order: int  # parts show in this order
    title: str  # a lazy string, read in the reader's language
    template: str
    read: Callable[[Person, datetime], list]


_parts: dict[str, Part] = {}


def register(part: Part) -> None:
    """Add part to every profile; registering a name again replaces it."""
    _parts[part.name] = part


def parts() -> list[Part]:
    return sorted(_parts.values(), key=lambda part: part.order)


# Everything a feature holds about a resident, for the copy of their data they may ask for: each
# feature registers a name and a function of the resident giving plain rows ({field: text}).
_exports: dict[str, Callable[[Person], list[dict]]] = {}


def register_export(name: str, read: Callable[[Person], list[dict]]) -> None:
    _exports[name] = read


def exports() -> dict[str, Callable[[Person], list[dict]]]:
    return dict(_exports)


# What staff can do for a resident who asks them without a device (on the phone, at the office,
# on a visit): each feature registers a button, the page it opens for that resident, and its order.
@dataclass(frozen=True)
class Act:
    name: str
    order: int
    label: str  # a lazy string, read in the reader's language
    url: Callable[[Person], str]


_acts: dict[str, Act] = {}


def register_act(act: Act) -> None:
    """Offer act for every resident staff serve; registering a name again replaces it."""
    _acts[act.name] = act


def acts() -> list[Act]:
    return sorted(_acts.values(), key=lambda act: act.order)
