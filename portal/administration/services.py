"""Administration: the partners requests can be handed to, and the audit log read in words."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import or_, select

from portal.accounts.models import Person, administered_by
from portal.audit import services as audit
from portal.audit.models import AuditEntry
from portal.community.models import Community, Partner, PartnerKind
from portal.extensions import db
from portal.web.paging import page_of


def add_partner(
    admin: Person, name: str, phone: str | None, kind: str = PartnerKind.OTHER
) -> Partner:
    """Add a partner to the admin's own community and record it in the audit log."""
    partner = Partner(
        community_id=admin.community_id,
        name=name.strip(),
        phone=(phone or "").strip() or None,
        kind=PartnerKind(kind),
    )
    db.session.add(partner)
    db.session.flush()
    audit.record(admin, "partner.added", partner=partner.name)
    db.session.commit()
    return partner


def partner_of(admin: Person, partner_id: int) -> Partner | None:
    """The partner, if it is of a community admin runs."""
    found = db.session.get(Partner, partner_id)
    return found if found is not None and admin.administers(found.community_id) else None


def other_communities(partner: Partner) -> list[Community]:
    """The communities of the partner's street office that it could serve besides its own."""
    return list(
        db.session.scalars(
            select(Community)
            .where(
                Community.street_office_id == partner.community.street_office_id,
                Community.id != partner.community_id,
            )
            .order_by(Community.id)
        )
    )


def set_served(admin: Person, partner: Partner, community_ids: set[int]) -> None:
    """The communities of its street the partner serves besides its own: their grid workers can
    hand it requests, and their admins rate it. Audited; commits."""
    if not admin.administers(partner.community_id):
        raise PermissionError("only the partner's own community's admins choose this")
    chosen = [c for c in other_communities(partner) if c.id in community_ids]
    before = {c.name for c in partner.also_serves}
    partner.also_serves = chosen
    after = {c.name for c in chosen}
    if before != after:
        audit.record(
            admin,
            "partner.serves",
            partner=partner.name,
            communities="、".join(sorted(after)) or "—",
        )
    db.session.commit()


# Reading the audit log ---------------------------------------------------------------------------


def find_people(reader: Person, text: str, limit: int = 20) -> list[Person]:
    """People of the communities reader administers whose name contains text, or whose mobile
    number or resident code is text."""
    text = text.strip()
    query = (
        select(Person)
        .where(or_(Person.name.contains(text), Person.phone == text, Person.resident_code == text))
        .where(administered_by(reader, Person.community_id))
        .order_by(Person.id)
        .limit(limit)
    )
    return sorted(db.session.scalars(query), key=Person.name_order)


def _utc_midnight(day: date, zone: str) -> datetime:
    """The instant local midnight of day in zone begins, as naive UTC."""
    local = datetime.combine(day, time.min, tzinfo=ZoneInfo(zone))
    return local.astimezone(UTC).replace(tzinfo=None)


def _of_administered(reader: Person):
    """Entries about someone of the communities reader administers, or, about no one, made by
    someone of them: the entries of those communities."""
    return AuditEntry.community_id.in_(
        select(Community.id).where(administered_by(reader, Community.id))
    )


AUDIT_PAGE = 50  # entries on a page of the audit log
AUDIT_EXPORT_MOST = 100_000  # entries in one export


@dataclass
class AuditFilters:
    """What the log is narrowed to: entries where one of person_ids acted or was acted on, from
    start to end inclusive (calendar days in zone), of one kind (an action's first word)."""

    person_ids: list[int] | None = None
    start: date | None = None
    end: date | None = None
    zone: str = "UTC"
    area: str | None = None


def _entries(reader: Person, filters: AuditFilters):
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if not reader.administers_every_community:
        query = query.where(_of_administered(reader))
    if filters.person_ids:
        ids = filters.person_ids
        query = query.where(or_(AuditEntry.actor_id.in_(ids), AuditEntry.subject_id.in_(ids)))
    if filters.start:
        query = query.where(AuditEntry.at >= _utc_midnight(filters.start, filters.zone))
    if filters.end:
        following = filters.end + timedelta(days=1)
        query = query.where(AuditEntry.at < _utc_midnight(following, filters.zone))
    if filters.area:
        query = query.where(AuditEntry.action.startswith(f"{filters.area}.", autoescape=True))
    return query.options(db.joinedload(AuditEntry.actor), db.joinedload(AuditEntry.subject))


def search(
    reader: Person, filters: AuditFilters, page: int = 1, per_page: int = AUDIT_PAGE
) -> Pagination:
    """One page of the entries that reader may read and filters keep, newest first, with how
    many there are in all. A street-office admin reads them all. A page past the last gives the
    last."""
    return page_of(_entries(reader, filters), page, per_page)


def export(reader: Person, filters: AuditFilters) -> list[AuditEntry]:
    """Every entry search would page through, newest first (at most AUDIT_EXPORT_MOST); the
    export is itself recorded, as it carries people's care data away."""
    entries = list(db.session.scalars(_entries(reader, filters).limit(AUDIT_EXPORT_MOST)))
    audit.record(
        reader,
        "audit.exported",
        entries=len(entries),
        **{name: value for name, value in vars(filters).items() if value and name != "zone"},
    )
    db.session.commit()
    return entries
