"""Dish photos, served by content address with a year-long cache."""

from flask import Blueprint, Response, abort, request, url_for

from portal.accounts.access import public
from portal.canteen import photos
from portal.canteen.models import DishPhoto

bp = Blueprint("canteen_photos", __name__, url_prefix="/canteen/photos")

A_YEAR = 365 * 24 * 3600


def photo_url(photo: DishPhoto) -> str:
    """Where the kiosk loads photo from; the address changes whenever the picture does."""
    return url_for("canteen_photos.photo", digest=photo.digest)


@bp.get("/<string(length=64):digest>.webp")
@public
def photo(digest: str):
    """The photo with this digest, cacheable for good since its content never changes; 304 when
    the browser already holds it, 404 when there is no such photo."""
    found = photos.get_by_digest(digest) or abort(404)
    response = Response(found.data, content_type=found.content_type)
    response.cache_control.public = True
    response.cache_control.max_age = A_YEAR
    response.cache_control.immutable = True
    response.set_etag(found.digest)
    return response.make_conditional(request)
