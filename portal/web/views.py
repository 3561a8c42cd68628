"""Site-wide pages: the front door, display preferences, and the kiosk's "I'm still here"."""

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from portal.accounts.access import public, signed_in
from portal.accounts.models import Role
from portal.config import LANGUAGES
from portal.health import database_answers
from portal.web import i18n
from portal.web.forms import safe_next
from portal.web.htmx import redirect_to

bp = Blueprint("web", __name__)

PREF_COOKIE_AGE = 365 * 24 * 3600

# Where each role lands after signing in, most specific first.
HOME_BY_ROLE = (
    (Role.ADMIN, "accounts.staff_home"),
    (Role.GRID_WORKER, "accounts.staff_home"),
    (Role.CANTEEN_STAFF, "accounts.staff_home"),
    (Role.ORGANISER, "accounts.staff_home"),
    (Role.VOLUNTEER, "accounts.volunteer_home"),
    (Role.FAMILY, "accounts.family_home"),
    (Role.RESIDENT, "accounts.resident_home"),
)


def home_url_for(person) -> str:
    for role, endpoint in HOME_BY_ROLE:
        if person.has_role(role):
            return url_for(endpoint)
    return url_for("web.index")


@bp.get("/")
@public
def index():
    if current_user.is_authenticated:
        return redirect(home_url_for(current_user))
    return render_template("web/index.html")


def _back(default_endpoint="web.index"):
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
