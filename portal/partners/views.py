"""A partner's desk: the people of the property company, the water company or a clinic see the
requests handed to them, with what, where and whom to call; they accept or decline them, note
their progress, hand them on to another partner and say when the job is done."""

from flask import Blueprint, abort, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from portal.accounts import services as accounts
from portal.accounts.access import roles_required
from portal.accounts.labels import KINSHIP_LABELS
from portal.accounts.models import Role
from portal.community import services as community
from portal.help import services as help
from portal.partners import services as partners
from portal.partners.forms import (
    AcceptForm,
    AcceptTimeForm,
    DeclineForm,
    DoneForm,
    HandOnForm,
    MonthForm,
    PartnerNoteForm,
    RatingForm,
)
from portal.partners.models import CRITERIA
from portal.web.forms import status_for
from portal.web.htmx import redirect_to

bp = Blueprint("partner_desk", __name__, url_prefix="/partner")


@bp.get("/")
@roles_required(Role.PARTNER)
def home():
    found = help.handed_to(current_user, request.args.get("page", 1, type=int))
    return render_template("partners/home.html", found=found)


def _handed(request_id: int):
    return help.handed_request(current_user, request_id) or abort(404)


def _hand_on_form(found, formdata=None) -> HandOnForm:
    form = HandOnForm(formdata=formdata)
    form.partner.choices = [
        SelectChoice(p.id, p.name)
        for p in community.partners_of(found.community_id)
        if p.id != found.partner_id
    ]
    return form


def _page(found, **forms):
    blank = {
        "accept_form": AcceptForm(),
        "decline_form": DeclineForm(),
        "note_form": PartnerNoteForm(),
        "hand_on_form": _hand_on_form(found),
        "done_form": DoneForm(),
    }
    page = render_template(
        "partners/request.html",
        req=found,
        family=accounts.family_to_call(found.resident),
        kinships=KINSHIP_LABELS,
        notes=help.partner_notes(found),
        **{**blank, **forms},
    )
    # Recorded once the page is drawn, so that committing it reloads nothing the page reads.
    help.record_read(current_user, found)
    return page, status_for(*forms.values())


@bp.get("/requests/<int:request_id>")
@roles_required(Role.PARTNER)
def request_page(request_id: int):
    return _page(_handed(request_id))


def _act(request_id: int, form_name: str, form, action, success: str, *, back_to_desk=False):
    """Run a partner's step on the request; on bad input show its page with the form's errors.
    A request no longer with the partner (a colleague declined it, the grid worker took it back)
    says so on the desk."""
    found = _handed(request_id)
    if not form.validate_on_submit():
        return _page(found, **{form_name: form})
    try:
        action(found, form)
    except help.NotPartnerWork:
        flash(_("This request is no longer with you: the desk shows what is."), "error")
        return redirect_to(url_for("partner_desk.home"))
    except help.IllegalTransition:
        flash(_("This request is closed, so nothing more can be done on it."), "error")
    else:
        flash(success, "success")
        if back_to_desk:
            return redirect_to(url_for("partner_desk.home"))
    return redirect_to(url_for("partner_desk.request_page", request_id=request_id))


@bp.post("/requests/<int:request_id>/accept")
@roles_required(Role.PARTNER)
def accept(request_id: int):
    return _act(
        request_id,
        "accept_form",
        AcceptForm(),
        lambda r, f: help.accept(r, current_user),
        _("Accepted. The resident and the grid worker can see you are on the way."),
    )


@bp.post("/requests/<int:request_id>/decline")
@roles_required(Role.PARTNER)
def decline(request_id: int):
    return _act(
        request_id,
        "decline_form",
        DeclineForm(),
        lambda r, f: help.decline(r, current_user, f.reason.data),
        _("Declined. The request is back with the grid worker."),
        back_to_desk=True,
    )


@bp.post("/requests/<int:request_id>/notes")
@roles_required(Role.PARTNER)
def note(request_id: int):
    return _act(
        request_id,
        "note_form",
        PartnerNoteForm(),
        lambda r, f: help.add_partner_note(
            r, current_user, f.text.data, visible=f.shown_to.data == "resident"
        ),
        _("Your note has been added."),
    )


@bp.post("/requests/<int:request_id>/hand-on")
@roles_required(Role.PARTNER)
def hand_on(request_id: int):
    found = _handed(request_id)

    def action(r, f):
        to = help.get_partner(f.partner.data) or abort(404)
        help.hand_on(r, current_user, to, f.text.data)

    return _act(
        request_id,
        "hand_on_form",
        _hand_on_form(found, request.form),
        action,
        _("Handed on. They are told, and so is the grid worker."),
        back_to_desk=True,
    )


@bp.post("/requests/<int:request_id>/done")
@roles_required(Role.PARTNER)
def done(request_id: int):
    return _act(
        request_id,
        "done_form",
        DoneForm(),
        lambda r, f: help.resolve_as_partner(r, current_user, f.text.data),
        _("Marked as done. The resident will be asked whether it is fixed."),
    )


def _community():
    """The admin's own community; 404 for an admin of the street office, who has none."""
    return current_user.community or abort(404)


@bp.route("/settings", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def settings():
    """How long a partner of the admin's community has to accept a request handed to it."""
    community_id = _community().id
    chosen = help.settings_of(community_id)
    form = AcceptTimeForm(
        minutes=chosen.partner_accept_minutes, urgent_minutes=chosen.partner_accept_minutes_urgent
    )
    if form.validate_on_submit():
        help.save_settings(current_user, community_id, form.minutes.data, form.urgent_minutes.data)
        flash(
            _("Saved. Partners have these times from the next request handed to them."), "success"
        )
        return redirect_to(url_for("partner_desk.settings"))
    return render_template("partners/settings.html", form=form), status_for(form)


def _month(form: MonthForm):
    """The month the form names, this month when it names none; None when it is refused."""
    if not form.validate():
        return None
    form.month.data = form.month.data or _community().today().replace(day=1)
    return form.month.data


@bp.get("/report")
@roles_required(Role.ADMIN)
def report():
    """Each partner's month: what was handed to it and what became of it, and its rating."""
    community = _community()
    form = MonthForm(request.args)
    month = _month(form)
    rows = partners.month_report(community, month) if month else []
    return render_template("partners/report.html", form=form, rows=rows), status_for(form)


@bp.route("/report/<int:partner_id>/rating", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def rate(partner_id: int):
    """The review panel's scores and comment on a partner for a month (this month by default)."""
    community = _community()
    partner = partners.serving(community, partner_id) or abort(404)
    month = _month(MonthForm(request.args)) or abort(404)
    rated = partners.rating_of(partner, community.id, month)
    form = RatingForm(obj=rated)
    if form.validate_on_submit():
        scores = {name: getattr(form, name).data for name in CRITERIA}
        partners.rate(
            current_user, partner, community.id, month, scores, form.comment.data, form.panel.data
        )
        flash(_("The rating of %(name)s is saved.", name=partner.name), "success")
        return redirect_to(url_for("partner_desk.report", month=f"{month:%Y-%m}"))
    return render_template(
        "partners/rating.html", form=form, partner=partner, month=month, rated=rated
    ), status_for(form)
