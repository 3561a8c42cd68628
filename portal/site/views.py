"""Site-wide pages: the front door, each role's home, display preferences, the kiosk's "I'm
still here", and the health checks."""

from datetime import timedelta

from flask import (
    Blueprint,
    Flask,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts import day as worker_day
from portal.accounts import services as accounts
from portal.accounts.access import home_url_for, public, roles_required, signed_in
from portal.accounts.labels import KINSHIP_LABELS
from portal.accounts.models import Role
from portal.activities import calendar as activity_calendar
from portal.canteen import services as canteen
from portal.care import labels as care_labels
from portal.care import services as care
from portal.config import LANGUAGES
from portal.health import database_answers
from portal.model_base import utcnow
from portal.notifications import services as outbox
from portal.points import services as points
from portal.web import i18n
from portal.web.forms import safe_next
from portal.web.htmx import polled_page_or_fragment, redirect_to

bp = Blueprint("site", __name__)

PREF_COOKIE_AGE = 365 * 24 * 3600
STAFF = (Role.GRID_WORKER, Role.CANTEEN_STAFF, Role.ORGANISER, Role.ADMIN)

# Where each role lands after signing in, most specific first; anyone else at the front door.
HOME_BY_ROLE = (
    (Role.ADMIN, "site.staff_home"),
    (Role.GRID_WORKER, "site.day"),
    (Role.CANTEEN_STAFF, "site.staff_home"),
    (Role.ORGANISER, "site.staff_home"),
    (Role.VOLUNTEER, "site.volunteer_home"),
    (Role.PARTNER, "partner_desk.home"),
    (Role.FAMILY, "site.family_home"),
    (Role.RESIDENT, "site.resident_home"),
    (None, "site.index"),
)


def init_app(app: Flask) -> None:
    app.extensions["linli_homes"] = HOME_BY_ROLE
    app.register_blueprint(bp)


@bp.get("/")
@public
def index():
    if current_user.is_authenticated:
        return redirect(home_url_for(current_user))
    return render_template("site/index.html")


# Homes -----------------------------------------------------------------------------------------


@bp.get("/family")
@roles_required(Role.FAMILY)
def family_home():
    links = accounts.links_of_family(current_user)
    linked = [link.resident_id for link in links if link.status == "active"]
    return render_template(
        "site/family_home.html",
        links=links,
        kinships=KINSHIP_LABELS,
        check_ins=care.last_check_ins(linked),
        visits=care.shared_visits(linked),
        care_outcomes=care_labels.OUTCOMES,
    )


@bp.get("/resident")
@roles_required(Role.RESIDENT)
def resident_home():
    links = accounts.links_of_resident(current_user)
    place = canteen.canteen_of(current_user)
    todays_meals = canteen.open_meal_days(place, place.community.today(), days=1) if place else []
    check_in, check_in_plan = care.check_in_and_plan(current_user)
    return render_template(
        "site/resident_home.html",
        links=links,
        kinships=KINSHIP_LABELS,
        todays_meals=todays_meals,
        activity_days=_activities_today_and_tomorrow(current_user),
        check_in=check_in,
        check_in_plan=check_in_plan,
    )


def _activities_today_and_tomorrow(resident) -> dict:
    """{day: activities not cancelled} for today and tomorrow in the resident's community."""
    if resident.community is None:
        return {}
    first = resident.community.today()
    days = activity_calendar.events_by_day(resident.community, first, first + timedelta(days=1))
    return {day: [e for e in events if e.cancelled_at is None] for day, events in days.items()}


@bp.get("/volunteer")
@roles_required(Role.VOLUNTEER)
def volunteer_home():
    grids = accounts.grids_served_by(current_user)
    community_id = current_user.community_id
    balance = points.balance(current_user, community_id) if community_id else 0
    return render_template("site/volunteer_home.html", grids=grids, balance=balance)


@bp.get("/staff")
@roles_required(*STAFF)
def staff_home():
    grids = accounts.grids_served_by(current_user)
    admin = current_user.has_role(Role.ADMIN)
    pending = accounts.pending_links(current_user, per_page=1).total if admin else 0
    failed = outbox.failed_count(current_user) if admin else 0
    return render_template("site/staff_home.html", grids=grids, pending=pending, failed=failed)


@bp.get("/day")
@roles_required(Role.GRID_WORKER)
def day():
    """A grid worker's day in one list: requests to take or finish, visits due, meals that went
    wrong, urgent first, each with its next action; it refreshes itself like the queue, and a
    refresh with nothing new reads only the day's fingerprint."""
    now = utcnow()
    return polled_page_or_fragment(
        worker_day.version(current_user, now),
        "site/day.html",
        "site/_day.html",
        "day",
        lambda: {"items": worker_day.items(current_user, now)},
    )


# Preferences -----------------------------------------------------------------------------------


def _back(default_endpoint="site.index"):
    return safe_next(request.form.get("next"), url_for(default_endpoint))


def _set_pref(response, name: str, value: str):
    response.set_cookie(
        name,
        value,
        max_age=PREF_COOKIE_AGE,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
    return response


@bp.post("/preferences/language")
@public
def set_language():
    language = request.form.get("language")
    response = redirect_to(_back())
    if language in LANGUAGES:
        session.pop(i18n.SESSION_LANGUAGE, None)
        _set_pref(response, i18n.LANGUAGE_COOKIE, language)
    return response


@bp.post("/preferences/text-size")
@public
def set_text_size():
    size = i18n.step_size(i18n.display_prefs().size, request.form.get("step", ""))
    return _set_pref(redirect_to(_back()), i18n.SIZE_COOKIE, str(size))


@bp.post("/preferences/colours")
@public
def set_colours():
    scheme = i18n.parse_scheme(request.form.get("scheme"))
    return _set_pref(redirect_to(_back()), i18n.SCHEME_COOKIE, scheme)


@bp.post("/kiosk/still-here")
@signed_in
def still_here():
    """Counts as activity: the idle check that runs before every request has already reset the clock."""
    return "", 204


@bp.get("/manifest.webmanifest")
@public
def manifest():
    """What a phone needs to install the portal as an app on its home screen."""
    icon = lambda size: {  # noqa: E731
        "src": url_for("static", filename=f"icons/linli-{size}.png"),
        "sizes": f"{size}x{size}",
        "type": "image/png",
        "purpose": "any maskable",
    }
    response = jsonify(
        name=_("Linli community services"),
        short_name=_("Linli"),
        lang=str(get_locale()).replace("_", "-"),
        start_url="/",
        scope="/",
        display="standalone",
        background_color="#ffffff",
        theme_color="#14532d",
        icons=[icon(192), icon(512)],
    )
    response.mimetype = "application/manifest+json"
    return response


@bp.get("/healthz")
@public
def health():
    """Liveness: the process answers. It never reads the database, so an outage there does not
    get every worker restarted."""
    return {"status": "ok"}


@bp.get("/readyz")
@public
def ready():
    """Readiness: the database answers too, so a load balancer may send people here."""
    if database_answers():
        return {"status": "ready"}
    retry_after = str(current_app.config["OUTAGE_RETRY_SECONDS"])
    return {"status": "database unreachable"}, 503, {"Retry-After": retry_after}
