"""What a request's page shows about where the request came from. A feature that raises requests
registers, for its source, a function of the request that gives the HTML to show there (empty
when it has nothing to add)."""

from collections.abc import Callable

from markupsafe import Markup

from portal.help.models import HelpRequest

_details: dict[str, Callable[[HelpRequest], str]] = {}


def register(source: str, detail: Callable[[HelpRequest], str]) -> None:
    _details[source] = detail


def detail(request: HelpRequest) -> Markup:
    shown = _details.get(request.source)
    return Markup(shown(request)) if shown else Markup()
