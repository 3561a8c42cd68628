"""Reading the community structure: the communities and their partners."""

from sqlalchemy import select

from portal.community.models import Community, Partner
from portal.extensions import db


def list_communities() -> list[Community]:
    return list(db.session.scalars(select(Community).order_by(Community.id)))


def partners_of(community_id: int | None) -> list[Partner]:
    query = select(Partner).where(Partner.community_id == community_id).order_by(Partner.name)
    return list(db.session.scalars(query))
