"""The community's points, as its admins run them: the rules, the kinds of voucher and their
stock, awards by hand, and the month's report."""

from uuid import uuid4

from flask import Blueprint, abort, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from portal.accounts.access import roles_required
from portal.accounts.models import Role
from portal.points import awards, catalogue, settings
from portal.points import report as monthly
from portal.points import rules as earning
from portal.points.admin_forms import USES, AwardForm, KindForm, ReportForm, RulesForm
from portal.web import spreadsheets
from portal.web.forms import REFUSED, status_for
from portal.web.htmx import redirect_to

bp = Blueprint("points_admin", __name__, url_prefix="/points/admin")


def _community():
    """The admin's own community; 404 for an admin of the street office, who has none."""
    return current_user.community or abort(404)


def _kind(kind_id: int):
    """The kind of voucher, if it is of the admin's community; 404 otherwise."""
    return catalogue.kind_of(_community().id, kind_id) or abort(404)


@bp.route("/", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def rules():
    """The points each deed earns in the admin's community, and when points expire."""
    community = _community()
    now = earning.rules_of(community.id)
    months = settings.expire_after_months(community.id)
    form = RulesForm(data={**now, "expire_after_months": months})
    if form.validate_on_submit():
        changed = {rule: n for rule, n in form.points.items() if n != now[rule]}
        earning.set_points(community.id, changed, current_user)
        settings.set_expiry(community.id, form.expire_after_months.data, current_user)
        flash(_("Saved: deeds earn these points from now on."), "success")
        return redirect_to(url_for("points_admin.rules"))
    return render_template("points/admin/rules.html", form=form, community=community), status_for(
        form
    )


@bp.get("/vouchers")
@roles_required(Role.ADMIN)
def vouchers():
    """Every kind of voucher of the admin's community, withdrawn ones too."""
    community = _community()
    return render_template(
        "points/admin/vouchers.html",
        kinds=catalogue.kinds_of(community.id),
        uses=USES,
        today=community.today(),
    )


def _kind_page(form: KindForm, kind=None):
    """Save the kind of voucher when the form is sent and right, else draw its page."""
    if form.validate_on_submit():
        try:
            saved = catalogue.save_kind(_community().id, form.draft(), current_user, kind)
        except catalogue.StockBelowIssued as refused:
            form.stock.errors.append(
                _("%(num)s are issued already: enter at least that many.", num=refused.issued)
            )
        else:
            flash(_("“%(name)s” is saved.", name=saved.name), "success")
            return redirect_to(url_for("points_admin.vouchers"))
    return render_template("points/admin/kind_form.html", form=form, kind=kind), status_for(form)


@bp.route("/vouchers/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new_kind():
    today = _community().today()
    return _kind_page(KindForm(data={"valid_from": today}))


@bp.route("/vouchers/<int:kind_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_kind(kind_id: int):
    kind = _kind(kind_id)
    return _kind_page(KindForm(data=KindForm.data_of(kind)), kind)


@bp.get("/vouchers/<int:kind_id>/withdraw")
@roles_required(Role.ADMIN)
def confirm_withdraw(kind_id: int):
    """Ask once before a kind of voucher is withdrawn."""
    return render_template("points/admin/withdraw.html", kind=_kind(kind_id))


@bp.post("/vouchers/<int:kind_id>/withdraw")
@roles_required(Role.ADMIN)
def withdraw(kind_id: int):
    kind = _kind(kind_id)
    catalogue.withdraw_kind(kind, current_user)
    flash(_("“%(name)s” is withdrawn: no one can get it now.", name=kind.name), "success")
    return redirect_to(url_for("points_admin.vouchers"))


@bp.route("/award", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def award():
    """Points by hand for a volunteer or resident of the admin's community, with a reason; the
    form's own key awards them once, however often it is sent."""
    community = _community()
    form = AwardForm(data={"key": uuid4().hex})
    if form.is_submitted():
        form.offer(awards.candidates(community.id, form.who.data or ""))
    if form.validate_on_submit():
        person, number = form.chosen, form.points.data
        try:
            awards.award(
                person, community.id, number, form.reason.data, form.key.data, current_user
            )
        except earning.NotForStaff:
            form.who.errors.append(
                _("%(name)s is staff: staff earn no points for their work.", name=person.name)
            )
        else:
            flash(
                ngettext(
                    "Awarded %(num)s point to %(name)s.",
                    "Awarded %(num)s points to %(name)s.",
                    number,
                    name=person.name,
                ),
                "success",
            )
            return redirect_to(url_for("points_admin.award"))
    return render_template(
        "points/admin/award.html",
        form=form,
        community=community,
        recent=awards.recent(community.id),
    ), status_for(form)


def _report():
    """The report form, and the month's report (this month by default) when the month is right."""
    community = _community()
    form = ReportForm(request.args)
    if not form.validate():
        return form, None
    month = form.month.data = form.month.data or community.today().replace(day=1)
    return form, monthly.month_report(community, month)


@bp.get("/report")
@roles_required(Role.ADMIN)
def report():
    form, found = _report()
    return render_template(
        "points/admin/report.html",
        form=form,
        report=found,
        lines=monthly.lines(found) if found else [],
    ), status_for(form)


@bp.get("/report.<any(csv, xlsx):kind>")
@roles_required(Role.ADMIN)
def report_download(kind: str):
    form, found = _report()
    if found is None:
        abort(REFUSED)
    header, rows = monthly.table(found)
    return spreadsheets.download(
        header, rows, f"points-{found.month:%Y-%m}.{kind}", _("Service points")
    )
