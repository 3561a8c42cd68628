"""A community's own choices for its points other than the rules: when points expire."""

from portal.accounts.models import Person
from portal.audit import services as audit
from portal.extensions import db
from portal.points.models import PointsSettings


def expire_after_months(community_id: int) -> int | None:
    """After how many months the community's points expire; None: never."""
    found = db.session.get(PointsSettings, community_id)
    return found.expire_after_months if found else None


def set_expiry(community_id: int, months: int | None, by: Person) -> None:
    """Points of the community expire after months from now on (None: never); audited when it
    changes, and committed."""
    found = db.session.get(PointsSettings, community_id)
    if (found.expire_after_months if found else None) == months:
        return
    if found is None:
        found = PointsSettings(community_id=community_id)
        db.session.add(found)
    found.expire_after_months = months
    audit.record(by, "points.settings_changed", None, expire_after_months=months or "")
    db.session.commit()
