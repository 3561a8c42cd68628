"""Long lists a page at a time, with how many rows there are in all."""

from flask_sqlalchemy.pagination import Pagination

from portal.extensions import db


def page_of(query, page: int, per_page: int) -> Pagination:
    """One page of query's rows and their count; a page before the first gives the first, and
    one past the last gives the last, so that an old or altered link still shows rows."""
    found = db.paginate(query, page=max(page, 1), per_page=per_page, error_out=False)
    if found.page > found.pages > 0:
        found = db.paginate(query, page=found.pages, per_page=per_page, error_out=False)
    return found
