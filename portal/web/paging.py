"""Long lists a page at a time, with how many rows there are in all."""

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, select
from sqlalchemy.orm import lazyload

from portal.extensions import db


def page_of(query, page: int, per_page: int) -> Pagination:
    """One page of query's rows and their count; a page before the first gives the first, and
    one past the last gives the last, so that an old or altered link still shows rows. A first
    page with room to spare holds the whole list, so most short lists cost no count."""
    found = db.paginate(query, page=max(page, 1), per_page=per_page, error_out=False, count=False)
    if found.page == 1 and len(found.items) < per_page:
        found.total = len(found.items)
    else:
        found.total = _count(query)
    if found.page > found.pages > 0:
        found = db.paginate(query, page=found.pages, per_page=per_page, error_out=False)
    return found


def _count(query) -> int:
    rows = query.options(lazyload("*")).order_by(None).subquery()
    return db.session.scalar(select(func.count()).select_from(rows))
