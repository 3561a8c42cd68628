"""Help requests: the resident's buttons and their requests, the family's view, the worker's queue."""

from datetime import timedelta

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
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from portal.accounts import services as accounts
from portal.accounts.access import resident_acted_for, roles_required
from portal.accounts.labels import KINSHIP_LABELS
from portal.accounts.models import Role
from portal.community import services as community
from portal.extensions import limiter
from portal.help import catalogue, labels, parts, reports, sources
from portal.help import services as help
from portal.help.forms import (
    EscalateForm,
    HandOffForm,
    RaiseForForm,
    ReportForm,
    ResidentNoteForm,
    ResolveForm,
    WorkerNoteForm,
    answer_form,
)
from portal.help.models import URGENT_CATEGORIES, Source
from portal.model_base import utcnow
from portal.web.converters import parse_id
from portal.web.forms import REFUSED, status_for
from portal.web.htmx import polled_page_or_fragment, redirect_to

bp = Blueprint("help", __name__, url_prefix="/help")

QUEUE_ROLES = (Role.GRID_WORKER, Role.VOLUNTEER, Role.ADMIN)
ASKING_ROLES = (Role.RESIDENT, Role.FAMILY)


def _timers() -> help.Timers:
    return help.Timers.from_config(current_app.config)


def _own_request(request_id: int):
    """The request, if the current person may act for its resident; 404 or 403 otherwise."""
    found = help.get(request_id) or abort(404)
    if not accounts.may_act_for(current_user, found.resident):
        abort(403)
    return found


def _resident_for_asking():
    """The resident a request is for: oneself, or (for family) a linked resident named in the form."""
    if "resident_id" not in request.form:
        return current_user if current_user.has_role(Role.RESIDENT) else abort(400)
    return resident_acted_for(parse_id(request.form["resident_id"]) or abort(404))


def refusal(error: help.HelpError) -> str:
    """Why a request was not sent, and whom to call instead."""
    if isinstance(error, help.TooManyRequests):
        return _(
            "You have asked for help many times this hour, so this one was not sent. "
            "Please call the numbers at the top of the page."
        )
    return _(
        "We do not know your building yet, so we cannot tell which grid worker to ask. "
        "Please call the community hotline."
    )


# Residents and family -------------------------------------------------------------------------


@bp.post("/requests")
@roles_required(*ASKING_ROLES)
@limiter.limit(
    "60 per hour",
    key_func=lambda: f"help:{current_user.id}",
    # Whoever feels unwell is never told to wait: the limit is for the other requests.
    exempt_when=lambda: request.form.get("category") in URGENT_CATEGORIES,
)
def ask():
    """One tap on a service without questions (or, as before, on a category)."""
    resident = _resident_for_asking()
    service = None
    if "service" in request.form:
        service = catalogue.service_by_code(resident.community_id, request.form["service"])
        if service is None or service.questions:
            abort(400)
    return _raise(resident, request.form.get("category", ""), service)


def _raise(resident, category: str, service, answers=None):
    try:
        found, _created = help.raise_request(
            resident, category, current_user, timers=_timers(), service=service, answers=answers
        )
    except help.UnknownCategory:
        abort(400)
    except (help.TooManyRequests, help.NoGrid) as refused:
        flash(refusal(refused), "error")
        return redirect_to(url_for("help.mine", resident_id=resident.id))
    return redirect_to(url_for("help.sent", request_id=found.id))


def _resident_asked_for(values):
    """The resident a service page is for: oneself, or (for family) the linked resident named."""
    if not values.get("resident_id"):
        return current_user if current_user.has_role(Role.RESIDENT) else abort(404)
    return resident_acted_for(parse_id(values["resident_id"]) or abort(404))


@bp.get("/services")
@roles_required(*ASKING_ROLES)
def services():
    """Every service of the resident's community, beyond the few on the kiosk's first page."""
    resident = _resident_asked_for(request.args)
    return render_template(
        "help/services.html",
        resident=resident,
        services=catalogue.services_of(resident.community_id),
    )


def _service(resident, code: str):
    return catalogue.service_by_code(resident.community_id, code) or abort(404)


def _question_page(resident, service, index: int, sent: list, form=None):
    """The service's question number index, with the answers before it carried along."""
    final = index == len(service.questions) - 1
    question = service.questions[index]
    if form is None:
        given = {f"a{index}": sent[index]} if index < len(sent) and sent[index] else {}
        form = answer_form(question, index, str(get_locale()), None, final=final)
        form.process(data=given)
    return render_template(
        "help/question.html",
        resident=resident,
        service=service,
        index=index,
        sent=sent[:index],
        form=form,
        final=final,
        open_now=catalogue.is_open(service, resident.community),
    ), status_for(form)


def _answers_sent(values, count: int) -> list:
    return [values.get(f"a{index}") for index in range(count)]


@bp.get("/services/<string(maxlength=40):code>")
@roles_required(*ASKING_ROLES)
def service(code: str):
    """A service's questions, one per page: each page sends its answer on to the next, the last
    sends the request."""
    resident = _resident_asked_for(request.args)
    found = _service(resident, code)
    if not found.questions:
        return render_template("help/services.html", resident=resident, services=[found])
    step = min(max(request.args.get("step", 0, type=int), 0), len(found.questions) - 1)
    sent = _answers_sent(request.args, step)
    try:
        for index, question in enumerate(found.questions[:step]):
            catalogue.answer_of(question, index, sent[index])
    except catalogue.BadAnswer as bad:
        return _question_with_error(resident, found, bad.index, request.args)
    return _question_page(resident, found, step, _answers_sent(request.args, step + 1))


def _say_why(form, index: int, values) -> None:
    """An answer that is none of the choices is refused in the resident's words."""
    field = form[f"a{index}"]
    chosen = (values.get(f"a{index}") or "").strip()
    if field.type == "RadioField" and chosen or not field.errors:
        field.errors = [_("Choose one of the answers.")]


def _question_with_error(resident, found, index: int, values):
    """The question whose answer was refused, with its words of refusal."""
    final = index == len(found.questions) - 1
    form = answer_form(found.questions[index], index, str(get_locale()), values, final=final)
    form[f"a{index}"].validate(form)
    _say_why(form, index, values)
    sent = _answers_sent(values, index)
    return _question_page(resident, found, index, sent, form)


@bp.post("/services/<string(maxlength=40):code>")
@roles_required(*ASKING_ROLES)
@limiter.limit("60 per hour", key_func=lambda: f"help:{current_user.id}")
def send_service(code: str):
    """The last question answered: the request is sent with every answer."""
    resident = _resident_asked_for(request.form)
    found = _service(resident, code)
    last = len(found.questions) - 1
    if last < 0:
        abort(400)
    form = answer_form(found.questions[last], last, str(get_locale()), request.form, final=True)
    if not form.validate():
        _say_why(form, last, request.form)
        return _question_page(resident, found, last, _answers_sent(request.form, last), form)
    try:
        answers = catalogue.answers_of(found, _answers_sent(request.form, last + 1))
    except catalogue.BadAnswer as bad:
        return _question_with_error(resident, found, bad.index, request.form)
    return _raise(resident, found.category, found, answers)


@bp.get("/requests/<int:request_id>/sent")
@roles_required(*ASKING_ROLES)
def sent(request_id: int):
    found = _own_request(request_id)
    worker = help.first_worker(found)
    return _sent_page(found, worker, ResidentNoteForm())


@bp.post("/requests/<int:request_id>/notes/resident")
@roles_required(*ASKING_ROLES)
def resident_note(request_id: int):
    found = _own_request(request_id)
    form = ResidentNoteForm()
    if form.validate_on_submit():
        try:
            help.add_resident_note(found, current_user, form.text.data)
        except help.IllegalTransition:
            flash(_("This request is closed, so no more notes can be added."), "error")
        else:
            flash(_("Your note has been added. Your grid worker can read it now."), "success")
        return redirect_to(url_for("help.mine", resident_id=found.resident_id))
    worker = help.first_worker(found)
    return _sent_page(found, worker, form)


def _sent_page(found, worker, form):
    dictation = current_app.config["DICTATION"]
    return render_template(
        "help/sent.html",
        req=found,
        worker=worker,
        form=form,
        dictation=dictation,
        kept=parts.read([found]),
    ), status_for(form)


@bp.post("/requests/<int:request_id>/confirm")
@roles_required(*ASKING_ROLES)
def confirm(request_id: int):
    found = _own_request(request_id)
    fixed = request.form.get("fixed") == "yes"
    try:
        help.confirm(found, current_user, fixed)
    except help.IllegalTransition:
        flash(_("This request was already answered."), "info")
    else:
        flash(
            _("Thank you. The request is closed.")
            if fixed
            else _("We have told your grid worker it is not fixed. They will contact you again."),
            "success",
        )
    return redirect_to(url_for("help.mine", resident_id=found.resident_id))


@bp.get("/residents/<int:resident_id>/requests")
@roles_required(*ASKING_ROLES)
def mine(resident_id: int):
    resident = resident_acted_for(resident_id)
    requests = help.requests_page(resident, page=request.args.get("page", 1, type=int))
    return render_template(
        "help/mine.html", resident=resident, requests=requests, kept=parts.read(requests.items)
    )


# The queue and the worker's request page -----------------------------------------------------


@bp.get("/queue")
@roles_required(*QUEUE_ROLES)
def queue():
    now = utcnow()
    try:
        shown = help.Shown(request.args.get("show", help.Shown.ALL))
    except ValueError:
        shown = help.Shown.ALL  # an address from an old bookmark or typed by hand: show them all
    version = help.escalate_queue(current_user, now, _timers())

    def page() -> dict:
        requests = help.queue(current_user, shown)
        return {
            "requests": requests,
            "counts": help.queue_counts(current_user),
            "shown": shown,
            # Where requests come from more than one community, each grid says which.
            "several_communities": len({r.community_id for r in requests}) > 1,
            "now": now,
        }

    return polled_page_or_fragment(
        f"{version}-{shown}", "help/queue.html", "help/_queue.html", "queue", page
    )


@bp.get("/closed")
@roles_required(*QUEUE_ROLES)
def closed():
    """The queue's closed requests, a page at a time."""
    found = help.closed_page(current_user, request.args.get("page", 1, type=int))
    return render_template("help/closed.html", found=found)


@bp.route("/for-resident", methods=["GET", "POST"])
@roles_required(Role.GRID_WORKER, Role.ADMIN)
def raise_for():
    """A grid worker or admin raises a request for a resident who asked them without a device:
    on the phone, at the office or on a visit."""
    form = RaiseForForm(code=request.args.get("code", ""))
    if form.validate_on_submit():
        resident = accounts.served_by_code(current_user, form.code.data)
        if resident is None:
            form.code.errors.append(_("No resident you serve has this code."))
        else:
            try:
                found, _created = help.raise_for(
                    resident,
                    form.category.data,
                    current_user,
                    Source(form.channel.data),
                    note=form.text.data,
                    timers=_timers(),
                )
            except help.NoGrid:
                form.code.errors.append(refusal(help.NoGrid()))
            else:
                flash(_("The request for %(name)s is in the queue.", name=resident.name), "success")
                return redirect_to(url_for("help.detail", request_id=found.id))
    return render_template("help/raise_for.html", form=form), status_for(form)


def _worker_request(request_id: int):
    found = help.get(request_id) or abort(404)
    if not help.can_see(current_user, found):
        abort(403)
    return found


def _worker_page(found, **forms):
    blank = {
        "note_form": WorkerNoteForm(),
        "hand_off_form": _hand_off_form(found),
        "resolve_form": ResolveForm(),
        "escalate_form": EscalateForm(),
    }
    volunteer_view = help.is_volunteer_view(current_user, found)
    # Whom to phone: the grid worker also sees the family's numbers; a volunteer only the resident's.
    family = [] if volunteer_view else accounts.family_to_call(found.resident)
    page = render_template(
        "help/request.html",
        req=found,
        volunteer_view=volunteer_view,
        family=family,
        kinships=KINSHIP_LABELS,
        source=sources.detail(found),
        kept=parts.read([found]),
        **{**blank, **forms},
    )
    # Recorded once the page is drawn, so that committing it reloads nothing the page reads.
    help.record_read(current_user, found)
    return page, status_for(*forms.values())


def _hand_off_form(found, formdata=None) -> HandOffForm:
    form = HandOffForm(formdata=formdata)
    form.partner.choices = [
        SelectChoice(p.id, p.name) for p in community.partners_of(found.community_id)
    ]
    return form


@bp.get("/requests/<int:request_id>")
@roles_required(*QUEUE_ROLES)
def detail(request_id: int):
    return _worker_page(_worker_request(request_id))


def _act(request_id: int, action, success: str):
    """Run a worker action that needs no form, then return to the request with a message."""
    found = _worker_request(request_id)
    try:
        action(found)
    except help.AlreadyTaken as error:
        flash(
            _(
                "%(name)s has already taken this request.",
                name=error.holder.name if error.holder else "?",
            ),
            "error",
        )
    except help.IllegalTransition:
        flash(
            _(
                "This cannot be done now: the request is %(status)s.",
                status=labels.STATUS_LABELS[found.status],
            ),
            "error",
        )
    except help.NotAllowed:
        flash(_("Only the person who took the request can do this."), "error")
    else:
        flash(success, "success")
    return redirect_to(url_for("help.detail", request_id=request_id))


@bp.post("/requests/<int:request_id>/take")
@roles_required(*QUEUE_ROLES)
def take(request_id: int):
    found = _worker_request(request_id)
    if not help.may_take(current_user, found):
        flash(_("Volunteers can take errands and company requests only."), "error")
        return redirect_to(url_for("help.detail", request_id=request_id))
    return _act(request_id, lambda r: help.take(r, current_user), _("You have taken this request."))


@bp.post("/requests/<int:request_id>/untake")
@roles_required(*QUEUE_ROLES)
def untake(request_id: int):
    return _act(
        request_id, lambda r: help.untake(r, current_user), _("The request is back in the queue.")
    )


@bp.post("/requests/<int:request_id>/start")
@roles_required(*QUEUE_ROLES)
def start(request_id: int):
    return _act(request_id, lambda r: help.start(r, current_user), _("Marked as in progress."))


def _form_action(request_id: int, form_name: str, form, action, success: str):
    """Run a worker action that takes a form; on bad input show the request page with errors."""
    found = _worker_request(request_id)
    if form.validate_on_submit():
        return _act(request_id, lambda r: action(r, form), success)
    return _worker_page(found, **{form_name: form})


@bp.post("/requests/<int:request_id>/notes")
@roles_required(*QUEUE_ROLES)
def note(request_id: int):
    return _form_action(
        request_id,
        "note_form",
        WorkerNoteForm(),
        lambda r, f: help.add_note(r, current_user, f.text.data, f.visible.data),
        _("Your note has been added."),
    )


@bp.post("/requests/<int:request_id>/hand-off")
@roles_required(Role.GRID_WORKER, Role.ADMIN)
def hand_off(request_id: int):
    found = _worker_request(request_id)
    form = _hand_off_form(found, request.form)

    def action(r, f):
        partner = help.get_partner(f.partner.data) or abort(404)
        help.hand_off(r, current_user, partner, f.text.data)

    return _form_action(request_id, "hand_off_form", form, action, _("Handed over to the partner."))


@bp.post("/requests/<int:request_id>/resolve")
@roles_required(*QUEUE_ROLES)
def resolve(request_id: int):
    return _form_action(
        request_id,
        "resolve_form",
        ResolveForm(),
        lambda r, f: help.resolve(r, current_user, f.text.data),
        _("Marked as done. The resident will be asked whether it is fixed."),
    )


@bp.post("/requests/<int:request_id>/escalate")
@roles_required(Role.GRID_WORKER, Role.ADMIN)
def escalate(request_id: int):
    return _form_action(
        request_id,
        "escalate_form",
        EscalateForm(),
        lambda r, f: help.escalate(r, current_user, f.text.data),
        _("Escalated to the next level."),
    )


# Reports ----------------------------------------------------------------------------------------


def _report():
    """The report form and its rows, for the staff member's community; the last 30 days by default."""
    form = ReportForm(request.args)
    rows = []
    if form.validate():
        end = form.end.data or current_user.today()
        start = form.start.data or end - timedelta(days=29)
        rows = reports.summary(
            start,
            end,
            by=form.by.data or "grid",
            zone=current_app.config["BABEL_DEFAULT_TIMEZONE"],
            community_id=current_user.community_id,
        )
    return form, rows


@bp.get("/reports")
@roles_required(Role.ADMIN, Role.GRID_WORKER)
def report():
    form, rows = _report()
    return render_template(
        "help/report.html", form=form, rows=rows, chart=reports.bars(rows)
    ), status_for(form)


@bp.get("/reports.csv")
@roles_required(Role.ADMIN, Role.GRID_WORKER)
def report_csv():
    form, rows = _report()
    if form.errors:
        abort(REFUSED)
    response = make_response(reports.to_csv(rows, by=form.by.data or "grid"))
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = "attachment; filename=help-report.csv"
    return response
