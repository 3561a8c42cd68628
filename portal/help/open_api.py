"""The open API's rules (Open311 GeoReport v2): keys for partners' applications, the catalogue
and requests as the specification names their fields, and sending a request for a resident the
application has identified."""

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select

from portal.accounts.models import FamilyLink, LinkStatus, Person, Role
from portal.audit import services as audit
from portal.community.models import Community
from portal.extensions import db
from portal.help.catalogue import answers_of
from portal.help.models import OPEN_STATUSES, ApiKey, HelpRequest, HelpService
from portal.model_base import utcnow
from portal.web.phones import normalise_phone

KEY_PREFIX = "linli_"
# How stale a key's "last used" may grow before a request writes it again.
USE_RECORDED_EVERY = timedelta(hours=1)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def make_key(admin: Person, community_id: int, name: str) -> tuple[ApiKey, str]:
    """A new key for an application of the community; the key itself is returned once only."""
    key = KEY_PREFIX + secrets.token_urlsafe(24)
    made = ApiKey(
        community_id=community_id, name=name.strip(), digest=_digest(key), created_by_id=admin.id
    )
    db.session.add(made)
    db.session.flush()
    audit.record(admin, "help.api_key_made", application=made.name)
    db.session.commit()
    return made, key


def revoke(admin: Person, key: ApiKey, now: datetime | None = None) -> None:
    if key.revoked_at is None:
        key.revoked_at = now or utcnow()
        audit.record(admin, "help.api_key_revoked", application=key.name)
        db.session.commit()


def keys_of(community_id: int) -> list[ApiKey]:
    return list(
        db.session.scalars(
            select(ApiKey).where(ApiKey.community_id == community_id).order_by(ApiKey.id.desc())
        )
    )


def key_of(community_id: int, key_id: int) -> ApiKey | None:
    found = db.session.get(ApiKey, key_id)
    return found if found is not None and found.community_id == community_id else None


def key_for(sent: str | None, now: datetime | None = None) -> ApiKey | None:
    """The key an application sent, if it is one in force; notes when it was last used."""
    if not sent or not sent.startswith(KEY_PREFIX) or len(sent) > 100:
        return None
    found = db.session.scalar(
        select(ApiKey).where(ApiKey.digest == _digest(sent), ApiKey.revoked_at.is_(None))
    )
    now = now or utcnow()
    if found is not None and (
        found.last_used_at is None or found.last_used_at < now - USE_RECORDED_EVERY
    ):
        found.last_used_at = now
        db.session.commit()
    return found


def who_asks(community_id: int, account_id: str | None, phone: str | None):
    """The resident named by their resident code (account_id) and who asks for them: the
    resident, when phone is theirs, or a family member linked to them whose mobile it is. None
    when the two do not match: an application cannot ask for a resident by code alone."""
    phone = normalise_phone(phone or "")
    if not account_id or not phone:
        return None
    resident = db.session.scalar(
        select(Person).where(
            Person.resident_code == account_id.strip(),
            Person.community_id == community_id,
            Person.active.is_(True),
        )
    )
    if resident is None or not resident.has_role(Role.RESIDENT):
        return None
    if resident.phone == phone:
        return resident, resident
    family = db.session.scalar(
        select(Person)
        .join(FamilyLink, FamilyLink.family_id == Person.id)
        .where(
            FamilyLink.resident_id == resident.id,
            FamilyLink.status == LinkStatus.ACTIVE,
            Person.phone == phone,
            Person.active.is_(True),
        )
    )
    return (resident, family) if family is not None else None


# The specification's fields ---------------------------------------------------------------------


def attribute_code(question) -> str:
    return f"q{question.id}"


def answers_sent(service: HelpService, attributes: dict[str, str]) -> list[dict]:
    """The answers sent as attribute[code] values, as the request keeps them; raises BadAnswer."""
    sent = [attributes.get(attribute_code(q)) for q in service.questions]
    return answers_of(service, sent)


def status_of(request: HelpRequest) -> str:
    return "open" if request.status in OPEN_STATUSES else "closed"


def instant(value: datetime | None, community: Community) -> str | None:
    """A naive UTC instant as W3C date and time with the community's offset."""
    return community.local_time(value).isoformat(timespec="seconds") if value else None


def requests_of(key: ApiKey, ids: list[int] | None = None, limit: int = 100) -> list[HelpRequest]:
    """The requests the key's application sent, the newest first, or those of ids among them."""
    query = (
        select(HelpRequest)
        .where(HelpRequest.api_key_id == key.id)
        .order_by(HelpRequest.id.desc())
        .limit(limit)
        .options(db.joinedload(HelpRequest.service), db.joinedload(HelpRequest.partner))
    )
    if ids is not None:
        query = query.where(HelpRequest.id.in_(ids))
    return list(db.session.scalars(query))
