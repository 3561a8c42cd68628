"""What care visits' values are called in the reader's language."""

from flask_babel import lazy_gettext as _l

from portal.care.models import Outcome

OUTCOMES = {
    Outcome.WELL: _l("Seen, and well"),
    Outcome.CONCERNS: _l("Seen, with concerns"),
    Outcome.NOT_HOME: _l("Not at home"),
    Outcome.IN_HOSPITAL: _l("In hospital"),
    Outcome.BY_PHONE: _l("Spoken to by phone"),
}

SUGGESTION_REASONS = {
    "age": _l("80 or older"),
    "special_support": _l("Special support (特困)"),
    "unwell_lately": _l("Felt unwell, or did not answer the door, in the last 30 days"),
}
