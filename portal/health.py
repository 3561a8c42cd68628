"""Whether this process can do its work, for load balancers and monitoring."""

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from portal.extensions import db


def database_answers() -> bool:
    """Whether the database answers a statement now."""
    try:
        db.session.execute(select(1))
    except SQLAlchemyError:
        db.session.rollback()
        return False
    return True
