"""Paperwork pages: residents and family choose what they need done and read what to have ready;
grid workers tick the documents they take and give back and record how it went; the due list;
admins' kinds of paperwork."""

from flask import Blueprint, abort, current_app, flash, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from portal.accounts.access import resident_acted_for, resident_served, roles_required
from portal.accounts.models import Role
from portal.extensions import limiter
from portal.help import catalogue
from portal.help import services as help
from portal.help.views import refusal
from portal.paperwork import services as paperwork
from portal.paperwork.forms import DocumentForm, DueForm, KindForm, OutcomeForm
from portal.paperwork.models import Outcome, PaperworkKind
from portal.web.converters import parse_id
from portal.web.forms import status_for
from portal.web.htmx import redirect_to

bp = Blueprint("paperwork", __name__, url_prefix="/paperwork")

ASKING_ROLES = (Role.RESIDENT, Role.FAMILY)
STAFF_ROLES = (Role.GRID_WORKER, Role.ADMIN)


# Residents and family ------------------------------------------------------------------------------


def _resident(values):
    """Whom the page is for: oneself, or (for family) the linked resident named."""
    if not values.get("resident_id"):
        return current_user if current_user.has_role(Role.RESIDENT) else abort(404)
    return resident_acted_for(parse_id(values["resident_id"]) or abort(404))


def _for(resident) -> int | None:
    """The resident_id to carry in links: none when the residents asks for themself."""
    return resident.id if resident.id != current_user.id else None


@bp.get("/ask")
@roles_required(*ASKING_ROLES)
def ask():
    """Which paperwork the resident needs done, as big buttons."""
    resident = _resident(request.args)
    code = request.args.get("service", "")[:40]
    return render_template(
        "paperwork/ask.html",
        resident=resident,
        for_id=_for(resident),
        kinds=paperwork.kinds_of(resident.community_id),
        service=catalogue.service_by_code(resident.community_id, code) if code else None,
    )


def _kind(resident, code: str) -> PaperworkKind:
    return paperwork.kind_by_code(resident.community_id, code) or abort(404)


@bp.get("/ask/<string(maxlength=20):code>")
@roles_required(*ASKING_ROLES)
def kind(code: str):
    """What to have ready for the kind of paperwork, and the button that asks for it."""
    resident = _resident(request.args)
    return render_template(
        "paperwork/kind.html",
        resident=resident,
        for_id=_for(resident),
        kind=_kind(resident, code),
        dues=[d for d in paperwork.dues_of(resident) if d.kind.code == code],
    )


@bp.post("/ask/<string(maxlength=20):code>")
@roles_required(*ASKING_ROLES)
@limiter.limit("60 per hour", key_func=lambda: f"help:{current_user.id}")
def send(code: str):
    resident = _resident(request.form)
    found = _kind(resident, code)
    try:
        sent, _created = paperwork.ask(
            resident,
            found,
            current_user,
            timers=help.Timers.from_config(current_app.config),
        )
    except (help.TooManyRequests, help.NoGrid) as refused:
        flash(refusal(refused), "error")
        return redirect_to(url_for("help.mine", resident_id=resident.id))
    except (help.NotAllowed, paperwork.NotAllowed):
        abort(403)
    return redirect_to(url_for("help.sent", request_id=sent.id))


@bp.post("/requests/<int:request_id>/confirm")
@roles_required(*ASKING_ROLES)
def confirm(request_id: int):
    """The resident or family confirm the documents the worker ticked: handed over, or back."""
    found = help.get(request_id) or abort(404)
    stage = request.form.get("stage")
    if stage not in ("given", "back"):
        abort(400)
    try:
        count = paperwork.confirm(current_user, found, stage)
    except paperwork.NotAllowed:
        abort(403)
    if count:
        flash(_("Thank you: it is recorded."), "success")
    else:
        flash(_("That was already recorded."), "info")
    return redirect_to(url_for("help.mine", resident_id=found.resident_id))


# Grid workers ----------------------------------------------------------------------------------------


def _request(request_id: int):
    found = help.get(request_id) or abort(404)
    if not paperwork.may_work_on(current_user, found):
        abort(403)
    return found


def _back_to(found):
    return redirect_to(url_for("help.detail", request_id=found.id))


def _refused(found, error: paperwork.PaperworkError):
    if isinstance(error, paperwork.NotAllowed):
        abort(403)
    flash(
        _("This cannot be done now: the request is closed or the document was given back."), "error"
    )
    return _back_to(found)


@bp.post("/requests/<int:request_id>/kind")
@roles_required(*STAFF_ROLES)
def choose_kind(request_id: int):
    found = _request(request_id)
    chosen = paperwork.kind_of(found.community_id, parse_id(request.form.get("kind")))
    if chosen is None:
        flash(_("Choose which paperwork it is."), "error")
        return _back_to(found)
    try:
        paperwork.choose_kind(current_user, found, chosen)
    except paperwork.PaperworkError as error:
        return _refused(found, error)
    flash(_("The request is now for: %(kind)s.", kind=chosen.name(str(get_locale()))), "success")
    return _back_to(found)


def _tick(request_id: int, document_id: int, action, success: str, again: str):
    found = _request(request_id)
    try:
        changed = action(current_user, found, document_id)
    except paperwork.PaperworkError as error:
        return _refused(found, error)
    flash(success if changed else again, "success" if changed else "info")
    return _back_to(found)


@bp.post("/requests/<int:request_id>/documents/<int:document_id>/taken")
@roles_required(*STAFF_ROLES)
def taken(request_id: int, document_id: int):
    return _tick(
        request_id,
        document_id,
        paperwork.take,
        _("Recorded as taken. The resident is asked to confirm."),
        _("It was already recorded as taken."),
    )


@bp.post("/requests/<int:request_id>/documents/<int:document_id>/returned")
@roles_required(*STAFF_ROLES)
def returned(request_id: int, document_id: int):
    return _tick(
        request_id,
        document_id,
        paperwork.give_back,
        _("Recorded as given back. The resident is asked to confirm."),
        _("It was already recorded as given back."),
    )


@bp.route("/requests/<int:request_id>/documents", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def add_document(request_id: int):
    found = _request(request_id)
    form = DocumentForm()
    if form.validate_on_submit():
        try:
            paperwork.add_document(current_user, found, form.name.data)
        except paperwork.PaperworkError as error:
            return _refused(found, error)
        flash(_("Added to the documents."), "success")
        return _back_to(found)
    return render_template("paperwork/document.html", req=found, form=form), status_for(form)


@bp.route("/requests/<int:request_id>/outcome", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def outcome(request_id: int):
    """How the paperwork went, on a page of its own."""
    found = _request(request_id)
    case = paperwork.case_of(found) or abort(404)
    form = OutcomeForm(
        data={
            "outcome": case.outcome,
            "note": case.outcome_note,
            "result_due_on": case.result_due_on,
        }
    )
    if form.validate_on_submit():
        try:
            paperwork.record_outcome(
                current_user,
                found,
                Outcome(form.outcome.data),
                note=form.note.data,
                result_due_on=form.result_due_on.data,
                next_due_on=form.next_due_on.data,
            )
        except paperwork.BadDate:
            form.next_due_on.errors = [_("Enter a date within three years of today.")]
        except paperwork.PaperworkError as error:
            return _refused(found, error)
        else:
            flash(_("Recorded how the paperwork went."), "success")
            return _back_to(found)
    return render_template("paperwork/outcome.html", req=found, case=case, form=form), (
        422 if form.errors else status_for(form)
    )


@bp.get("/due")
@roles_required(Role.GRID_WORKER)
def due():
    """The yearly paperwork of the grid's residents that is due within a month, or overdue."""
    return render_template(
        "paperwork/due.html", dues=paperwork.due_list(current_user), today=current_user.today()
    )


def _due_form(resident, formdata=None) -> DueForm:
    form = DueForm(formdata=formdata)
    form.kind.choices = [
        SelectChoice(k.id, k.name(str(get_locale())))
        for k in paperwork.kinds_of(resident.community_id)
        if k.every_months
    ]
    return form


@bp.route("/residents/<int:resident_id>/due", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def resident_due(resident_id: int):
    """When a resident's yearly paperwork is next due: recorded by staff who serve them."""
    resident = resident_served(resident_id)
    form = _due_form(resident, request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate():
        chosen = paperwork.kind_of(resident.community_id, form.kind.data)
        if chosen is None or not chosen.every_months:
            abort(400)
        try:
            paperwork.set_due(current_user, resident, chosen, form.due_on.data)
        except paperwork.BadDate:
            form.due_on.errors = [_("Enter a date within three years of today.")]
        else:
            flash(_("Recorded when it is due."), "success")
            return redirect_to(url_for("paperwork.resident_due", resident_id=resident.id))
    return render_template(
        "paperwork/resident_due.html",
        resident=resident,
        dues=paperwork.dues_of(resident),
        form=form,
    ), (422 if form.errors else 200)


@bp.post("/residents/<int:resident_id>/due/<int:due_id>/remove")
@roles_required(*STAFF_ROLES)
def remove_due(resident_id: int, due_id: int):
    resident = resident_served(resident_id)
    try:
        paperwork.remove_due(current_user, resident, due_id)
    except paperwork.NotAllowed:
        abort(404)
    flash(_("Removed."), "success")
    return redirect_to(url_for("paperwork.resident_due", resident_id=resident.id))


# Admins ------------------------------------------------------------------------------------------


def _community():
    return current_user.community or abort(404)


@bp.get("/kinds")
@roles_required(Role.ADMIN)
def kinds():
    return render_template(
        "paperwork/kinds.html", kinds=paperwork.kinds_of(_community().id, withdrawn=True)
    )


def _kind_form(found: PaperworkKind | None) -> KindForm:
    if found is None or request.method == "POST":
        return KindForm()
    data = {
        "every": str(found.every_months) if found.every_months else "once",
        **{f"name_{lang.lower()}": found.names.get(lang) for lang in paperwork.LANGUAGES},
        **{
            f"documents_{lang.lower()}": "\n".join(d.get(lang, "") for d in found.documents)
            for lang in paperwork.LANGUAGES
        },
    }
    return KindForm(formdata=None, data=data)


@bp.route("/kinds/new", methods=["GET", "POST"], defaults={"kind_id": None})
@bp.route("/kinds/<int:kind_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_kind(kind_id: int | None):
    community_id = _community().id
    found = None
    if kind_id is not None:
        found = paperwork.kind_of(community_id, kind_id) or abort(404)
    form = _kind_form(found)
    if form.validate_on_submit():
        paperwork.save_kind(
            current_user,
            community_id,
            found,
            names={lang: form[f"name_{lang.lower()}"].data for lang in paperwork.LANGUAGES},
            documents=form.documents(),
            every_months=None if form.every.data == "once" else int(form.every.data),
        )
        flash(_("Saved."), "success")
        return redirect_to(url_for("paperwork.kinds"))
    return render_template("paperwork/kind_form.html", kind=found, form=form), status_for(form)


@bp.post("/kinds/<int:kind_id>/withdraw")
@roles_required(Role.ADMIN)
def withdraw_kind(kind_id: int):
    found = paperwork.kind_of(_community().id, kind_id) or abort(404)
    paperwork.withdraw_kind(current_user, found, withdrawn=request.form.get("back") != "yes")
    return redirect_to(url_for("paperwork.kinds"))
