"""Earning by rule: the deeds done through the portal that earn points, how many each community
gives for them, and the earning itself, once per deed and person, together with the deed's line
in the person's permanent record of service hours."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.accounts.models import Person, Role
from portal.audit import services as audit
from portal.extensions import db
from portal.help.models import VOLUNTEER_CATEGORIES
from portal.model_base import utcnow
from portal.points import services as points
from portal.points.models import (
    AccountKind,
    Movement,
    PointsRule,
    PointsTransaction,
    ServiceRecord,
)


class Rule(StrEnum):
    HELP = "help"  # an errand or a visit for company, done by a volunteer
    ROUND = "round"  # a delivery round run to its last door
    ACTIVITY = "activity"  # helping at an activity, as its organiser records
    KITCHEN = "kitchen"  # a shift in the canteen's kitchen, as canteen staff record
    AWARD = "award"  # by staff, by hand, with a reason


# The points a deed of each rule earns where the community chose no number of its own; an award's
# points are chosen each time.
DEFAULT_POINTS = {Rule.HELP: 10, Rule.ROUND: 20, Rule.ACTIVITY: 10, Rule.KITCHEN: 15}
# The hours a deed adds to the record of service where the deed itself does not say.
DEFAULT_MINUTES = {Rule.HELP: 60, Rule.ROUND: 90}
AWARD_MAX = 500
LOCALES = ("zh_Hans", "zh_Hant", "en")


class NotForStaff(points.PointsError):
    """Staff do these deeds as their work, and earn nothing by them."""


def rules_of(community_id: int) -> dict[str, int]:
    """Every earning rule with the community's number of points for it."""
    chosen = dict(
        db.session.execute(
            select(PointsRule.rule, PointsRule.points).where(
                PointsRule.community_id == community_id
            )
        ).all()
    )
    return {rule: chosen.get(rule, default) for rule, default in DEFAULT_POINTS.items()}


def points_for(community_id: int, rule: str) -> int:
    """What the community gives for one deed of rule: its own number, or the default."""
    return rules_of(community_id)[rule]


def set_points(community_id: int, changes: dict[str, int], by: Person) -> None:
    """Change the community's numbers of points, audited, and commit."""
    for rule, number in changes.items():
        found = db.session.get(PointsRule, (community_id, rule))
        if found is None:
            db.session.add(PointsRule(community_id=community_id, rule=rule, points=number))
        else:
            found.points = number
        audit.record(by, "points.rule_changed", None, rule=rule, points=number)
    db.session.commit()


def is_staff(person: Person) -> bool:
    return person.has_role(Role.GRID_WORKER, Role.ADMIN, Role.CANTEEN_STAFF, Role.ORGANISER)


def credit(
    person: Person,
    community_id: int,
    rule: str,
    deed_key: str,
    *,
    on: date,
    minutes: int,
    detail: dict | None = None,
    earned: int | None = None,
    by: Person | None = None,
    reason: str | None = None,
    now: datetime | None = None,
) -> PointsTransaction | None:
    """person did one deed of rule: it joins their record of service (with its minutes) and
    earns the community's points for it (or earned), once, however often or however many staff
    at once record it. Commits. Returns the earning, None when the rule gives no points."""
    now = now or utcnow()
    earned = points_for(community_id, rule) if earned is None else earned
    if (done := _earning(deed_key)) is not None:
        return done
    issued = points.account(community_id, AccountKind.ISSUED)
    own = points.account(community_id, AccountKind.PERSON, person.id)
    if minutes > 0:
        db.session.add(
            ServiceRecord(
                community_id=community_id,
                person_id=person.id,
                deed_key=deed_key,
                rule=rule,
                minutes=minutes,
                on=on,
                detail=detail,
            )
        )
    earning = None
    try:
        if earned > 0:
            earning = points.move(
                community_id,
                Movement.AWARDED if rule == Rule.AWARD else Movement.EARNED,
                [(issued, -earned), (own, earned)],
                deed_key=deed_key,
                by=by,
                reason=reason,
                detail={"rule": rule, **(detail or {})},
                now=now,
            )
        db.session.commit()
    except IntegrityError:
        # The same deed, recorded by another request a moment ago.
        db.session.rollback()
        return _earning(deed_key)
    return earning


def help_resolved(request, by, now: datetime | None = None) -> None:
    """A volunteer who did an errand or kept someone company earns the community's points for it."""
    if request.category not in VOLUNTEER_CATEGORIES or not by.has_role(Role.VOLUNTEER):
        return
    if is_staff(by):
        return
    now = now or utcnow()
    credit(
        by,
        request.community_id,
        Rule.HELP,
        f"help:{request.id}:person:{by.id}",
        on=request.resident.today(now),
        minutes=DEFAULT_MINUTES[Rule.HELP],
        detail={"reference": request.reference, "category": request.category},
        now=now,
    )


def round_completed(round_, runner, now: datetime | None = None) -> None:
    """Whoever ran a delivery round to its last door earns the community's points for it."""
    if is_staff(runner):
        return
    credit(
        runner,
        round_.grid.community_id,
        Rule.ROUND,
        f"round:{round_.id}:person:{runner.id}",
        on=round_.meal_day.day,
        minutes=DEFAULT_MINUTES[Rule.ROUND],
        detail={"grid": round_.grid.name, "meal": round_.meal_day.service.kind},
        now=now,
    )


def helped_at(event, helpers: list[Person], by: Person, now: datetime | None = None) -> int:
    """The organiser records who helped at event, after it: each earns the rule's points and the
    event's hours, once. Returns how many were credited for the first time."""
    now = now or utcnow()
    minutes = int((event.ends_at - event.starts_at).total_seconds() // 60)
    day = event.community.today(event.starts_at)
    credited = 0
    for helper in helpers:
        key = f"activity:{event.id}:person:{helper.id}"
        if _known(key):
            continue
        audit.record(by, "points.helpers_credited", helper, event=event.id)
        credit(
            helper,
            event.community_id,
            Rule.ACTIVITY,
            key,
            on=day,
            minutes=minutes,
            detail={"title": {locale: event.title(locale) for locale in LOCALES}},
            by=by,
            now=now,
        )
        credited += 1
    return credited


def _shift_key(helper: Person, place, day: date, meal: str) -> str:
    return f"kitchen:{place.id}:{day.isoformat()}:{meal}:person:{helper.id}"


def shift_recorded(helper: Person, place, day: date, meal: str) -> bool:
    """Whether helper's shift at place's meal on day is in the record already."""
    return _known(_shift_key(helper, place, day, meal))


def kitchen_shift(
    helper: Person,
    place,
    day: date,
    meal: str,
    minutes: int,
    by: Person,
    now: datetime | None = None,
) -> PointsTransaction | None:
    """Canteen staff record a volunteer's shift in the kitchen, audited: once per meal and
    helper."""
    if is_staff(helper):
        raise NotForStaff(helper.id)
    key = _shift_key(helper, place, day, meal)
    if not _known(key):
        audit.record(
            by, "points.shift_recorded", helper, canteen=place.id, day=day.isoformat(), meal=meal
        )
    return credit(
        helper,
        place.community_id,
        Rule.KITCHEN,
        key,
        on=day,
        minutes=minutes,
        detail={"canteen": place.name, "meal": meal},
        by=by,
        now=now,
    )


def award(
    person: Person,
    community_id: int,
    earned: int,
    reason: str,
    key: str,
    by: Person,
    now: datetime | None = None,
) -> PointsTransaction:
    """Staff award points by hand, with a reason, audited; key is the award form's own, so
    pressing twice, or two staff sending the same form, awards once."""
    if earned <= 0 or earned > AWARD_MAX:
        raise points.BadMovement([earned])
    deed_key = f"award:{key}:person:{person.id}"
    if (done := _earning(deed_key)) is not None:
        return done
    audit.record(by, "points.awarded", person, points=earned, reason=reason)
    now = now or utcnow()
    return credit(
        person,
        community_id,
        Rule.AWARD,
        deed_key,
        on=person.today(now),
        minutes=0,
        earned=earned,
        by=by,
        reason=reason,
        now=now,
    )


def _earning(deed_key: str) -> PointsTransaction | None:
    return db.session.scalar(
        select(PointsTransaction).where(PointsTransaction.deed_key == deed_key)
    )


def _known(deed_key: str) -> bool:
    recorded = select(ServiceRecord.id).where(ServiceRecord.deed_key == deed_key)
    return _earning(deed_key) is not None or db.session.scalar(recorded) is not None
