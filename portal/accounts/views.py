"""Sign-in (password, kiosk code + PIN), family registration and links, homes, kiosk enrolment."""

from datetime import timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_datetime
from flask_login import current_user, login_user
from wtforms.fields.choices import SelectChoice

from portal.accounts import services as accounts
from portal.accounts.forms import (
    KINSHIP_LABELS,
    KioskEnrolForm,
    LinkRequestForm,
    PinForm,
    RegisterForm,
    ResidentCodeForm,
    SignInForm,
)
from portal.accounts.models import Role
from portal.activities import calendar as activity_calendar
from portal.canteen import services as canteen
from portal.community import services as community
from portal.extensions import limiter
from portal.web import kiosk as kiosk_web
from portal.web.access import public, roles_required, signed_in
from portal.web.forms import safe_next
from portal.web.i18n import gettext as _
from portal.web.templating import today
from portal.web.views import home_url_for

bp = Blueprint("accounts", __name__)

KEYPAD_KEYS = frozenset("0123456789")
STAFF = (Role.GRID_WORKER, Role.CANTEEN_STAFF, Role.ORGANISER, Role.ADMIN)


def _sign_in_limit() -> str:
    return current_app.config["SIGN_IN_RATE_LIMIT"]


def _lockout_settings() -> dict:
    config = current_app.config
    return {
        "max_failures": config["SIGN_IN_MAX_FAILURES"],
        "lock_minutes": config["SIGN_IN_LOCK_MINUTES"],
    }


def _locked_message(error: accounts.AccountLocked) -> str:
    return _(
        "After %(count)s wrong tries this account is locked until %(time)s, to keep it safe.",
        count=current_app.config["SIGN_IN_MAX_FAILURES"],
        time=format_datetime(error.until, "HH:mm"),
    )


def _begin_session(person, remember: bool = False) -> None:
    """Sign person in on a fresh session so nothing from before signing in carries over."""
    kiosk_web.fresh_session()
    login_user(person, remember=remember)


# Password sign-in: staff, volunteers, family ---------------------------------------------------


@bp.route("/sign-in", methods=["GET", "POST"])
@public
@limiter.limit(_sign_in_limit, methods=["POST"])
def sign_in():
    form = SignInForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        try:
            person = accounts.authenticate_password(
                form.phone.data, form.password.data, **_lockout_settings()
            )
        except accounts.AccountLocked as error:
            form.password.errors.append(_locked_message(error))
        except accounts.InvalidCredentials:
            form.password.errors.append(_("The mobile number or the password is not right."))
        else:
            _begin_session(person)
            return redirect(safe_next(form.next.data, home_url_for(person)), 303)
    return render_template("accounts/sign_in.html", form=form)


@bp.post("/sign-out")
@signed_in
def sign_out():
    was_kiosk = kiosk_web.is_kiosk_session() or g.get("kiosk") is not None
    kiosk_web.end_session()
    flash(_("You have signed out."), "info")
    return redirect(url_for("accounts.kiosk_code" if was_kiosk else "web.index"), 303)


# Kiosk sign-in: resident code, then PIN, each on a big keypad ----------------------------------


def _press_key(field) -> bool:
    """Apply a keypad button pressed without JavaScript; True when the form should only be redrawn."""
    key = request.form.get("key")
    if key is None:
        return False
    value = (field.data or "")[:12]
    if key in KEYPAD_KEYS:
        value += key
    elif key == "delete":
        value = value[:-1]
    elif key == "clear":
        value = ""
    else:
        return False
    field.data = value
    return True


def _revoked_kiosk_page():
    return render_template("accounts/kiosk_revoked.html"), 403


@bp.route("/kiosk", methods=["GET", "POST"])
@public
def kiosk_code():
    if g.kiosk_revoked:
        return _revoked_kiosk_page()
    form = ResidentCodeForm(code=session.get("kiosk_code", ""))
    if request.method == "POST" and not _press_key(form.code) and form.validate_on_submit():
        session["kiosk_code"] = form.code.data
        session["kiosk_next"] = request.args.get("next", "")
        return redirect(url_for("accounts.kiosk_pin"), 303)
    return render_template("accounts/kiosk_code.html", form=form)


@bp.route("/kiosk/pin", methods=["GET", "POST"])
@public
@limiter.limit(_sign_in_limit, methods=["POST"])
def kiosk_pin():
    if g.kiosk_revoked:
        return _revoked_kiosk_page()
    code = session.get("kiosk_code")
    if not code:
        return redirect(url_for("accounts.kiosk_code"), 303)
    form = PinForm()
    if request.method == "POST" and not _press_key(form.pin) and form.validate_on_submit():
        try:
            person = accounts.authenticate_resident(code, form.pin.data, **_lockout_settings())
        except accounts.AccountLocked as error:
            form.pin.errors.append(
                _locked_message(error)
                + " "
                + _("Please ask the activity-room staff or your grid worker to help you.")
            )
        except accounts.InvalidCredentials:
            form.pin.errors.append(
                _("That resident code and PIN do not match. Please check them and try again.")
            )
        else:
            target = safe_next(session.get("kiosk_next"), url_for("accounts.resident_home"))
            _begin_session(person, remember=g.kiosk is None)
            if g.kiosk is not None:
                kiosk_web.start_kiosk_session()
            return redirect(target, 303)
    return render_template("accounts/kiosk_pin.html", form=form, code=code)


# Family members ------------------------------------------------------------------------------


@bp.route("/register", methods=["GET", "POST"])
@public
@limiter.limit(_sign_in_limit, methods=["POST"])
def register():
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            person = accounts.register_family_member(
                form.name.data, form.phone.data, form.password.data
            )
        except accounts.PhoneTaken:
            form.phone.errors.append(
                _("This mobile number already has an account. Sign in with it instead.")
            )
        else:
            _begin_session(person)
            flash(_("Your account is ready. Now ask to link to the person you help."), "success")
            return redirect(url_for("accounts.request_link"), 303)
    return render_template("accounts/register.html", form=form)


@bp.get("/family")
@roles_required(Role.FAMILY)
def family_home():
    links = accounts.links_of_family(current_user)
    return render_template("accounts/family_home.html", links=links, kinships=KINSHIP_LABELS)


@bp.route("/family/links/new", methods=["GET", "POST"])
@roles_required(Role.FAMILY)
@limiter.limit(_sign_in_limit, methods=["POST"])
def request_link():
    form = LinkRequestForm()
    if form.validate_on_submit():
        try:
            link = accounts.request_link(current_user, form.resident_code.data, form.kinship.data)
        except accounts.NoSuchResident:
            form.resident_code.errors.append(
                _("No resident has this code. Check the code on their resident card.")
            )
        except accounts.LinkToSelf:
            form.resident_code.errors.append(_("This is your own resident code."))
        except accounts.DuplicateLink as error:
            form.resident_code.errors.append(
                _("You are already linked to %(name)s.", name=error.link.resident.name)
                if error.link.status == "active"
                else _("You have already asked to link to %(name)s.", name=error.link.resident.name)
            )
        else:
            flash(
                _(
                    "Your request has been sent. %(name)s can approve it at the kiosk, "
                    "or community staff can approve it.",
                    name=link.resident.name,
                ),
                "success",
            )
            return redirect(url_for("accounts.family_home"), 303)
    return render_template("accounts/request_link.html", form=form)


@bp.post("/family-links/<int:link_id>/end")
@roles_required(Role.FAMILY, Role.RESIDENT, Role.ADMIN)
def end_link(link_id: int):
    link = accounts.get_link(link_id) or abort(404)
    try:
        accounts.end_link(link, current_user)
    except accounts.NotAllowed:
        abort(403)
    flash(_("The link has ended."), "success")
    return redirect(safe_next(request.form.get("next"), home_url_for(current_user)), 303)


@bp.post("/family-links/<int:link_id>/decide")
@roles_required(Role.RESIDENT, Role.ADMIN)
def decide_link(link_id: int):
    link = accounts.get_link(link_id) or abort(404)
    approve = request.form.get("decision") == "approve"
    try:
        accounts.decide_link(link, current_user, approve)
    except accounts.NotAllowed:
        abort(403)
    names = {"family": link.family.name, "resident": link.resident.name}
    if current_user.id != link.resident_id:
        message = (
            _("%(family)s can now help %(resident)s.", **names)
            if approve
            else _("%(family)s's request to help %(resident)s was declined.", **names)
        )
    elif approve:
        message = _("%(family)s can now help you.", **names)
    else:
        message = _("You said no to %(family)s.", **names)
    flash(message, "success")
    return redirect(safe_next(request.form.get("next"), home_url_for(current_user)), 303)


# Homes ---------------------------------------------------------------------------------------


@bp.get("/resident")
@roles_required(Role.RESIDENT)
def resident_home():
    links = accounts.links_of_resident(current_user)
    place = canteen.canteen_of(current_user)
    todays_meals = canteen.open_meal_days(place, today(), days=1) if place else []
    return render_template(
        "accounts/resident_home.html",
        links=links,
        kinships=KINSHIP_LABELS,
        todays_meals=todays_meals,
        activity_days=_activities_today_and_tomorrow(current_user),
    )


def _activities_today_and_tomorrow(resident) -> dict:
    """{day: activities not cancelled} for today and tomorrow in the resident's community."""
    if resident.community is None:
        return {}
    first = activity_calendar.today_in(resident.community)
    days = activity_calendar.events_by_day(resident.community, first, first + timedelta(days=1))
    return {day: [e for e in events if e.cancelled_at is None] for day, events in days.items()}


@bp.get("/resident/family")
@roles_required(Role.RESIDENT)
def resident_family():
    links = accounts.links_of_resident(current_user)
    return render_template("accounts/resident_family.html", links=links, kinships=KINSHIP_LABELS)


@bp.get("/volunteer")
@roles_required(Role.VOLUNTEER)
def volunteer_home():
    grids = community.grids_served_by(current_user)
    return render_template("accounts/volunteer_home.html", grids=grids)


@bp.get("/staff")
@roles_required(*STAFF)
def staff_home():
    grids = community.grids_served_by(current_user)
    pending = accounts.pending_links() if current_user.has_role(Role.ADMIN) else []
    return render_template("accounts/staff_home.html", grids=grids, pending=pending)


# Admin: family links waiting for staff, kiosks -----------------------------------------------


@bp.get("/admin/family-links")
@roles_required(Role.ADMIN)
def pending_links():
    links = accounts.pending_links()
    return render_template("accounts/pending_links.html", links=links, kinships=KINSHIP_LABELS)


def _kiosk_form() -> KioskEnrolForm:
    form = KioskEnrolForm()
    form.community.choices = [SelectChoice(c.id, c.name) for c in community.list_communities()]
    return form


@bp.route("/admin/kiosks", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def kiosks():
    form = _kiosk_form()
    if form.validate_on_submit():
        chosen = next(c for c in community.list_communities() if c.id == form.community.data)
        kiosk, token = accounts.enrol_kiosk(chosen, form.location.data, current_user)
        flash(_("This device is now the kiosk at %(place)s.", place=kiosk.location), "success")
        response = make_response(redirect(url_for("accounts.kiosks"), 303))
        response.set_cookie(
            kiosk_web.KIOSK_COOKIE,
            token,
            max_age=current_app.config["KIOSK_COOKIE_DAYS"] * 24 * 3600,
            secure=current_app.config["SESSION_COOKIE_SECURE"],
            httponly=True,
            samesite="Lax",
        )
        return response
    return render_template("accounts/kiosks.html", form=form, kiosks=accounts.list_kiosks())


@bp.post("/admin/kiosks/<int:kiosk_id>/revoke")
@roles_required(Role.ADMIN)
def revoke_kiosk(kiosk_id: int):
    kiosk = accounts.get_kiosk(kiosk_id) or abort(404)
    accounts.revoke_kiosk(kiosk, current_user)
    flash(_("The kiosk at %(place)s can no longer be used.", place=kiosk.location), "success")
    return redirect(url_for("accounts.kiosks"), 303)
