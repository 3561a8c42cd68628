"""The audit log as its readers take it away: every entry a line of a spreadsheet, in the
reader's language and the community's time."""

import csv
import io

from flask_babel import format_datetime, pgettext
from flask_babel import gettext as _

from portal.audit import services as audit
from portal.audit.models import AuditEntry


def kind_of(action: str) -> str:
    """The name of the kind of entry action is ("Help requests" for help.escalated)."""
    title = audit.areas().get(action.split(".", 1)[0])
    return str(title) if title is not None else ""


def details_of(entry: AuditEntry) -> str:
    """An entry's details on one line, each named in the reader's language: "Room: 302 → 502;
    Floor: 3 → 5"."""
    return pgettext("between details", "; ").join(
        _("%(name)s: %(value)s", name=audit.detail_name(key), value=value)
        for key, value in entry.detail.items()
    )


def sentence_of(entry: AuditEntry) -> str:
    """What happened, in a sentence: "王芳 changed 李秀英's details"; an action no feature named
    reads as its kind and code."""
    who = entry.actor.name if entry.actor else _("The system")
    whose = entry.subject.name if entry.subject else ""
    sentence = audit.sentence_for(entry.action)
    if sentence is None:
        return _(
            "%(who)s: %(kind)s (%(action)s)",
            who=who,
            kind=kind_of(entry.action),
            action=entry.action,
        )
    return str(sentence) % {"who": who, "whose": whose}


def to_csv(entries: list[AuditEntry]) -> str:
    """entries as CSV with a header line, preceded by a byte-order mark so that Excel reads the
    Chinese in it as UTF-8."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(
        [
            _("When"),
            _("Who"),
            _("Kind"),
            _("What happened"),
            _("Action"),
            _("Whose data"),
            _("Resident code"),
            _("Details"),
        ]
    )
    for entry in entries:
        subject = entry.subject
        writer.writerow(
            [
                format_datetime(entry.at, "yyyy-MM-dd HH:mm:ss"),
                entry.actor.name if entry.actor else _("The system"),
                kind_of(entry.action),
                sentence_of(entry),
                entry.action,
                subject.name if subject else "",
                (subject.resident_code or "") if subject else "",
                details_of(entry),
            ]
        )
    return out.getvalue()
