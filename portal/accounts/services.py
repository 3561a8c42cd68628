"""Rules for accounts: sign-in and lockout, family registration and links, kiosk enrolment."""

import hashlib
import re
import secrets
import threading
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from portal.accounts.models import (
    FamilyLink,
    Kiosk,
    LinkStatus,
    Person,
    Role,
    RoleGrant,
    SignInThrottle,
)
from portal.audit import services as audit
from portal.community import services as community_services
from portal.community.models import Community
from portal.extensions import db
from portal.model_base import utcnow

PHONE_PATTERN = re.compile(r"^1[3-9]\d{9}$")
# werkzeug's strong default; the test suite lowers it to keep thousands of sign-ins quick.
HASH_METHOD = "scrypt"


@cache
def _dummy_hash() -> str:
    """Checked against every failed sign-in so that a wrong phone number costs as much time as a
    wrong password and the response time does not reveal which numbers have accounts. Made on
    first use, not on import: every command and worker would otherwise spend a hash starting."""
    return _hash("not a real password")


# Each scrypt hash holds 32 MiB while it runs: one at a time in a process keeps a web worker's
# memory bounded when many people sign in at once; the others wait their turn. No core idles for
# it: gunicorn runs at least as many workers as there are cores, each hashing in turn, and a
# worker's other threads serve pages meanwhile (a hash lets go of the interpreter).
_HASHING = threading.BoundedSemaphore(1)


def _matches(secret_hash: str, secret: str) -> bool:
    with _HASHING:
        return check_password_hash(secret_hash, secret)


def _hash(secret: str) -> str:
    with _HASHING:
        return generate_password_hash(secret, method=HASH_METHOD)


class AccountError(Exception):
    """A rule about accounts was broken; the message is for the person who broke it."""


class InvalidCredentials(AccountError):
    pass


class AccountLocked(AccountError):
    def __init__(self, until: datetime):
        super().__init__(until)
        self.until = until


class PhoneTaken(AccountError):
    pass


class NoSuchResident(AccountError):
    pass


class LinkToSelf(AccountError):
    pass


class DuplicateLink(AccountError):
    def __init__(self, link: FamilyLink):
        super().__init__(link)
        self.link = link


class NotAllowed(AccountError):
    pass


def normalise_phone(raw: str) -> str:
    """Strip spaces, dashes and a leading +86 from a Chinese mobile number."""
    digits = re.sub(r"[\s\-()]", "", raw or "")
    return digits.removeprefix("+86").removeprefix("0086")


def is_valid_phone(phone: str) -> bool:
    return bool(PHONE_PATTERN.match(phone))


# Sign-in and lockout -------------------------------------------------------------------------


def _throttle(key: str) -> SignInThrottle:
    """The failure counter for key, created if needed; safe when two failures race to create it."""
    throttle = db.session.get(SignInThrottle, key)
    if throttle is None:
        try:
            with db.session.begin_nested():
                throttle = SignInThrottle(key=key, failures=0)
                db.session.add(throttle)
        except IntegrityError:
            throttle = db.session.get(SignInThrottle, key, populate_existing=True)
    return throttle


def _check_not_locked(key: str, now: datetime) -> None:
    throttle = db.session.get(SignInThrottle, key)
    if throttle and throttle.locked_until and throttle.locked_until > now:
        raise AccountLocked(throttle.locked_until)


def _fail(key: str, now: datetime, max_failures: int, lock_minutes: int) -> None:
    """Count a failure for key, lock it when the count reaches max_failures, and raise."""
    throttle = _throttle(key)
    if throttle.locked_until and throttle.locked_until <= now:
        throttle.failures = 0
        throttle.locked_until = None
    throttle.failures += 1
    if throttle.failures >= max_failures:
        throttle.locked_until = now + timedelta(minutes=lock_minutes)
        db.session.commit()
        raise AccountLocked(throttle.locked_until)
    db.session.commit()
    raise InvalidCredentials()


def _succeed(key: str) -> None:
    throttle = db.session.get(SignInThrottle, key)
    if throttle:
        db.session.delete(throttle)
    db.session.commit()


def authenticate_password(
    phone: str, password: str, *, now: datetime | None = None, max_failures=5, lock_minutes=15
) -> Person:
    """Return the active person with this phone and password; raise InvalidCredentials or AccountLocked."""
    now = now or utcnow()
    phone = normalise_phone(phone)
    key = f"phone:{phone}"
    _check_not_locked(key, now)
    person = db.session.scalar(select(Person).where(Person.phone == phone))
    password_hash = person.password_hash if person and person.password_hash else _dummy_hash()
    if _matches(password_hash, password) and person and person.active:
        _succeed(key)
        return person
    _fail(key, now, max_failures, lock_minutes)
    raise AssertionError("unreachable")


def authenticate_resident(
    code: str, pin: str, *, now: datetime | None = None, max_failures=5, lock_minutes=15
) -> Person:
    """Return the resident with this code and PIN; the error never says which of the two was wrong."""
    now = now or utcnow()
    code = code.strip().upper()
    key = f"code:{code}"
    _check_not_locked(key, now)
    person = db.session.scalar(select(Person).where(Person.resident_code == code))
    pin_hash = person.pin_hash if person and person.pin_hash else _dummy_hash()
    if _matches(pin_hash, pin) and person and person.active and person.has_role(Role.RESIDENT):
        _succeed(key)
        return person
    _fail(key, now, max_failures, lock_minutes)
    raise AssertionError("unreachable")


def set_password(person: Person, password: str) -> None:
    person.password_hash = _hash(password)


def set_pin(person: Person, pin: str) -> None:
    person.pin_hash = _hash(pin)


# Family members and links --------------------------------------------------------------------


def register_family_member(name: str, phone: str, password: str) -> Person:
    """Create and commit a family account; raise PhoneTaken when the number already has one."""
    phone = normalise_phone(phone)
    if db.session.scalar(select(Person.id).where(Person.phone == phone)):
        raise PhoneTaken()
    person = Person(name=name.strip(), phone=phone)
    set_password(person, password)
    person.grants.append(RoleGrant(role=Role.FAMILY))
    db.session.add(person)
    db.session.flush()
    audit.record(person, "account.registered", person)
    db.session.commit()
    return person


def request_link(family: Person, resident_code: str, kinship: str) -> FamilyLink:
    """Ask to act for the resident with this code; the link waits for the resident or staff to agree.

    Raises NoSuchResident, LinkToSelf, or DuplicateLink when a pending or active link exists.
    """
    resident = db.session.scalar(
        select(Person).where(Person.resident_code == resident_code.strip().upper())
    )
    if resident is None or not resident.has_role(Role.RESIDENT) or not resident.active:
        raise NoSuchResident()
    if resident.id == family.id:
        raise LinkToSelf()
    link = db.session.scalar(
        select(FamilyLink).where(
            FamilyLink.family_id == family.id, FamilyLink.resident_id == resident.id
        )
    )
    if link and link.is_open:
        raise DuplicateLink(link)
    if link is None:
        link = FamilyLink(family=family, resident=resident)
        db.session.add(link)
    link.kinship = kinship
    link.status = LinkStatus.PENDING
    link.decided_by_id = None
    link.decided_at = None
    audit.record(family, "family_link.requested", resident, kinship=kinship)
    db.session.commit()
    return link


def _may_decide(link: FamilyLink, actor: Person) -> bool:
    return actor.id == link.resident_id or actor.has_role(Role.ADMIN)


def decide_link(link: FamilyLink, actor: Person, approve: bool) -> FamilyLink:
    """Approve or decline a pending link, as the resident or an admin; raise NotAllowed otherwise."""
    if not _may_decide(link, actor) or link.status != LinkStatus.PENDING:
        raise NotAllowed()
    link.status = LinkStatus.ACTIVE if approve else LinkStatus.DECLINED
    link.decided_by_id = actor.id
    link.decided_at = utcnow()
    audit.record(
        actor,
        "family_link.approved" if approve else "family_link.declined",
        link.resident,
        family=link.family.name,
    )
    db.session.commit()
    return link


def end_link(link: FamilyLink, actor: Person) -> FamilyLink:
    """End an open link, as the family member, the resident or an admin; raise NotAllowed otherwise."""
    if not link.is_open or not (actor.id == link.family_id or _may_decide(link, actor)):
        raise NotAllowed()
    link.status = LinkStatus.ENDED
    link.decided_by_id = actor.id
    link.decided_at = utcnow()
    audit.record(actor, "family_link.ended", link.resident, family=link.family.name)
    db.session.commit()
    return link


def links_of_family(family: Person) -> list[FamilyLink]:
    query = (
        select(FamilyLink)
        .where(FamilyLink.family_id == family.id)
        .order_by(FamilyLink.created_at.desc())
        .options(db.joinedload(FamilyLink.resident))
    )
    return list(db.session.scalars(query))


def links_of_resident(resident: Person) -> list[FamilyLink]:
    """The resident's pending and active links, pending first."""
    query = (
        select(FamilyLink)
        .where(
            FamilyLink.resident_id == resident.id,
            FamilyLink.status.in_([LinkStatus.PENDING, LinkStatus.ACTIVE]),
        )
        .order_by(FamilyLink.status.desc(), FamilyLink.created_at)
        .options(db.joinedload(FamilyLink.family))
    )
    return list(db.session.scalars(query))


def kin_of(resident: Person) -> dict[int, str]:
    """How each family member who is or was linked to resident is related to them, by person id."""
    query = select(FamilyLink.family_id, FamilyLink.kinship).where(
        FamilyLink.resident_id == resident.id
    )
    return dict(db.session.execute(query).all())


def pending_links(limit: int = 100) -> list[FamilyLink]:
    query = (
        select(FamilyLink)
        .where(FamilyLink.status == LinkStatus.PENDING)
        .order_by(FamilyLink.created_at)
        .limit(limit)
        .options(db.joinedload(FamilyLink.family), db.joinedload(FamilyLink.resident))
    )
    return list(db.session.scalars(query))


def get_link(link_id: int) -> FamilyLink | None:
    return db.session.get(FamilyLink, link_id)


def may_act_for(person: Person, resident: Person) -> bool:
    """The resident themself, or a family member with an active link to them."""
    return person.id == resident.id or is_linked(person, resident)


@cache
def _signed_in_query():
    return (
        select(Person)
        .where(Person.id == bindparam("person_id"))
        .options(db.joinedload(Person.grants), db.joinedload(Person.community))
        .options(*community_services.with_help_contacts())
    )


def signed_in_person(person_id: int) -> Person | None:
    """The active person with this id, their role grants, their community and the help strip's
    numbers, read in one query: every request asks for them, and every page shows something of
    the community, so the statement is built once."""
    found = db.session.scalars(_signed_in_query(), {"person_id": person_id})
    person = found.unique().one_or_none()
    return person if person and person.active else None


@cache
def _acted_for_query():
    linked = (
        select(FamilyLink.id)
        .where(
            FamilyLink.family_id == bindparam("person_id"),
            FamilyLink.resident_id == Person.id,
            FamilyLink.status == LinkStatus.ACTIVE,
        )
        .exists()
    )
    return (
        select(Person, linked)
        .where(Person.id == bindparam("resident_id"))
        .options(db.joinedload(Person.community))
    )


def resident_acted_for(person: Person, resident_id: int) -> tuple[Person | None, bool]:
    """(the person with resident_id, whether person may act for them): the resident themself, or
    a family member with an active link. Family pages ask on every request, so the resident,
    their community and the link come in one query."""
    if resident_id == person.id:
        return person, True
    row = db.session.execute(
        _acted_for_query(), {"person_id": person.id, "resident_id": resident_id}
    ).first()
    return (row[0], bool(row[1])) if row else (None, False)


def family_ids_of(resident_id: int) -> list[int]:
    """The ids of the family members with an active link to the resident: those to tell."""
    query = select(FamilyLink.family_id).where(
        FamilyLink.resident_id == resident_id, FamilyLink.status == LinkStatus.ACTIVE
    )
    return list(db.session.scalars(query))


def is_linked(family: Person, resident: Person) -> bool:
    """True when family may act for resident."""
    return bool(
        db.session.scalar(
            select(FamilyLink.id).where(
                FamilyLink.family_id == family.id,
                FamilyLink.resident_id == resident.id,
                FamilyLink.status == LinkStatus.ACTIVE,
            )
        )
    )


# Kiosks --------------------------------------------------------------------------------------


def token_hash(token: str) -> str:
    """The sha256 of a secret token, which is all the database keeps of it."""
    return hashlib.sha256(token.encode()).hexdigest()


def enrol_kiosk(community: Community, location: str, actor: Person) -> tuple[Kiosk, str]:
    """Create a kiosk and return it with the device token, which is shown once and never stored."""
    token = secrets.token_urlsafe(32)
    kiosk = Kiosk(
        community=community,
        location=location.strip(),
        token_hash=token_hash(token),
        enrolled_by_id=actor.id,
    )
    db.session.add(kiosk)
    db.session.flush()
    audit.record(actor, "kiosk.enrolled", kiosk_id=kiosk.id, location=kiosk.location)
    db.session.commit()
    return kiosk, token


def revoke_kiosk(kiosk: Kiosk, actor: Person) -> Kiosk:
    if kiosk.revoked_at is None:
        kiosk.revoked_at = utcnow()
        kiosk.revoked_by_id = actor.id
        audit.record(actor, "kiosk.revoked", kiosk_id=kiosk.id, location=kiosk.location)
        db.session.commit()
    return kiosk


def kiosk_for_token(token: str | None) -> Kiosk | None:
    """Return the kiosk, revoked or not, whose device cookie holds token."""
    if not token:
        return None
    return db.session.scalar(select(Kiosk).where(Kiosk.token_hash == token_hash(token)))


def list_kiosks() -> list[Kiosk]:
    query = select(Kiosk).order_by(Kiosk.revoked_at.is_not(None), Kiosk.created_at.desc())
    return list(db.session.scalars(query.options(db.joinedload(Kiosk.community))))


def get_kiosk(kiosk_id: int) -> Kiosk | None:
    return db.session.get(Kiosk, kiosk_id)


def get_person(person_id: int) -> Person | None:
    return db.session.get(Person, person_id)


def resident_by_code(code: str) -> Person | None:
    """The person whose resident code this is, spaces and letter case forgiven; None if nobody."""
    return db.session.scalar(
        select(Person).where(Person.resident_code == "".join(code.split()).upper())
    )
