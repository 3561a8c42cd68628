"""Sign-in (password, kiosk code + PIN), family registration and links, kiosk enrolment."""

from math import ceil

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    make_response,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_user
from wtforms.fields.choices import SelectChoice

from portal.accounts import kiosk as kiosk_web
from portal.accounts import services as accounts
from portal.accounts.access import home_url_for, public, roles_required, signed_in
from portal.accounts.forms import (
    FindPersonForm,
    KioskEnrolForm,
    LinkRequestForm,
    NewPasswordForm,
    PasswordChangeForm,
    PinForm,
    RegisterForm,
    ResidentCodeForm,
    SignInForm,
)
from portal.accounts.labels import KINSHIP_LABELS
from portal.accounts.models import Role
from portal.extensions import limiter
from portal.model_base import utcnow
from portal.web import i18n
from portal.web.forms import safe_next, status_for
from portal.web.htmx import redirect_to

bp = Blueprint("accounts", __name__)

KEYPAD_KEYS = frozenset("0123456789")
STAFF = (Role.GRID_WORKER, Role.CANTEEN_STAFF, Role.ORGANISER, Role.ADMIN)


def _sign_in_limit() -> str:
    return current_app.config["SIGN_IN_RATE_LIMIT"]


def _device() -> accounts.Device:
    """The device trying to sign in, as the throttle counts it."""
    if g.kiosk is not None:
        return accounts.Device.at_kiosk(g.kiosk.id)
    return accounts.Device.at_address(request.remote_addr)


def _throttle_rules() -> accounts.ThrottleRules:
    return accounts.ThrottleRules.from_config(current_app.config)


def _wait_message(error: accounts.MustWait) -> str:
    minutes = max(1, ceil((error.until - utcnow()).total_seconds() / 60))
    return ngettext(
        "Too many wrong tries on this device. Please try again in %(num)s minute.",
        "Too many wrong tries on this device. Please try again in %(num)s minutes.",
        minutes,
    )


def _begin_session(person, remember: bool = False) -> None:
    """Sign person in on a fresh session so nothing from before signing in carries over; the
    sign-in is recorded first, so that signing out can end it."""
    kiosk_web.fresh_session()
    lasts = (
        current_app.config["REMEMBER_COOKIE_DURATION"]
        if remember
        else current_app.permanent_session_lifetime
    )
    accounts.start_sign_in(
        person,
        lasts=lasts,
        remembered=remember,
        kiosk=g.kiosk,
        device=request.user_agent.string,
    )
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
                form.phone.data, form.password.data, _device(), rules=_throttle_rules()
            )
        except accounts.MustWait as error:
            form.password.errors.append(_wait_message(error))
        except accounts.InvalidCredentials:
            form.password.errors.append(_("The mobile number or the password is not right."))
        else:
            _begin_session(person)
            return redirect_to(safe_next(form.next.data, home_url_for(person)))
    return render_template("accounts/sign_in.html", form=form), status_for(form)


@bp.post("/sign-out")
@signed_in
def sign_out():
    was_kiosk = kiosk_web.is_kiosk_session() or g.get("kiosk") is not None
    kiosk_web.end_session()
    flash(_("You have signed out."), "info")
    return redirect_to(url_for("accounts.kiosk_code" if was_kiosk else "site.index"))


@bp.get("/account/sign-ins")
@signed_in
def sign_ins():
    return render_template("accounts/sign_ins.html", sign_ins=accounts.open_sign_ins(current_user))


@bp.post("/account/sign-ins/end")
@signed_in
def end_sign_ins():
    """Sign out on every device, this one included: for a lost phone or a tablet given away."""
    accounts.end_sign_ins(current_user, current_user)
    kiosk_web.end_session()
    flash(_("You have signed out on every device."), "info")
    return redirect_to(url_for("site.index"))


@bp.before_app_request
def _own_password_first():
    """Someone signed in with a one-time code sets a password of their own before anything else."""
    if (
        current_user.is_authenticated
        and current_user.must_set_password
        and request.endpoint not in ("accounts.new_password", "accounts.sign_out", "static")
    ):
        return redirect_to(url_for("accounts.new_password"))
    return None


@bp.route("/account/new-password", methods=["GET", "POST"])
@signed_in
def new_password():
    """The first sign-in with the office's one-time code: choose a password of one's own."""
    if not current_user.must_set_password:
        return redirect_to(home_url_for(current_user))
    form = NewPasswordForm()
    if form.validate_on_submit():
        accounts.set_own_password(current_user, form.password.data)
        flash(_("Your password is set. From now on, sign in with it."), "success")
        return redirect_to(home_url_for(current_user))
    return render_template("accounts/new_password.html", form=form), status_for(form)


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
@limiter.limit(_sign_in_limit, methods=["POST"])
def change_password():
    """Change one's own password; other devices are signed out, this one stays signed in."""
    if not current_user.password_hash:
        abort(404)  # residents sign in with a PIN, which the office issues
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(
                current_user, form.current.data, form.password.data, current_user.sign_in_id
            )
        except accounts.InvalidCredentials:
            form.current.errors.append(_("That is not your password now."))
        else:
            flash(_("Your password is changed. Other devices have been signed out."), "success")
            return redirect_to(url_for("accounts.sign_ins"))
    return render_template("accounts/password.html", form=form), status_for(form)


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
        return redirect_to(url_for("accounts.kiosk_pin"))
    if form.errors:
        form.code.data = ""  # the next try starts from an empty keypad
    return render_template("accounts/kiosk_code.html", form=form), status_for(form)


@bp.route("/kiosk/pin", methods=["GET", "POST"])
@public
@limiter.limit(_sign_in_limit, methods=["POST"])
def kiosk_pin():
    if g.kiosk_revoked:
        return _revoked_kiosk_page()
    code = session.get("kiosk_code")
    if not code:
        return redirect_to(url_for("accounts.kiosk_code"))
    form = PinForm()
    if request.method == "POST" and not _press_key(form.pin) and form.validate_on_submit():
        try:
            person = accounts.authenticate_resident(
                code, form.pin.data, _device(), rules=_throttle_rules()
            )
        except accounts.MustWait as error:
            form.pin.data = ""
            form.pin.errors.append(
                _wait_message(error)
                + " "
                + _("Please ask the activity-room staff or your grid worker to help you.")
            )
        except accounts.InvalidCredentials:
            form.pin.data = ""
            form.pin.errors.append(
                _("That resident code and PIN do not match. Please check them and try again.")
            )
        else:
            target = safe_next(session.get("kiosk_next"), url_for("site.resident_home"))
            _begin_session(person, remember=g.kiosk is None)
            if person.language:
                session[i18n.SESSION_LANGUAGE] = person.language
            if g.kiosk is not None:
                kiosk_web.start_kiosk_session()
            return redirect_to(target)
    if form.errors:
        form.pin.data = ""  # the next try starts from an empty keypad
    return render_template(
        "accounts/kiosk_pin.html",
        form=form,
        code=code,
        masked_name=accounts.masked_name_for_code(code),
    ), status_for(form)


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
            return redirect_to(url_for("accounts.request_link"))
    return render_template("accounts/register.html", form=form), status_for(form)


@bp.route("/family/links/new", methods=["GET", "POST"])
@roles_required(Role.FAMILY)
@limiter.limit(_sign_in_limit, methods=["POST"])
def request_link():
    form = LinkRequestForm()
    if form.validate_on_submit():
        try:
            accounts.request_link(current_user, form.resident_code.data, form.kinship.data)
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
                else _(
                    "You have already asked to link to this resident. They have not answered yet."
                )
            )
        else:
            flash(
                _(
                    "Your request has been sent. The resident can approve it at the kiosk, "
                    "or community staff can approve it. Until then their name is not shown here."
                ),
                "success",
            )
            return redirect_to(url_for("site.family_home"))
    return render_template("accounts/request_link.html", form=form), status_for(form)


@bp.post("/family-links/<int:link_id>/end")
@roles_required(Role.FAMILY, Role.RESIDENT, Role.ADMIN)
def end_link(link_id: int):
    link = accounts.get_link(link_id) or abort(404)
    try:
        accounts.end_link(link, current_user)
    except accounts.NotAllowed:
        abort(403)
    flash(_("The link has ended."), "success")
    return redirect_to(safe_next(request.form.get("next"), home_url_for(current_user)))


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
    return redirect_to(safe_next(request.form.get("next"), home_url_for(current_user)))


@bp.get("/resident/family")
@roles_required(Role.RESIDENT)
def resident_family():
    links = accounts.links_of_resident(current_user)
    return render_template("accounts/resident_family.html", links=links, kinships=KINSHIP_LABELS)


# Admin: family links waiting for staff, kiosks -----------------------------------------------


@bp.get("/admin/family-links")
@roles_required(Role.ADMIN)
def pending_links():
    links = accounts.pending_links(current_user, page=request.args.get("page", 1, type=int))
    return render_template("accounts/pending_links.html", links=links, kinships=KINSHIP_LABELS)


@bp.get("/admin/sign-ins")
@roles_required(Role.ADMIN)
def person_sign_ins():
    form = FindPersonForm(request.args)
    person = None
    if request.args and form.validate():
        person = accounts.person_by_code_or_phone(current_user, form.person.data)
        if person is None:
            form.person.errors.append(_("Nobody has this resident code or mobile number."))
    sign_ins = accounts.open_sign_ins(person) if person else []
    return render_template(
        "accounts/person_sign_ins.html", form=form, person=person, sign_ins=sign_ins
    ), status_for(form)


@bp.post("/admin/people/<int:person_id>/sign-ins/end")
@roles_required(Role.ADMIN)
def end_person_sign_ins(person_id: int):
    """Sign a person out of the devices they keep signed in, such as a resident's home tablet."""
    person = accounts.administered_person(current_user, person_id) or abort(404)
    count = accounts.end_sign_ins(person, current_user, only_remembered=True)
    flash(
        ngettext(
            "%(name)s is signed out of %(num)s device.",
            "%(name)s is signed out of %(num)s devices.",
            count,
            name=person.name,
        ),
        "success",
    )
    key = person.resident_code or person.phone or ""
    return redirect_to(url_for("accounts.person_sign_ins", person=key))


def _kiosk_form() -> KioskEnrolForm:
    form = KioskEnrolForm()
    choices = accounts.administered_communities(current_user)
    form.community.choices = [SelectChoice(c.id, c.name) for c in choices]
    return form


@bp.route("/admin/kiosks", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def kiosks():
    form = _kiosk_form()
    if form.validate_on_submit():
        chosen = next(
            c
            for c in accounts.administered_communities(current_user)
            if c.id == form.community.data
        )
        kiosk, token = accounts.enrol_kiosk(chosen, form.location.data, current_user)
        flash(_("This device is now the kiosk at %(place)s.", place=kiosk.location), "success")
        response = make_response(redirect_to(url_for("accounts.kiosks")))
        response.set_cookie(
            kiosk_web.KIOSK_COOKIE,
            token,
            max_age=current_app.config["KIOSK_COOKIE_DAYS"] * 24 * 3600,
            secure=current_app.config["SESSION_COOKIE_SECURE"],
            httponly=True,
            samesite="Lax",
        )
        return response
    return render_template(
        "accounts/kiosks.html", form=form, kiosks=accounts.list_kiosks(current_user)
    ), status_for(form)


@bp.post("/admin/kiosks/<int:kiosk_id>/revoke")
@roles_required(Role.ADMIN)
def revoke_kiosk(kiosk_id: int):
    kiosk = accounts.administered_kiosk(current_user, kiosk_id) or abort(404)
    accounts.revoke_kiosk(kiosk, current_user)
    flash(_("The kiosk at %(place)s can no longer be used.", place=kiosk.location), "success")
    return redirect_to(url_for("accounts.kiosks"))
