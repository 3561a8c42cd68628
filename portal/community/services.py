"""Reading the community structure: the communities, their partners, and the floor a room is on."""

import re

from sqlalchemy import exists, or_, select

from portal.community.models import Community, Partner, partner_community
from portal.extensions import db


def list_communities() -> list[Community]:
    return list(db.session.scalars(select(Community).order_by(Community.id)))


def partners_of(community_id: int | None) -> list[Partner]:
    """The partners that serve the community: its own, and others' that serve it too."""
    serving = exists().where(
        partner_community.c.partner_id == Partner.id,
        partner_community.c.community_id == community_id,
    )
    query = (
        select(Partner)
        .where(or_(Partner.community_id == community_id, serving))
        .order_by(Partner.name, Partner.id)
    )
    return list(db.session.scalars(query))


TOP_FLOOR = 99


def floor_of_room(room: str | None) -> int | None:
    """The floor a room number names, as Chinese buildings number them: 302 and 3-302 are on
    the 3rd floor, 1502 on the 15th; None when the room says nothing about its floor."""
    found = re.search(r"(\d{3,4})\s*[室号]?$", (room or "").strip())
    if found is None:
        return None
    floor = int(found.group(1)[:-2])
    return floor if 1 <= floor <= TOP_FLOOR else None
