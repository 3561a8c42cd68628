"""What other features add to a request's pages, in parts: one for the staff who deal with the
request, one for the resident and their family. A feature registers, under its name, functions of
the request giving the HTML of its parts (empty when it has nothing to add)."""

from collections.abc import Callable

from markupsafe import Markup

from portal.help.models import HelpRequest

Part = Callable[[HelpRequest], str]

_for_staff: dict[str, Part] = {}
_for_resident: dict[str, Part] = {}


def register(name: str, *, staff: Part, resident: Part) -> None:
    """Add the feature's parts to every request's pages; registering a name again replaces them."""
    _for_staff[name] = staff
    _for_resident[name] = resident


def for_staff(request: HelpRequest) -> Markup:
    return Markup("").join(Markup(part(request)) for part in _for_staff.values())


def for_resident(request: HelpRequest) -> Markup:
    return Markup("").join(Markup(part(request)) for part in _for_resident.values())
