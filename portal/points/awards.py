"""Awards by hand, as admins give them: finding the volunteer or resident to award, and the
awards of late."""

from sqlalchemy import or_, select
from sqlalchemy.engine import Row

from portal.accounts.models import Person, Role, RoleGrant
from portal.extensions import db
from portal.points import rules
from portal.points.models import (
    AccountKind,
    Movement,
    PointsAccount,
    PointsEntry,
    PointsTransaction,
)
from portal.web.phones import normalise_phone

CANDIDATES_MOST = 20


def candidates(community_id: int, text: str) -> list[Person]:
    """Volunteers and residents of the community whose mobile number or resident code is text,
    or whose name contains it; at most CANDIDATES_MOST, by name."""
    text = text.strip()
    if not text:
        return []
    awardable = select(RoleGrant.person_id).where(
        RoleGrant.role.in_((Role.VOLUNTEER, Role.RESIDENT))
    )
    query = (
        select(Person)
        .where(
            Person.community_id == community_id,
            Person.active.is_(True),
            Person.id.in_(awardable),
            or_(
                Person.name.contains(text, autoescape=True),
                Person.phone == normalise_phone(text),
                Person.resident_code == text.upper(),
            ),
        )
        .order_by(Person.name_pinyin, Person.name, Person.id)
        .limit(CANDIDATES_MOST)
    )
    return list(db.session.scalars(query))


def award(
    person: Person, community_id: int, earned: int, reason: str, key: str, by: Person
) -> PointsTransaction:
    """rules.award, for anyone but staff, who earn nothing by their work: raises
    rules.NotForStaff for them."""
    if rules.is_staff(person):
        raise rules.NotForStaff(person.id)
    return rules.award(person, community_id, earned, reason.strip(), key, by)


def recent(community_id: int, most: int = 10) -> list[Row]:
    """The community's latest awards by hand, the newest first: rows of at, name (whom it went
    to), amount and reason."""
    query = (
        select(PointsTransaction.at, Person.name, PointsEntry.amount, PointsTransaction.reason)
        .join(PointsEntry, PointsEntry.transaction_id == PointsTransaction.id)
        .join(PointsAccount, PointsAccount.id == PointsEntry.account_id)
        .join(Person, Person.id == PointsAccount.person_id)
        .where(
            PointsTransaction.community_id == community_id,
            PointsTransaction.kind == Movement.AWARDED,
            PointsAccount.kind == AccountKind.PERSON,
        )
        .order_by(PointsTransaction.at.desc(), PointsTransaction.id.desc())
        .limit(most)
    )
    return list(db.session.execute(query))
