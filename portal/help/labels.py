"""The words for categories, statuses and history events, in the reader's language."""

from flask_babel import lazy_gettext as _l

from portal.help.models import Category, Source, Status

CATEGORY_TITLES = {
    Category.REPAIR: _l("Repair"),
    Category.ERRAND: _l("Errand"),
    Category.PAPERWORK: _l("Paperwork"),
    Category.UNWELL: _l("Feeling unwell"),
    Category.COMPANY: _l("Company"),
    Category.OTHER: _l("Something else"),
    Category.WELFARE_CHECK: _l("Welfare check"),
}

CATEGORY_HINTS = {
    Category.REPAIR: _l("Water, electricity, doors, windows"),
    Category.ERRAND: _l("Groceries or medicine"),
    Category.PAPERWORK: _l("Pension check, medical insurance"),
    Category.UNWELL: _l("Urgent: someone comes quickly"),
    Category.COMPANY: _l("A visit and a chat"),
    Category.OTHER: _l("Anything else you need"),
    Category.WELFARE_CHECK: _l("Nobody answered the door"),
}

STATUS_LABELS = {
    Status.NEW: _l("Waiting"),
    Status.ACKNOWLEDGED: _l("Taken"),
    Status.IN_PROGRESS: _l("In progress"),
    Status.RESOLVED: _l("Done, waiting for the resident"),
    Status.CLOSED: _l("Closed"),
}

STATUS_ICONS = {
    Status.NEW: "waiting",
    Status.ACKNOWLEDGED: "check",
    Status.IN_PROGRESS: "repair",
    Status.RESOLVED: "check",
    Status.CLOSED: "minus",
}

EVENT_LABELS = {
    "created": _l("Asked for help"),
    "taken": _l("Took the request"),
    "released": _l("Gave the request back"),
    "started": _l("Started work"),
    "handed_off": _l("Handed it to a partner"),
    "partner_accepted": _l("Accepted it"),
    "partner_declined": _l("Declined it"),
    "partner_lapsed": _l("The partner did not accept it in time: back with the grid worker"),
    "handed_on": _l("Handed it on"),
    "routed": _l("Sent straight to the partner that does this service"),
    "resolved": _l("Marked it done"),
    "note": _l("Note"),
    "confirmed": _l("Said it is fixed"),
    "reopened": _l("Said it is not fixed"),
    "escalated": _l("Escalated"),
    "auto_closed": _l("Closed by itself after 3 days without an answer"),
}

LEVEL_LABELS = {0: _l("Grid"), 1: _l("Community"), 2: _l("Street office")}


# How a resident without a device asked staff for help: the resident and family read it after the
# name of whoever raised the request.
RAISED_AFTER = {
    Source.PHONE_CALL: _l("Raised by %(name)s after your phone call"),
    Source.WALK_IN: _l("Raised by %(name)s when you came to the office"),
    Source.VISIT: _l("Raised by %(name)s on a visit to your home"),
}


def service_title(service, language: str) -> str:
    """A catalogue service's name in language; the six categories, until admins change them,
    read as they always have."""
    return service.name(language) if service.names else str(CATEGORY_TITLES[service.category])


def service_hint(service, language: str) -> str:
    """What a service is for, in language: its own words, or its category's."""
    return service.hint(language) or (
        "" if service.names else str(CATEGORY_HINTS[service.category])
    )


def request_title(request, language: str) -> str:
    """What a request is for: its service's name, or its category's."""
    if request.service is not None:
        return service_title(request.service, language)
    return str(CATEGORY_TITLES[request.category])
