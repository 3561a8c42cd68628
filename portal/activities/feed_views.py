"""Calendar feeds (RFC 5545): the community's public calendar and each person's own."""

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.access import public, roles_required
from portal.accounts.models import Role
from portal.activities import feeds
from portal.community.models import Community
from portal.extensions import db
from portal.model_base import utcnow
from portal.web.htmx import redirect_to

bp = Blueprint("calendar", __name__, url_prefix="/calendar")

# The new address rides in the session from the POST to the page that shows it, once.
NEW_TOKEN_KEY = "calendar_token"


def _ics(body: bytes, filename: str, cache: str):
    """An iCalendar response that a client polling it can revalidate cheaply."""
    response = make_response(body)
    response.mimetype = "text/calendar"
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = cache
    # Weak, so that compression keeps it: a compressed copy is the same calendar.
    response.add_etag(weak=True)
    return response.make_conditional(request)


@bp.get("/<string:token>.ics")
@public
def personal(token: str):
    """The calendar of whoever holds token; 404 for an unknown, revoked or malformed one."""
    feed = feeds.feed_for_token(token) or abort(404)
    body = feeds.person_calendar(feed.person, utcnow(), request.args.get("lang", "zh_Hans"))
    response = _ics(body, "linli.ics", "private, max-age=300")
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.get("/communities/<int:community_id>.ics")
@public
def community(community_id: int):
    place = db.session.get(Community, community_id) or abort(404)
    body = feeds.community_calendar(place, utcnow(), request.args.get("lang", "zh_Hans"))
    return _ics(body, f"linli-community-{place.id}.ics", "public, max-age=300")


@bp.route("/mine", methods=["GET", "POST"])
@roles_required(Role.RESIDENT, Role.FAMILY)
def mine():
    """Show the person's calendar address (in full only just after it was made), make a new one
    or switch it off."""
    if request.method == "POST":
        action = request.form.get("action")
        if action == "new":
            _feed, session[NEW_TOKEN_KEY] = feeds.create_feed(current_user)
        elif action == "off":
            feeds.revoke_feed(current_user)
            flash(_("Your calendar address is switched off."), "success")
        else:
            abort(400)
        return redirect_to(url_for("calendar.mine"))
    token = session.pop(NEW_TOKEN_KEY, None)
    # The feed speaks the language of the page it was taken from.
    lang = None if str(get_locale()) == "zh_Hans" else str(get_locale())
    address = token and url_for("calendar.personal", token=token, lang=lang, _external=True)
    response = make_response(
        render_template(
            "calendar/mine.html",
            feed=feeds.active_feed(current_user),
            address=address,
            webcal=address and "webcal:" + address.split(":", 1)[1],
            communities=feeds.communities_of(current_user),
            lang=lang,
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response
