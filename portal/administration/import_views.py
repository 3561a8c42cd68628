"""Residents in and out of spreadsheets: importing the community's register (upload, columns,
preview, import, slips for the new residents) and exporting the resident list."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.access import roles_required
from portal.accounts.models import Role
from portal.administration import imports, places, residents
from portal.administration.forms import ResidentSearchForm, UploadForm, columns_form
from portal.administration.models import ImportStatus, ResidentImport
from portal.community.models import today_in
from portal.extensions import db
from portal.web import spreadsheets
from portal.web.forms import REFUSED, status_for
from portal.web.htmx import redirect_to

bp = Blueprint("imports", __name__, url_prefix="/admin/residents")

PREVIEW_MOST = 200  # rows of each kind the preview lists; the counts say how many there are


def _import(import_id: int) -> ResidentImport:
    found = db.session.get(ResidentImport, import_id)
    if found is None or not current_user.administers(found.community_id):
        abort(404)
    return found


def _today(made: ResidentImport):
    return today_in(made.community.timezone)


@bp.route("/import", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def upload():
    """Upload the community's spreadsheet of residents; nothing is imported yet."""
    communities = places.communities_of(current_user)
    if not communities:
        abort(403)
    form = UploadForm(communities)
    if form.validate_on_submit():
        community = next((c for c in communities if c.id == form.community.data), communities[0])
        upload = form.file.data
        try:
            made = imports.upload(current_user, community, upload.filename or "", upload.read())
        except spreadsheets.TooManyRows:
            form.file.errors.append(
                _(
                    "The file has more than %(most)s rows: import it in parts.",
                    most=spreadsheets.MOST_ROWS,
                )
            )
        except spreadsheets.Unreadable:
            form.file.errors.append(
                _("This file holds no rows we can read. Save it from Excel as .xlsx or CSV.")
            )
        else:
            return redirect_to(url_for("imports.preview", import_id=made.id))
    return render_template(
        "administration/import_upload.html",
        form=form,
        several=len(communities) > 1,
        earlier=imports.imports_of(current_user),
        columns=imports.COLUMNS,
    ), status_for(form)


def _preview_page(made: ResidentImport, form=None):
    form = form or columns_form(made.header, made.columns)
    checked = imports.check(made, _today(made))
    return render_template(
        "administration/import_preview.html",
        made=made,
        form=form,
        checked=checked,
        missing=imports.missing_columns(made),
        most=PREVIEW_MOST,
        import_columns=imports.COLUMNS,
    ), status_for(form)


@bp.get("/imports/<int:import_id>")
@roles_required(Role.ADMIN)
def preview(import_id: int):
    """The file's columns, and each row as it would be imported, with its problems in words;
    after the import, what it did."""
    made = _import(import_id)
    if made.status == ImportStatus.IMPORTED:
        return render_template("administration/import_done.html", made=made)
    return _preview_page(made)


@bp.post("/imports/<int:import_id>/columns")
@roles_required(Role.ADMIN)
def choose_columns(import_id: int):
    made = _import(import_id)
    if made.status == ImportStatus.IMPORTED:
        return redirect_to(url_for("imports.preview", import_id=made.id))
    form = columns_form(made.header, made.columns, formdata=request.form)
    if not form.validate():
        return _preview_page(made, form)
    imports.choose_columns(
        current_user,
        made,
        {
            column.key: int(form[column.key].data) if form[column.key].data else None
            for column in imports.COLUMNS
        },
    )
    return redirect_to(url_for("imports.preview", import_id=made.id) + "#preview")


@bp.post("/imports/<int:import_id>/run")
@roles_required(Role.ADMIN)
def run(import_id: int):
    """Import the rows without problems, once; a second tap shows what the first did."""
    made = _import(import_id)
    if imports.missing_columns(made):
        abort(REFUSED)
    try:
        counts = imports.run(current_user, made, _today(made))
    except imports.AlreadyImported:
        return redirect_to(url_for("imports.preview", import_id=made.id))
    except imports.ChangedMeanwhile:
        flash(
            _(
                "A record changed while you were checking: nothing was imported. Check the rows again."
            ),
            "error",
        )
        return redirect_to(url_for("imports.preview", import_id=made.id))
    flash(
        _(
            "Imported: %(added)s new, %(changed)s changed, %(same)s unchanged.",
            added=counts["added"],
            changed=counts["changed"],
            same=counts["same"],
        ),
        "success",
    )
    return redirect_to(url_for("imports.preview", import_id=made.id))


@bp.get("/imports/<int:import_id>/problems.csv")
@roles_required(Role.ADMIN)
def problems(import_id: int):
    """The rows that cannot be imported, each with its problems, to correct and import again."""
    made = _import(import_id)
    header, rows = imports.problem_report(made, imports.check(made, _today(made)).rows)
    return spreadsheets.download(header, rows, f"problems-{made.id}.csv", _("Problems"))


@bp.post("/imports/<int:import_id>/slips")
@roles_required(Role.ADMIN)
def slips(import_id: int):
    """PIN slips for every resident the import added who has no PIN yet, to print in one go;
    shown this once."""
    made = _import(import_id)
    if made.status != ImportStatus.IMPORTED:
        abort(404)
    issued = imports.issue_slips(current_user, made)
    response = make_response(
        render_template("administration/pin_slips.html", made=made, slips=issued)
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/export.<any(csv, xlsx):kind>")
@roles_required(Role.ADMIN)
def export(kind: str):
    """The residents the list finds with the same filters, in the columns an import reads."""
    grids = residents.grids_of(current_user)
    form = ResidentSearchForm([(g.id, g.name) for g in grids], request.args)
    if not form.validate():
        abort(REFUSED)
    people = residents.export(current_user, form.filters())
    header, rows = imports.export_rows(people)
    day = today_in(current_app.config["BABEL_DEFAULT_TIMEZONE"]).isoformat()
    return spreadsheets.download(header, rows, f"residents-{day}.{kind}", _("Residents"))
