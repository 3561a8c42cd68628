"""Staff pages: the people who serve the community, their roles and grids, backups, one-time
codes to sign in with, and closing an account."""

from flask import Blueprint, abort, flash, make_response, render_template, request, url_for
from flask_babel import format_datetime, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts import services as accounts
from portal.accounts.access import roles_required
from portal.accounts.models import Role, RoleGrant
from portal.administration import places, staff
from portal.administration.staff_forms import BackupForm, IdentityCheckForm, StaffForm
from portal.extensions import db
from portal.web.forms import status_for
from portal.web.htmx import redirect_to

bp = Blueprint("staff", __name__, url_prefix="/admin")


def _community():
    """The community whose staff the admin keeps: their own; a street office's admin keeps
    staff from a community's page, so the first they run."""
    communities = places.communities_of(current_user)
    if not communities:
        abort(403)
    chosen = request.args.get("community", type=int)
    return next((c for c in communities if c.id == chosen), communities[0]), communities


def _person(person_id: int):
    return staff.person_of(current_user, person_id) or abort(404)


@bp.get("/staff/")
@roles_required(Role.ADMIN)
def staff_list():
    """Who serves the community, and in what; closed accounts on request."""
    closed = request.args.get("closed") == "1"
    found = staff.staff_of(current_user, request.args.get("page", 1, type=int), active=not closed)
    return render_template("administration/staff.html", found=found, closed=closed)


def code_page(person, code: str):
    response = make_response(
        render_template(
            "administration/one_time_code.html",
            person=person,
            code=code,
            expires=format_datetime(person.code_expires_at, "medium"),
            days=accounts.ONE_TIME_CODE_DAYS,
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/staff/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new_staff():
    """A new account for someone who serves the community; its one-time code is shown once."""
    community, communities = _community()
    form = StaffForm(community.grids)
    if form.validate_on_submit():
        try:
            person, code = staff.add(
                current_user, community, form.name.data, form.normalised_phone(), form.staffing()
            )
        except staff.PhoneTaken:
            form.phone.errors.append(_("This mobile number has an account already."))
        else:
            return code_page(person, code)
    return render_template(
        "administration/staff_form.html", form=form, community=community, communities=communities
    ), status_for(form)


def _staff_page(person, form=None, backup=None):
    grids = person.community.grids
    form = form or StaffForm.of(grids, person)
    backup = backup or BackupForm(grids, formdata=None)
    return render_template(
        "administration/staff_person.html",
        person=person,
        form=form,
        backup=backup,
        backups=[grant for grant in person.grants if grant.is_backup],
    ), status_for(form, backup)


@bp.get("/staff/<int:person_id>")
@roles_required(Role.ADMIN)
def staff_person(person_id: int):
    return _staff_page(_person(person_id))


@bp.post("/staff/<int:person_id>/roles")
@roles_required(Role.ADMIN)
def change_roles(person_id: int):
    person = _person(person_id)
    form = StaffForm(person.community.grids, new=False)
    if not form.validate():
        return _staff_page(person, form=form)
    try:
        changed = staff.change(current_user, person, form.staffing())
    except staff.OwnAccount:
        form.roles.errors.append(_("You cannot take away your own admin role."))
        return _staff_page(person, form=form)
    flash(_("Saved: %(name)s.", name=person.name) if changed else _("Nothing changed."), "success")
    return redirect_to(url_for("staff.staff_person", person_id=person.id))


@bp.post("/staff/<int:person_id>/backups")
@roles_required(Role.ADMIN)
def add_backup(person_id: int):
    """The person takes a grid's queue as its grid worker between two dates."""
    person = _person(person_id)
    form = BackupForm(person.community.grids)
    if not form.validate():
        return _staff_page(person, backup=form)
    grid = next(grid for grid in person.community.grids if grid.id == form.grid.data)
    try:
        staff.add_backup(
            current_user, person, grid, form.starts_on.data, form.ends_on.data, person.today()
        )
    except staff.BadDates:
        form.ends_on.errors.append(
            _("Choose days that have not passed, in a grid they do not serve already.")
        )
        return _staff_page(person, backup=form)
    flash(
        _(
            "%(name)s stands in for %(grid)s from %(start)s to %(end)s.",
            name=person.name,
            grid=grid.name,
            start=form.starts_on.data,
            end=form.ends_on.data,
        ),
        "success",
    )
    return redirect_to(url_for("staff.staff_person", person_id=person.id))


@bp.post("/staff/<int:person_id>/backups/<int:grant_id>/end")
@roles_required(Role.ADMIN)
def end_backup(person_id: int, grant_id: int):
    person = _person(person_id)
    grant = db.session.get(RoleGrant, grant_id)
    if grant is None or grant.person_id != person.id or not grant.is_backup:
        abort(404)
    staff.end_backup(current_user, grant)
    flash(
        _("%(name)s no longer stands in for %(grid)s.", name=person.name, grid=grant.grid.name),
        "success",
    )
    return redirect_to(url_for("staff.staff_person", person_id=person.id))


@bp.post("/staff/<int:person_id>/code")
@roles_required(Role.ADMIN)
def staff_code(person_id: int):
    """A new one-time code for someone of the staff who cannot sign in; shown once."""
    person = _person(person_id)
    if not person.active:
        abort(404)
    return code_page(person, staff.issue_code(current_user, person))


@bp.route("/staff/<int:person_id>/close", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def close(person_id: int):
    """Ask, then close an account: signed out everywhere, what it held handed back."""
    person = _person(person_id)
    if request.method == "GET":
        return render_template("administration/staff_close.html", person=person)
    try:
        handed = staff.close(current_user, person)
    except staff.OwnAccount:
        flash(_("You cannot close your own account."), "error")
        return redirect_to(url_for("staff.staff_person", person_id=person.id))
    requests = handed.get("help requests", 0)
    flash(
        _("%(name)s's account is closed.", name=person.name)
        + " "
        + ngettext(
            "%(num)s help request went back to its grid's queue.",
            "%(num)s help requests went back to their grids' queues.",
            requests,
        ),
        "success",
    )
    return redirect_to(url_for("staff.staff_person", person_id=person.id))


@bp.post("/staff/<int:person_id>/reopen")
@roles_required(Role.ADMIN)
def reopen(person_id: int):
    person = _person(person_id)
    staff.reopen(current_user, person)
    flash(_("%(name)s's account is open again.", name=person.name), "success")
    return redirect_to(url_for("staff.staff_person", person_id=person.id))


@bp.route("/family/<int:person_id>/code", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def family_code(person_id: int):
    """A family member who forgot their password gets a one-time code, once the office has
    checked who they are."""
    person = accounts.get_person(person_id)
    if person is None or not person.has_role(Role.FAMILY) or not person.active:
        abort(404)
    if not accounts.family_of_administered(current_user, person):
        abort(404)
    form = IdentityCheckForm()
    if form.validate_on_submit():
        return code_page(person, staff.issue_code(current_user, person))
    return render_template("administration/family_code.html", form=form, person=person), status_for(
        form
    )
