"""Words for how paperwork went and for the reminders, in the reader's language."""

from flask_babel import lazy_gettext as _l

from portal.paperwork.models import Outcome

OUTCOMES = {
    Outcome.DONE: _l("Done"),
    Outcome.SUBMITTED: _l("Handed in; waiting for the office's answer"),
    Outcome.NOT_DONE: _l("Could not be done"),
}
