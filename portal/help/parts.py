"""What other features add to a request's pages, in parts: one for the staff who deal with the
request, one for the resident and their family. A feature registers, under its name, a function
that reads what it keeps about a list of requests at once ({request id: what it keeps}, in one
statement whatever the requests), and functions of a request and what was read for it giving the
HTML of its parts (empty when it has nothing to add)."""

from collections.abc import Callable

from markupsafe import Markup

from portal.help.models import HelpRequest

Read = Callable[[list[HelpRequest]], dict[int, object]]
Part = Callable[[HelpRequest, object], str]

_reads: dict[str, Read] = {}
_for_staff: dict[str, Part] = {}
_for_resident: dict[str, Part] = {}


def register(name: str, *, read: Read, staff: Part, resident: Part) -> None:
    """Add the feature's parts to every request's pages; registering a name again replaces them."""
    _reads[name] = read
    _for_staff[name] = staff
    _for_resident[name] = resident


def read(requests: list[HelpRequest]) -> dict[str, dict[int, object]]:
    """What each feature keeps about the requests a page shows, read before the page is drawn."""
    return {name: reader(requests) if requests else {} for name, reader in _reads.items()}


def for_staff(request: HelpRequest, found: dict[str, dict[int, object]]) -> Markup:
    return Markup("").join(
        Markup(part(request, found[name].get(request.id))) for name, part in _for_staff.items()
    )


def for_resident(request: HelpRequest, found: dict[str, dict[int, object]]) -> Markup:
    return Markup("").join(
        Markup(part(request, found[name].get(request.id))) for name, part in _for_resident.items()
    )
