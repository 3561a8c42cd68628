"""The points ledger (服务积分): a double-entry ledger per community. Every movement is one
transaction of entries that add up to nothing; a deed pays once, however often or however many
staff at once record it; a person's balance never goes below zero; a reversal is a new
transaction. Balances are kept with the entries and can be checked against them."""

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from portal.accounts.models import Person, Role
from portal.extensions import db
from portal.model_base import utcnow
from portal.points.models import (
    AccountKind,
    PointsAccount,
    PointsEntry,
    PointsTransaction,
    ServiceRecord,
)
from portal.web.phones import normalise_phone

REASON_MAX_LENGTH = 200


class PointsError(Exception):
    pass


class NotEnoughPoints(PointsError):
    """The movement would take an account below zero: nothing was saved."""


class BadMovement(PointsError):
    """Entries that do not add up to nothing, or move no points."""


class AlreadyReversed(PointsError):
    pass


def _key(community_id: int, kind: str, person_id: int | None) -> str:
    return f"{community_id}:{kind}:{person_id if person_id is not None else '-'}"


def account(community_id: int, kind: str, person_id: int | None = None) -> PointsAccount:
    """The community's account of kind (a person's, with person_id), opened when first needed;
    two requests opening it at once get the same one."""
    key = _key(community_id, kind, person_id)
    found = db.session.scalar(select(PointsAccount).where(PointsAccount.key == key))
    if found is not None:
        return found
    try:
        with db.session.begin_nested():
            found = PointsAccount(
                key=key, community_id=community_id, kind=kind, person_id=person_id
            )
            db.session.add(found)
    except IntegrityError:
        found = db.session.scalar(select(PointsAccount).where(PointsAccount.key == key))
    return found


def balance(person: Person, community_id: int) -> int:
    """person's points in the community, 0 before they have any."""
    key = _key(community_id, AccountKind.PERSON, person.id)
    return db.session.scalar(select(PointsAccount.balance).where(PointsAccount.key == key)) or 0


def _by_deed(deed_key: str) -> PointsTransaction | None:
    return db.session.scalar(
        select(PointsTransaction).where(PointsTransaction.deed_key == deed_key)
    )


def move(
    community_id: int,
    kind: str,
    moves: list[tuple[PointsAccount, int]],
    *,
    deed_key: str | None = None,
    by: Person | None = None,
    reason: str | None = None,
    reverses: PointsTransaction | None = None,
    detail: dict | None = None,
    now: datetime | None = None,
) -> PointsTransaction:
    """Add one movement to the session's transaction without committing it: moves are (account,
    points), adding up to nothing. Raises NotEnoughPoints when an account other than the issuing
    one would go below zero, also when two movements spend the same points at once (the caller
    rolls back); BadMovement for moves that do not balance."""
    amounts = [amount for _account, amount in moves]
    if not moves or sum(amounts) != 0 or any(amount == 0 for amount in amounts):
        raise BadMovement(amounts)
    # Accounts in one order, so that two movements touching the same two never wait on each other.
    for target, amount in sorted(moves, key=lambda move: move[0].id):
        changed = db.session.execute(
            update(PointsAccount)
            .where(
                PointsAccount.id == target.id,
                or_(
                    PointsAccount.kind == AccountKind.ISSUED,
                    PointsAccount.balance + amount >= 0,
                ),
            )
            .values(balance=PointsAccount.balance + amount)
            .execution_options(synchronize_session=False)
        )
        if changed.rowcount != 1:
            raise NotEnoughPoints(target.id)
    transaction = PointsTransaction(
        community_id=community_id,
        kind=kind,
        deed_key=deed_key,
        reverses_id=reverses.id if reverses else None,
        by_id=by.id if by else None,
        reason=(reason or "").strip()[:REASON_MAX_LENGTH] or None,
        detail=detail,
        at=now or utcnow(),
    )
    transaction.entries = [PointsEntry(account_id=a.id, amount=amount) for a, amount in moves]
    db.session.add(transaction)
    return transaction


def post(
    community_id: int,
    kind: str,
    moves: list[tuple[PointsAccount, int]],
    *,
    deed_key: str | None = None,
    by: Person | None = None,
    reason: str | None = None,
    reverses: PointsTransaction | None = None,
    detail: dict | None = None,
    now: datetime | None = None,
) -> PointsTransaction:
    """Record one movement (see move) and commit it. A deed_key already recorded returns that
    transaction and moves nothing. Raises NotEnoughPoints (nothing saved) or BadMovement."""
    if deed_key is not None and (done := _by_deed(deed_key)) is not None:
        return done
    try:
        transaction = move(
            community_id,
            kind,
            moves,
            deed_key=deed_key,
            by=by,
            reason=reason,
            reverses=reverses,
            detail=detail,
            now=now,
        )
    except NotEnoughPoints:
        db.session.rollback()
        raise
    try:
        db.session.commit()
    except IntegrityError:
        # The same deed, or the same reversal, recorded by another request at the same moment.
        db.session.rollback()
        if deed_key is not None and (done := _by_deed(deed_key)) is not None:
            return done
        if reverses is not None:
            raise AlreadyReversed(reverses.id) from None
        raise
    for target, _amount in moves:
        db.session.refresh(target)
    return transaction


def earn(
    person: Person,
    community_id: int,
    points: int,
    deed_key: str,
    *,
    kind: str = "earned",
    by: Person | None = None,
    reason: str | None = None,
    detail: dict | None = None,
    now: datetime | None = None,
) -> PointsTransaction:
    """person earns points from the community for one deed, once: the deed's key, recorded
    again, moves nothing."""
    issued = account(community_id, AccountKind.ISSUED)
    own = account(community_id, AccountKind.PERSON, person.id)
    return post(
        community_id,
        kind,
        [(issued, -points), (own, points)],
        deed_key=deed_key,
        by=by,
        reason=reason,
        detail=detail,
        now=now,
    )


def give(
    giver: Person,
    community_id: int,
    points: int,
    to: Person | None = None,
    now: datetime | None = None,
    key: str | None = None,
) -> PointsTransaction:
    """giver gives points to a neighbour, or (to=None) to the community's pool; key, the
    confirmation's own, gives once however often it is sent."""
    own = account(community_id, AccountKind.PERSON, giver.id)
    target = (
        account(community_id, AccountKind.PERSON, to.id)
        if to is not None
        else account(community_id, AccountKind.POOL)
    )
    return post(
        community_id,
        "given",
        [(own, -points), (target, points)],
        deed_key=gift_key(key, giver) if key else None,
        by=giver,
        detail={"from": giver.name, "to": to.name if to is not None else None},
        now=now,
    )


def reverse(
    transaction: PointsTransaction, by: Person, reason: str, now: datetime | None = None
) -> PointsTransaction:
    """Undo transaction with a new one of the opposite entries, once; raises AlreadyReversed,
    or NotEnoughPoints when the points were spent meanwhile."""
    if db.session.scalar(
        select(PointsTransaction.id).where(PointsTransaction.reverses_id == transaction.id)
    ):
        raise AlreadyReversed(transaction.id)
    moves = [(entry.account, -entry.amount) for entry in transaction.entries]
    return post(
        transaction.community_id,
        "reversed",
        moves,
        by=by,
        reason=reason,
        reverses=transaction,
        now=now,
    )


def gift_key(key: str, giver: Person) -> str:
    return f"gift:{key}:person:{giver.id}"


def given(key: str, giver: Person) -> bool:
    """Whether giver's confirmation of key gave its points already."""
    return _by_deed(gift_key(key, giver)) is not None


def recipient(community_id: int, text: str, giver: Person) -> Person | None:
    """The volunteer or resident of the community whose mobile number or resident code is text
    exactly (a name is not enough: points go to the one meant), other than giver."""
    text = text.strip().upper()
    if not text:
        return None
    found = db.session.scalars(
        select(Person).where(
            Person.community_id == community_id,
            Person.active.is_(True),
            Person.id != giver.id,
            or_(Person.resident_code == text, Person.phone == normalise_phone(text)),
        )
    ).first()
    if found is None or not found.has_role(Role.VOLUNTEER, Role.RESIDENT):
        return None
    return found


class Moved(NamedTuple):
    transaction: PointsTransaction
    amount: int  # what it added to (or, below zero, took from) the person's points


def movements(person: Person, community_id: int, limit: int = 20) -> list[Moved]:
    """What moved person's points in the community, the newest first."""
    key = _key(community_id, AccountKind.PERSON, person.id)
    rows = db.session.execute(
        select(PointsTransaction, PointsEntry.amount)
        .join(PointsEntry, PointsEntry.transaction_id == PointsTransaction.id)
        .join(PointsAccount, PointsAccount.id == PointsEntry.account_id)
        .where(PointsAccount.key == key)
        .order_by(PointsTransaction.at.desc(), PointsTransaction.id.desc())
        .limit(limit)
    )
    return [Moved(transaction, amount) for transaction, amount in rows]


def service_records(person: Person, community_id: int) -> list[ServiceRecord]:
    """person's record of service in the community, the newest first: it never expires."""
    return list(
        db.session.scalars(
            select(ServiceRecord)
            .where(ServiceRecord.person_id == person.id, ServiceRecord.community_id == community_id)
            .order_by(ServiceRecord.on.desc(), ServiceRecord.id.desc())
        )
    )


def service_minutes(person: Person, community_id: int) -> int:
    """The minutes of service person has given the community, to date."""
    return db.session.scalar(
        select(func.coalesce(func.sum(ServiceRecord.minutes), 0)).where(
            ServiceRecord.person_id == person.id, ServiceRecord.community_id == community_id
        )
    )


def export_of(person: Person) -> list[dict]:
    """Every movement of person's points, for the copy of their data."""
    rows = db.session.execute(
        select(PointsTransaction, PointsEntry.amount)
        .join(PointsEntry, PointsEntry.transaction_id == PointsTransaction.id)
        .join(PointsAccount, PointsAccount.id == PointsEntry.account_id)
        .where(PointsAccount.person_id == person.id)
        .order_by(PointsTransaction.at, PointsTransaction.id)
    )
    return [
        {
            "at": transaction.at.isoformat(timespec="minutes"),
            "movement": transaction.kind,
            "points": amount,
            "reason": transaction.reason or "",
            "detail": ", ".join(
                f"{key}: {value}" for key, value in (transaction.detail or {}).items()
            ),
        }
        for transaction, amount in rows
    ]


def service_export_of(person: Person) -> list[dict]:
    """person's record of service, for the copy of their data."""
    records = db.session.scalars(
        select(ServiceRecord)
        .where(ServiceRecord.person_id == person.id)
        .order_by(ServiceRecord.on, ServiceRecord.id)
    )
    return [
        {"day": record.on.isoformat(), "service": record.rule, "minutes": record.minutes}
        for record in records
    ]


def unbalanced() -> list[str]:
    """What does not add up in the ledger: a transaction whose entries do not sum to nothing, or
    an account whose kept balance differs from its entries. Empty when all is well."""
    problems = [
        f"transaction {transaction_id} sums to {total}"
        for transaction_id, total in db.session.execute(
            select(PointsEntry.transaction_id, func.sum(PointsEntry.amount))
            .group_by(PointsEntry.transaction_id)
            .having(func.sum(PointsEntry.amount) != 0)
        )
    ]
    sums = dict(
        db.session.execute(
            select(PointsEntry.account_id, func.sum(PointsEntry.amount)).group_by(
                PointsEntry.account_id
            )
        ).all()
    )
    for kept in db.session.scalars(select(PointsAccount)):
        if kept.balance != sums.get(kept.id, 0):
            problems.append(
                f"account {kept.key} keeps {kept.balance}, its entries sum to {sums.get(kept.id, 0)}"
            )
    return problems
