"""Care visits for grid workers: the day's due list, ordered as a walk, and a resident's visit
page, where a visit is recorded in one short form and the care colour set with its reason."""

from datetime import time

from flask import Blueprint, abort, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts import services as accounts
from portal.accounts.access import resident_acted_for, resident_served, roles_required
from portal.accounts.models import Role
from portal.care import reports
from portal.care import services as care
from portal.care.forms import (
    CadenceForm,
    CareReportForm,
    CheckInPlanForm,
    ColourForm,
    PauseForm,
    VisitForm,
)
from portal.care.labels import OUTCOMES, SUGGESTION_REASONS
from portal.web import spreadsheets
from portal.web.forms import REFUSED, safe_next, status_for
from portal.web.htmx import redirect_to

bp = Blueprint("care", __name__, url_prefix="/care")

VISITORS = (Role.GRID_WORKER, Role.ADMIN)


@bp.get("/")
@roles_required(Role.GRID_WORKER)
def due():
    """Who is due a visit today or overdue, as a walk through the grid's buildings."""
    return render_template("care/due.html", due=care.due_list(current_user))


def _back() -> str:
    """Where a grid worker returns after a visit: the page they came from (their day), or the
    due list."""
    return safe_next(request.values.get("next"), url_for("care.due"))


def _resident_page(resident, visit_form=None, colour_form=None, pause_form=None):
    visit_form = visit_form or VisitForm(formdata=None)
    colour_form = colour_form or ColourForm(
        formdata=None,
        data={"colour": resident.care_colour, "reason": resident.care_colour_reason},
    )
    page = render_template(
        "care/resident.html",
        resident=resident,
        visit_form=visit_form,
        colour_form=colour_form,
        visits=care.visits_of(resident),
        history=care.colour_history(resident),
        suggestion=care.suggest(resident),
        pause=care.pause_on(resident, resident.today()),
        outcomes=OUTCOMES,
        suggestion_reasons=SUGGESTION_REASONS,
        pause_form=pause_form or PauseForm(formdata=None, prefix="pause"),
        back=_back(),
    )
    # Recorded once the page is drawn, so that committing it reloads nothing the page reads.
    care.record_read(current_user, resident)
    return page, status_for(visit_form, colour_form, *([pause_form] if pause_form else []))


@bp.get("/residents/<int:resident_id>")
@roles_required(*VISITORS)
def resident(resident_id: int):
    return _resident_page(resident_served(resident_id))


@bp.post("/residents/<int:resident_id>/visits")
@roles_required(*VISITORS)
def visit(resident_id: int):
    found = resident_served(resident_id)
    form = VisitForm()
    if not form.validate():
        return _resident_page(found, visit_form=form)
    recorded = care.record_visit(
        current_user,
        found,
        form.outcome.data,
        form.note.data or "",
        needs_help=form.needs_help.data or None,
    )
    words = [_("Visit to %(name)s recorded.", name=found.name)]
    if recorded.welfare_check_id:
        words.append(_("Not at home: a welfare check is now in the help queue."))
    if recorded.help_request_id:
        words.append(_("A help request was raised for them."))
    flash(" ".join(words), "success")
    return redirect_to(_back())


@bp.post("/residents/<int:resident_id>/colour")
@roles_required(*VISITORS)
def colour(resident_id: int):
    found = resident_served(resident_id)
    form = ColourForm()
    if not form.validate():
        return _resident_page(found, colour_form=form)
    care.set_colour(current_user, found, form.colour.data, form.reason.data)
    flash(_("%(name)s's care colour is saved.", name=found.name), "success")
    return redirect_to(url_for("care.resident", resident_id=found.id))


@bp.post("/residents/<int:resident_id>/pause")
@roles_required(*VISITORS)
def pause(resident_id: int):
    """No visits due from today until a day: in hospital, staying with family."""
    found = resident_served(resident_id)
    form = PauseForm(prefix="pause")
    if form.validate():
        try:
            care.pause(current_user, found, found.today(), form.resumes_on.data, form.reason.data)
        except care.BadPause:
            form.resumes_on.errors.append(_("Enter a day after today."))
        else:
            flash(_("Visits to %(name)s are paused.", name=found.name), "success")
            return redirect_to(url_for("care.resident", resident_id=found.id))
    return _resident_page(found, pause_form=form)


@bp.route("/cadence", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def cadence():
    """How often the admin's community visits each colour."""
    community = current_user.community or abort(404)
    form = CadenceForm(
        data={
            **care.cadence(community.id),
            "other_contacts": care.other_contacts_count(community.id),
        }
    )
    if form.validate_on_submit():
        for colour in ("red", "yellow", "green"):
            care.set_cadence(current_user, community, colour, form[colour].data)
        care.set_other_contacts(current_user, community, form.other_contacts.data)
        flash(_("Saved: visits follow these numbers of days from now on."), "success")
        return redirect_to(url_for("care.cadence"))
    return render_template("care/cadence.html", form=form, community=community), status_for(form)


@bp.post("/check-in/<int:resident_id>")
@roles_required(Role.RESIDENT, Role.FAMILY)
def check_in(resident_id: int):
    """ "I'm fine today": the resident's daily check-in, from their home (or family's for them)."""
    found = resident_acted_for(resident_id)
    care.check_in(found, current_user)
    flash(_("Thank you. We have noted that you are fine today."), "success")
    return redirect_to(url_for("site.index"))


@bp.route("/check-ins/<int:resident_id>", methods=["GET", "POST"])
@roles_required(Role.RESIDENT, Role.FAMILY, Role.GRID_WORKER, Role.ADMIN)
def check_in_plan(resident_id: int):
    """Whether the resident checks in every day, and by when; when they do not, their grid
    worker is asked to phone them."""
    found = resident_acted_for(resident_id, staff=True)
    plan = care.check_in_plan(found)
    form = CheckInPlanForm(data={"deadline": plan.deadline.strftime("%H:%M") if plan else ""})
    if form.validate_on_submit():
        chosen = form.deadline.data
        care.plan_check_ins(found, current_user, time.fromisoformat(chosen) if chosen else None)
        flash(_("Saved."), "success")
        return redirect_to(url_for("care.check_in_plan", resident_id=found.id))
    return render_template(
        "care/check_ins.html",
        resident=found,
        form=form,
        last=care.last_check_ins([found.id]).get(found.id),
        shared=care.family_sees_visits(found),
        may_share=current_user.id == found.id or accounts.serves(current_user, found),
    ), status_for(form)


@bp.post("/sharing/<int:resident_id>")
@roles_required(Role.RESIDENT, Role.GRID_WORKER, Role.ADMIN)
def sharing(resident_id: int):
    """The resident agrees, or no longer, that their family see their care visits."""
    found = resident_acted_for(resident_id, staff=True)
    if current_user.id != found.id and not accounts.serves(current_user, found):
        abort(403)
    shared = request.form.get("shared") == "1"
    care.share_visits(found, current_user, shared)
    flash(
        _("Your family will see who visited you and how it went.")
        if shared
        else _("Your family will no longer see your visits."),
        "success",
    )
    return redirect_to(url_for("care.check_in_plan", resident_id=found.id))


# Reports ----------------------------------------------------------------------------------------


def _report():
    """The report form, the month it reads (this month by default) and its rows, over the grids
    the reader may count; one row per community is for the street office."""
    form = CareReportForm(request.args)
    street = current_user.administers_every_community
    if not street:
        form.by.choices = form.by.choices[:1]
    elif "by" not in request.args:
        form.by.data = "community"
    month, rows = None, []
    if form.validate():
        today = current_user.today()
        month = form.month.data = form.month.data or today.replace(day=1)
        by = form.by.data if street else "grid"
        rows = reports.month_report(reports.grids_for(current_user), month, today, by=by)
    return form, month, rows


@bp.get("/reports")
@roles_required(*VISITORS)
def report():
    form, month, rows = _report()
    return render_template(
        "care/report.html", form=form, month=month, rows=rows, chart=reports.bars(rows)
    ), status_for(form)


@bp.get("/reports.<any(csv, xlsx):kind>")
@roles_required(*VISITORS)
def report_download(kind: str):
    form, month, rows = _report()
    if form.errors:
        abort(REFUSED)
    header, table = reports.table(rows)
    return spreadsheets.download(
        header, table, f"care-visits-{month:%Y-%m}.{kind}", _("Care visits")
    )
