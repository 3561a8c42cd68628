"""Rules for accounts: sign-in, its throttling and sign-out, family registration and links, kiosk enrolment."""

import hashlib
import re
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from blinker import Namespace
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import bindparam, case, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from werkzeug.security import check_password_hash, generate_password_hash

from portal.accounts.models import (
    Channel,
    FamilyLink,
    Kiosk,
    LinkStatus,
    Person,
    Role,
    RoleGrant,
    SignIn,
    SignInThrottle,
    administered_by,
)
from portal.audit import services as audit
from portal.community.models import Community, Grid
from portal.extensions import db
from portal.model_base import utcnow
from portal.web.paging import page_of
from portal.web.phones import normalise_phone

# The largest id the database's integer column holds; a larger one names nobody.
MAX_ID = 2**31 - 1
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


# Sign-in throttling ---------------------------------------------------------------------------
#
# Wrong tries are counted under three keys, none of which a stranger can turn against a resident:
# - the account from one device (an enrolled kiosk, else an address): a few free tries, then a
#   wait before each next one that doubles, up to a ceiling. Only that device waits.
# - the device across accounts: a few more free tries, then the same waits, so one common PIN
#   cannot be tried on every code.
# - the account from everywhere: at a much higher count staff are told once, and from then on
#   devices that are not enrolled kiosks wait as well. A kiosk in the community is never made to.
# A correct PIN or password during a wait is refused like any other try: the wait says nothing.
# Counts are forgotten a day after their last failure.


@dataclass(frozen=True)
class Device:
    """Where a sign-in is tried from: an enrolled kiosk, or an address on the internet."""

    key: str
    kiosk: bool = False

    @classmethod
    def at_kiosk(cls, kiosk_id: int) -> "Device":
        return cls(f"kiosk:{kiosk_id}", kiosk=True)

    @classmethod
    def at_address(cls, address: str | None) -> "Device":
        return cls(f"address:{address or 'unknown'}")


@dataclass(frozen=True)
class ThrottleRules:
    account_free_failures: int = 5
    device_free_failures: int = 20
    alert_failures: int = 50
    first_wait: timedelta = timedelta(seconds=30)
    longest_wait: timedelta = timedelta(minutes=15)
    memory: timedelta = timedelta(days=1)

    @classmethod
    def from_config(cls, config) -> "ThrottleRules":
        return cls(
            account_free_failures=config["SIGN_IN_FREE_FAILURES"],
            device_free_failures=config["SIGN_IN_DEVICE_FREE_FAILURES"],
            alert_failures=config["SIGN_IN_ALERT_FAILURES"],
            longest_wait=timedelta(minutes=config["SIGN_IN_LONGEST_WAIT_MINUTES"]),
        )

    def wait_after(self, failures: int, free: int) -> timedelta | None:
        """How long to wait after the failures-th failure when free of them come without a wait."""
        if failures < free:
            return None
        doublings = min(failures - free, 20)
        return min(self.first_wait * 2**doublings, self.longest_wait)


class MustWait(AccountError):
    """Too many wrong tries: no try is checked before until."""

    def __init__(self, until: datetime):
        super().__init__(until)
        self.until = until


_signals = Namespace()

# Staff are told of an account tried many times over: sender is the account's person, or None
# when no account has that phone number or code.
repeated_failures = _signals.signal("sign-in-repeated-failures")


def _throttle(key: str) -> SignInThrottle:
    """The counter for key, created if needed; safe when two failures race to create it."""
    throttle = db.session.get(SignInThrottle, key)
    if throttle is None:
        try:
            with db.session.begin_nested():
                throttle = SignInThrottle(key=key, failures=0)
                db.session.add(throttle)
        except IntegrityError:
            throttle = db.session.get(SignInThrottle, key, populate_existing=True)
    return throttle


def _keys(account: str, device: Device) -> dict[str, str]:
    """{key: which of the three counts it is} for a try at account from device."""
    keys = {f"{account}|{device.key}": "account", account: "everywhere"}
    if not device.kiosk:
        keys[device.key] = "device"
    return keys


def _makes_wait(kind: str, device: Device) -> bool:
    """Whether a wait under this kind of key holds device back: an enrolled kiosk never waits
    for failures made elsewhere."""
    return kind != "everywhere" or not device.kiosk


def _check_waits(account: str, device: Device, now: datetime) -> None:
    keys = _keys(account, device)
    found = db.session.scalars(select(SignInThrottle).where(SignInThrottle.key.in_(keys)))
    waits = [
        t.wait_until
        for t in found
        if t.wait_until and t.wait_until > now and _makes_wait(keys[t.key], device)
    ]
    if waits:
        raise MustWait(max(waits))


def _count_failure(
    account: str, device: Device, person: Person | None, now: datetime, rules: ThrottleRules
) -> None:
    """Count a wrong try under each key, set the waits it earns, alert staff once, and raise."""
    free = {
        "account": rules.account_free_failures,
        "device": rules.device_free_failures,
        "everywhere": rules.alert_failures,
    }
    waits = []
    for key, kind in _keys(account, device).items():
        throttle = _throttle(key)
        db.session.execute(
            update(SignInThrottle)
            .where(SignInThrottle.key == key)
            .values(
                failures=case(
                    (SignInThrottle.last_failure_at < now - rules.memory, 1),
                    else_=SignInThrottle.failures + 1,
                ),
                last_failure_at=now,
            )
        )
        db.session.refresh(throttle)
        wait = rules.wait_after(throttle.failures, free[kind])
        if wait:
            throttle.wait_until = now + wait
            if _makes_wait(kind, device):
                waits.append(throttle.wait_until)
        if kind == "everywhere" and throttle.failures >= free[kind] and throttle.alerted_at is None:
            throttle.alerted_at = now
            audit.record(None, "sign_in.repeated_failures", person, account=account)
            repeated_failures.send(person, account=account, failures=throttle.failures)
        if kind == "everywhere" and throttle.failures == 1:
            throttle.alerted_at = None
    db.session.commit()
    if waits:
        raise MustWait(max(waits))
    raise InvalidCredentials()


def _forget_failures(account: str, device: Device) -> None:
    db.session.execute(
        delete(SignInThrottle).where(SignInThrottle.key == f"{account}|{device.key}")
    )


def authenticate_password(
    phone: str,
    password: str,
    device: Device,
    *,
    now: datetime | None = None,
    rules: ThrottleRules = ThrottleRules(),
) -> Person:
    """Return the active person with this phone and password; raise InvalidCredentials or MustWait."""
    now = now or utcnow()
    account = f"phone:{normalise_phone(phone)}"
    _check_waits(account, device, now)
    person = db.session.scalar(select(Person).where(Person.phone == normalise_phone(phone)))
    password_hash = person.password_hash if person and person.password_hash else _dummy_hash()
    if person is not None and person.must_set_password:
        password = _typed_code(password)
        if person.code_expires_at is not None and person.code_expires_at < now:
            password_hash = _dummy_hash()
    if _matches(password_hash, password) and person and person.active:
        _forget_failures(account, device)
        return person
    _count_failure(account, device, person, now, rules)
    raise AssertionError("unreachable")


def authenticate_resident(
    code: str,
    pin: str,
    device: Device,
    *,
    now: datetime | None = None,
    rules: ThrottleRules = ThrottleRules(),
) -> Person:
    """Return the resident with this code and PIN; the error never says which of the two was wrong."""
    now = now or utcnow()
    code = code.strip().upper()
    account = f"code:{code}"
    _check_waits(account, device, now)
    person = db.session.scalar(select(Person).where(Person.resident_code == code))
    pin_hash = person.pin_hash if person and person.pin_hash else _dummy_hash()
    if _matches(pin_hash, pin) and person and person.active and person.has_role(Role.RESIDENT):
        _forget_failures(account, device)
        return person
    _count_failure(account, device, person, now, rules)
    raise AssertionError("unreachable")


# Sign-ins: one per device, each ended on its own or all together --------------------------------


def start_sign_in(
    person: Person,
    *,
    lasts: timedelta,
    remembered: bool = False,
    kiosk: Kiosk | None = None,
    device: str = "",
    now: datetime | None = None,
) -> SignIn:
    """Record and commit a sign-in for person on this device; person.get_id() then names it."""
    now = now or utcnow()
    sign_in = SignIn(
        person_id=person.id,
        remembered=remembered,
        kiosk_id=kiosk.id if kiosk else None,
        device=device[:120],
        created_at=now,
        expires_at=now + lasts,
    )
    db.session.add(sign_in)
    db.session.commit()
    person.sign_in_id = sign_in.id
    return sign_in


def end_sign_in(sign_in_id: int | None, *, now: datetime | None = None) -> None:
    """End one device's sign-in, as its own person signing out there."""
    if sign_in_id is None:
        return
    db.session.execute(
        update(SignIn)
        .where(SignIn.id == sign_in_id, SignIn.ended_at.is_(None))
        .values(ended_at=now or utcnow())
    )
    db.session.commit()


def _ending_sign_ins_of(person: Person):
    """An UPDATE of person's open sign-ins, for the caller to narrow and give values."""
    return update(SignIn).where(SignIn.person_id == person.id, SignIn.ended_at.is_(None))


def sign_out_everywhere(person: Person, actor: Person, now: datetime | None = None) -> int:
    """End every open sign-in of person, in the caller's transaction; return how many."""
    ended = db.session.execute(
        _ending_sign_ins_of(person).values(ended_at=now or utcnow(), ended_by_id=actor.id)
    )
    return ended.rowcount


def end_sign_ins(
    person: Person,
    actor: Person,
    *,
    only_remembered: bool = False,
    keep: int | None = None,
    now: datetime | None = None,
) -> int:
    """End person's open sign-ins (only those kept across restarts, if asked; all but keep, if
    given), as actor; staff doing it for a resident is audited. Returns how many ended."""
    query = _ending_sign_ins_of(person)
    if only_remembered:
        query = query.where(SignIn.remembered.is_(True))
    if keep is not None:
        query = query.where(SignIn.id != keep)
    ended = db.session.execute(query.values(ended_at=now or utcnow(), ended_by_id=actor.id))
    if ended.rowcount:
        action = "sign_in.ended_remembered" if only_remembered else "sign_in.ended_all"
        audit.record(actor, action, person, count=ended.rowcount)
    db.session.commit()
    return ended.rowcount


def open_sign_ins(person: Person, now: datetime | None = None) -> list[SignIn]:
    """person's sign-ins still in force, newest first."""
    query = (
        select(SignIn)
        .where(
            SignIn.person_id == person.id,
            SignIn.ended_at.is_(None),
            SignIn.expires_at > (now or utcnow()),
        )
        .order_by(SignIn.created_at.desc())
        .options(db.joinedload(SignIn.kiosk))
    )
    return list(db.session.scalars(query))


def set_password(person: Person, password: str) -> None:
    """Set the password; every device signed in with the old one is signed out when committed."""
    person.password_hash = _hash(password)
    _end_sign_ins_on_commit(person)


# One-time codes: how the office lets a person in who has no password yet, or forgot theirs.

ONE_TIME_CODE_DAYS = 7
_CODE_LETTERS = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O or 1/I to mistake for each other


def _typed_code(typed: str) -> str:
    """A one-time code as typed: any case, with or without its dash or spaces."""
    return re.sub(r"[\s-]", "", typed).upper()


def issue_one_time_code(person: Person, now: datetime | None = None) -> str:
    """A code person signs in with once, within ONE_TIME_CODE_DAYS, to set a password of their
    own; it replaces their password, and every device they are signed in on is signed out when
    committed. Shown as "ABCD-EFGH"; never stored but as a hash."""
    now = now or utcnow()
    code = "".join(secrets.choice(_CODE_LETTERS) for _ in range(8))
    person.password_hash = _hash(code)
    person.must_set_password = True
    person.code_expires_at = now + timedelta(days=ONE_TIME_CODE_DAYS)
    _end_sign_ins_on_commit(person)
    return f"{code[:4]}-{code[4:]}"


def set_own_password(person: Person, new: str) -> None:
    """person, signed in with a one-time code, sets a password of their own."""
    person.password_hash = _hash(new)
    person.must_set_password = False
    person.code_expires_at = None
    db.session.commit()


def change_password(person: Person, current: str, new: str, keep: int | None) -> None:
    """person changes their own password, giving the one they have: every other device signed in
    with it is signed out, the sign-in keep (this device's) stays. Raises InvalidCredentials when
    current is not their password."""
    if not (person.password_hash and _matches(person.password_hash, current)):
        raise InvalidCredentials()
    person.password_hash = _hash(new)
    query = _ending_sign_ins_of(person)
    if keep is not None:
        query = query.where(SignIn.id != keep)
    db.session.execute(query.values(ended_at=utcnow(), ended_by_id=person.id))
    db.session.commit()


def set_pin(person: Person, pin: str) -> None:
    """Set the PIN; every device signed in with the old one is signed out when committed."""
    person.pin_hash = _hash(pin)
    _end_sign_ins_on_commit(person)


def _end_sign_ins_on_commit(person: Person) -> None:
    if person.id is not None:
        db.session.execute(_ending_sign_ins_of(person).values(ended_at=utcnow()))


# Family members and links --------------------------------------------------------------------


def register_family_member(name: str, phone: str, password: str) -> Person:
    """Create and commit a family account; raise PhoneTaken when the number already has one."""
    phone = normalise_phone(phone)
    if db.session.scalar(select(Person.id).where(Person.phone == phone)):
        raise PhoneTaken()
    # Registering takes agreeing to the privacy notice the form shows; when is kept.
    person = Person(name=name.strip(), phone=phone, privacy_consent_at=utcnow())
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
    return actor.id == link.resident_id or actor.administers(link.resident.community_id)


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


def family_to_call(resident: Person) -> list[FamilyLink]:
    """The resident's active family links whose member has a phone, oldest link first."""
    return [
        link
        for link in links_of_resident(resident)
        if link.status == LinkStatus.ACTIVE and link.family.phone
    ]


def kin_of(resident: Person) -> dict[int, str]:
    """How each family member who is or was linked to resident is related to them, by person id."""
    query = select(FamilyLink.family_id, FamilyLink.kinship).where(
        FamilyLink.resident_id == resident.id
    )
    return dict(db.session.execute(query).all())


PENDING_LINKS_PAGE = 50


def pending_links(admin: Person, page: int = 1, per_page: int = PENDING_LINKS_PAGE) -> Pagination:
    """One page of the links waiting for a decision, to residents of the communities admin
    administers, oldest first, with how many there are."""
    query = (
        select(FamilyLink)
        .join(Person, Person.id == FamilyLink.resident_id)
        .where(FamilyLink.status == LinkStatus.PENDING, administered_by(admin, Person.community_id))
        .order_by(FamilyLink.created_at, FamilyLink.id)
        .options(db.joinedload(FamilyLink.family), db.joinedload(FamilyLink.resident))
    )
    return page_of(query, page, per_page)


def get_link(link_id: int) -> FamilyLink | None:
    return db.session.get(FamilyLink, link_id)


def family_of_administered(admin: Person, family: Person) -> bool:
    """Whether family is (or asked to be) linked to a resident of a community admin runs."""
    resident = aliased(Person)
    query = (
        select(FamilyLink.id)
        .join(resident, resident.id == FamilyLink.resident_id)
        .where(FamilyLink.family_id == family.id)
        .where(administered_by(admin, resident.community_id))
        .limit(1)
    )
    return db.session.scalar(query) is not None


def may_act_for(person: Person, resident: Person) -> bool:
    """The resident themself, or a family member with an active link to them."""
    return person.id == resident.id or is_linked(person, resident)


def serves(staff: Person, resident: Person) -> bool:
    """Whether staff act for the resident when asked without a device: grid workers of the
    resident's grid (backups in their days) and admins of their community, for an active resident
    with a home on record."""
    if not resident.has_role(Role.RESIDENT) or not resident.active or resident.building is None:
        return False
    if staff.administers(resident.community_id):
        return True
    grids = {g.grid_id for g in staff.grants_in_force() if g.role == Role.GRID_WORKER}
    return resident.building.grid_id in grids


def served_by_code(staff: Person, code: str) -> Person | None:
    """The resident with code whom staff serve (see serves), or None."""
    found = resident_by_code(code)
    return found if found is not None and serves(staff, found) else None


def may_book_for(person: Person, resident: Person, channel: str | None) -> bool:
    """The resident, linked family, or (with the channel the resident asked by) staff serving them."""
    if channel is None:
        return may_act_for(person, resident)
    return channel in set(Channel) and serves(person, resident)


def _signed_in_query():
    sign_in_open = (
        select(SignIn.id)
        .where(
            SignIn.id == bindparam("sign_in_id"),
            SignIn.person_id == Person.id,
            SignIn.ended_at.is_(None),
            SignIn.expires_at > bindparam("now"),
        )
        .exists()
    )
    return (
        select(Person)
        .where(Person.id == bindparam("person_id"), sign_in_open)
        .options(db.joinedload(Person.grants), db.joinedload(Person.community))
    )


def signed_in_person(user_id: str, now: datetime | None = None) -> Person | None:
    """The active person named by a session's or remember cookie's user id ("person.sign-in"),
    if that sign-in is still open, with their role grants and their community, read in one query:
    every request asks for them, and every page shows something of the community."""
    person_id, _, sign_in_id = user_id.partition(".")
    if not (person_id.isdigit() and sign_in_id.isdigit()):
        return None
    person_id, sign_in_id = int(person_id), int(sign_in_id)
    if max(person_id, sign_in_id) > MAX_ID:
        return None
    found = db.session.scalars(
        _signed_in_query(),
        {"person_id": person_id, "sign_in_id": sign_in_id, "now": now or utcnow()},
    )
    person = found.unique().one_or_none()
    if person is None or not person.active:
        return None
    person.sign_in_id = sign_in_id
    return person


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


def resident_acted_for(
    person: Person, resident_id: int, *, staff: bool = False
) -> tuple[Person | None, bool]:
    """(the person with resident_id, whether person may act for them): the resident themself, or
    a family member with an active link; with staff, also grid workers and admins who serve them.
    Family pages ask on every request, so the resident, their community and the link come in one
    query."""
    if resident_id == person.id:
        return person, True
    row = db.session.execute(
        _acted_for_query(), {"person_id": person.id, "resident_id": resident_id}
    ).first()
    if row is None:
        return None, False
    return row[0], bool(row[1]) or (staff and serves(person, row[0]))


def family_ids_of(resident_id: int) -> list[int]:
    """The ids of the family members with an active link to the resident: those to tell."""
    query = select(FamilyLink.family_id).where(
        FamilyLink.resident_id == resident_id, FamilyLink.status == LinkStatus.ACTIVE
    )
    return list(db.session.scalars(query))


def latest_kiosk_sign_ins(resident_ids: list[int]) -> dict[int, datetime]:
    """When each resident last signed in at a kiosk."""
    query = (
        select(SignIn.person_id, func.max(SignIn.created_at))
        .where(SignIn.person_id.in_(resident_ids), SignIn.kiosk_id.is_not(None))
        .group_by(SignIn.person_id)
    )
    return dict(db.session.execute(query).all())


def last_kiosk_sign_in(residents):
    """The latest kiosk sign-in of any of residents (ids, or a query of their ids), as a scalar
    subquery."""
    return (
        select(func.max(SignIn.created_at))
        .where(SignIn.person_id.in_(residents), SignIn.kiosk_id.is_not(None))
        .scalar_subquery()
    )


def partner_ids_of(person: Person) -> set[int]:
    """The partners person acts for."""
    return {g.partner_id for g in person.grants if g.role == Role.PARTNER and g.partner_id}


def people_of_partner(partner_id: int) -> list[int]:
    """The ids of the people who act for the partner and can sign in: those to tell."""
    query = (
        select(RoleGrant.person_id)
        .join(Person, Person.id == RoleGrant.person_id)
        .where(
            RoleGrant.role == Role.PARTNER,
            RoleGrant.partner_id == partner_id,
            Person.active.is_(True),
        )
        .order_by(RoleGrant.person_id)
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


def administered_communities(admin: Person) -> list[Community]:
    query = select(Community).where(administered_by(admin, Community.id))
    return list(db.session.scalars(query.order_by(Community.id)))


def list_kiosks(admin: Person) -> list[Kiosk]:
    """The kiosks of the communities admin administers, those still in use first."""
    query = (
        select(Kiosk)
        .where(administered_by(admin, Kiosk.community_id))
        .order_by(Kiosk.revoked_at.is_not(None), Kiosk.created_at.desc())
    )
    return list(db.session.scalars(query.options(db.joinedload(Kiosk.community))))


def administered_kiosk(admin: Person, kiosk_id: int) -> Kiosk | None:
    """The kiosk, if it is in a community admin administers; None as if there were none."""
    kiosk = db.session.get(Kiosk, kiosk_id)
    return kiosk if kiosk is not None and admin.administers(kiosk.community_id) else None


def get_person(person_id: int) -> Person | None:
    return db.session.get(Person, person_id)


def administered_person(admin: Person, person_id: int) -> Person | None:
    """The person, if they belong to a community admin administers; None as if there were none."""
    person = db.session.get(Person, person_id)
    return person if person is not None and admin.administers(person.community_id) else None


def person_by_code_or_phone(admin: Person, text: str) -> Person | None:
    """The person whose resident code or mobile number this is, among those admin administers."""
    text = "".join(text.split()).upper()
    return db.session.scalar(
        select(Person).where(
            (Person.resident_code == text) | (Person.phone == normalise_phone(text)),
            administered_by(admin, Person.community_id),
        )
    )


def masked_name_for_code(code: str) -> str | None:
    """The first character of the name of the resident with this code, then two stars whatever
    the name's length, for the PIN page to show whose sign-in it is; None if nobody has it."""
    resident = resident_by_code(code)
    if resident is None or not resident.has_role(Role.RESIDENT):
        return None
    return resident.name.strip()[:1] + "**"


def resident_by_code(code: str) -> Person | None:
    """The person whose resident code this is, spaces and letter case forgiven; None if nobody."""
    return db.session.scalar(
        select(Person).where(Person.resident_code == "".join(code.split()).upper())
    )


def grids_served_by(person: Person) -> list[Grid]:
    """The grids a grid worker or volunteer serves."""
    grid_ids = [grant.grid_id for grant in person.grants_in_force() if grant.grid_id]
    if not grid_ids:
        return []
    query = select(Grid).where(Grid.id.in_(grid_ids)).order_by(Grid.community_id, Grid.name)
    return list(db.session.scalars(query.options(db.joinedload(Grid.community))))
