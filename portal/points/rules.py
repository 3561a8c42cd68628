"""Earning by rule: the deeds done through the portal that earn points, how many each community
gives for them, and the earning itself, once per deed and person."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import select

from portal.accounts.models import Role
from portal.extensions import db
from portal.help.models import VOLUNTEER_CATEGORIES
from portal.points import services as points
from portal.points.models import PointsRule


class Rule(StrEnum):
    HELP = "help"  # an errand or a visit for company, done by a volunteer
    ROUND = "round"  # a delivery round run to its last door


DEFAULT_POINTS = {Rule.HELP: 10, Rule.ROUND: 20}


def points_for(community_id: int, rule: str) -> int:
    """What the community gives for one deed of rule: its own number, or the default."""
    chosen = db.session.scalar(
        select(PointsRule.points).where(
            PointsRule.community_id == community_id, PointsRule.rule == rule
        )
    )
    return DEFAULT_POINTS[rule] if chosen is None else chosen


def help_resolved(request, by, now: datetime | None = None) -> None:
    """A volunteer who did an errand or kept someone company earns the community's points for it."""
    if request.category not in VOLUNTEER_CATEGORIES or not by.has_role(Role.VOLUNTEER):
        return
    if by.has_role(Role.GRID_WORKER, Role.ADMIN):
        return  # staff do it as their work
    earned = points_for(request.community_id, Rule.HELP)
    if earned > 0:
        points.earn(
            by,
            request.community_id,
            earned,
            f"help:{request.id}:person:{by.id}",
            reason=request.reference,
            now=now,
        )


def round_completed(round_, runner, now: datetime | None = None) -> None:
    """Whoever ran a delivery round to its last door earns the community's points for it."""
    community_id = round_.grid.community_id
    earned = points_for(community_id, Rule.ROUND)
    if earned > 0 and not runner.has_role(Role.GRID_WORKER, Role.ADMIN):
        points.earn(runner, community_id, earned, f"round:{round_.id}:person:{runner.id}", now=now)
