"""Record the audit log: every service that touches someone else's data calls record(), and the
entry is committed with the change. Admins read it through portal.administration."""

from datetime import time

from portal.audit.models import AuditEntry
from portal.extensions import db

# What kinds of entry there are, by the first word of their action ("help" for help.escalated),
# each named by the feature that records them, so that readers can narrow the log to one kind.
_AREAS: dict[str, object] = {}


def name_area(prefix: str, title) -> None:
    """Name the entries whose action starts with prefix and a dot; title is a lazy string."""
    _AREAS[prefix] = title


def areas() -> dict[str, object]:
    """{prefix: title} of every kind of entry, in the order the features named them."""
    return dict(_AREAS)


# How each action reads in the log, as a lazy sentence with %(who)s (who acted) and %(whose)s
# (whose data), named by the feature that records it; and what each detail is called.
_SENTENCES: dict[str, object] = {}
_DETAILS: dict[str, object] = {}


def name_actions(sentences: dict[str, object], details: dict[str, object] | None = None) -> None:
    """Name actions {action: sentence} and, optionally, details {key: name}."""
    _SENTENCES.update(sentences)
    _DETAILS.update(details or {})


def sentence_for(action: str):
    """The sentence an action reads as, or None when no feature named it."""
    return _SENTENCES.get(action)


def detail_name(key: str):
    return _DETAILS.get(key, key)


def record(actor, action: str, subject=None, **detail) -> AuditEntry:
    """Add an entry about subject (a person, or None) by actor (a person, or None for the portal
    itself) to the current session; it is committed together with the change it describes."""
    entry = AuditEntry(
        actor_id=actor.id if actor else None,
        subject_id=subject.id if subject else None,
        community_id=getattr(subject if subject else actor, "community_id", None),
        action=action,
        detail={key: str(value) for key, value in detail.items()},
    )
    db.session.add(entry)
    return entry


def apply_changes(target, fields, values: dict) -> dict[str, str]:
    """Set fields of target from values; return {field: "old → new"} for those that changed, as
    an audit entry's detail."""
    changed = {}
    for field in fields:
        if field not in values:
            continue
        old, new = getattr(target, field), values[field]
        if old != new:
            setattr(target, field, new)
            changed[field] = f"{_shown(old)} → {_shown(new)}"
    return changed


def _shown(value) -> str:
    if value is None:
        return ""
    if isinstance(value, time):
        return value.strftime("%H:%M")
    digest = getattr(value, "digest", None)  # content-addressed things, such as photos
    return digest[:12] if digest else str(value)
