"""Administration pages: residents (the list, a profile, a new PIN), partners and the audit log."""

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
from flask_babel import format_date, ngettext, pgettext
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from portal.accounts import profile
from portal.accounts import services as accounts
from portal.accounts.access import roles_required
from portal.accounts.labels import KINSHIP_LABELS, LEAVINGS
from portal.accounts.models import Role
from portal.administration import audit_words, residents, retention, staff
from portal.administration import services as administration
from portal.administration.forms import (
    ActForForm,
    AuditFilterForm,
    LeavingForm,
    PartnerForm,
    ResidentForm,
    ResidentSearchForm,
    RetentionForm,
    ServedForm,
)
from portal.administration.labels import PARTNER_KINDS
from portal.administration.services import AuditFilters
from portal.administration.staff_forms import PartnerPersonForm
from portal.administration.staff_views import code_page
from portal.community import services as community
from portal.web.forms import REFUSED, status_for
from portal.web.htmx import redirect_to

bp = Blueprint("administration", __name__, url_prefix="/admin")


@bp.route("/partners", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def partners():
    form = PartnerForm()
    if form.validate_on_submit():
        partner = administration.add_partner(
            current_user, form.name.data, form.phone.data, form.kind.data
        )
        flash(_("%(name)s has been added.", name=partner.name), "success")
        return redirect_to(url_for("administration.partners"))
    listed = community.partners_of(current_user.community_id)
    return render_template(
        "administration/partners.html", form=form, partners=listed, kinds=PARTNER_KINDS
    ), status_for(form)


def _partner(partner_id: int):
    return administration.partner_of(current_user, partner_id) or abort(404)


def _served_form(partner, formdata=None) -> ServedForm:
    form = ServedForm(formdata=formdata, communities=[c.id for c in partner.also_serves])
    form.communities.choices = [
        SelectChoice(c.id, c.name) for c in administration.other_communities(partner)
    ]
    return form


def _partner_page(partner, form: PartnerPersonForm | None = None, served: ServedForm | None = None):
    form = form or PartnerPersonForm(formdata=None)
    served = served or _served_form(partner)
    return render_template(
        "administration/partner.html",
        partner=partner,
        people=staff.people_of(partner),
        form=form,
        served=served,
    ), status_for(form, served)


@bp.get("/partners/<int:partner_id>")
@roles_required(Role.ADMIN)
def partner(partner_id: int):
    """A partner and the people who act for it, who see the requests handed to it."""
    return _partner_page(_partner(partner_id))


@bp.post("/partners/<int:partner_id>/communities")
@roles_required(Role.ADMIN)
def partner_communities(partner_id: int):
    """The other communities of the street the partner serves."""
    found = _partner(partner_id)
    form = _served_form(found, request.form)
    if form.validate():
        administration.set_served(current_user, found, set(form.communities.data or ()))
        flash(_("Saved: %(name)s serves these communities.", name=found.name), "success")
        return redirect_to(url_for("administration.partner", partner_id=partner_id))
    return _partner_page(found, served=form)


@bp.post("/partners/<int:partner_id>/people")
@roles_required(Role.ADMIN)
def add_partner_person(partner_id: int):
    """A new account for someone of the partner; its one-time code is shown once."""
    found = _partner(partner_id)
    form = PartnerPersonForm()
    if form.validate():
        try:
            person, code = staff.add_partner_person(
                current_user, found, form.name.data, form.normalised_phone()
            )
        except staff.PhoneTaken:
            form.phone.errors.append(_("This mobile number has an account already."))
        else:
            return code_page(person, code)
    return _partner_page(found, form)


def _audit_filters() -> tuple[AuditFilterForm, list, AuditFilters | None]:
    """The audit log's filter form as sent, the people it names, and the filters to apply (None
    when the form is refused or names nobody)."""
    form = AuditFilterForm(request.args)
    if request.args and not form.validate():
        return form, [], None
    found = form.person.data
    people = administration.find_people(current_user, found) if found else []
    if found and not people:
        return form, people, None
    return (
        form,
        people,
        AuditFilters(
            person_ids=[p.id for p in people] or None,
            start=form.start.data,
            end=form.end.data,
            zone=current_app.config["BABEL_DEFAULT_TIMEZONE"],
            area=form.area.data or None,
        ),
    )


@bp.get("/audit/")
@roles_required(Role.ADMIN)
def audit_log():
    form, people, filters = _audit_filters()
    entries = None
    if filters is not None:
        entries = administration.search(
            current_user, filters, page=request.args.get("page", 1, type=int)
        )
    filtered = {name: value for name, value in request.args.items() if name != "page"}
    return render_template(
        "administration/audit_log.html",
        form=form,
        entries=entries,
        people=people,
        audit_words=audit_words,
        csv_url=url_for("administration.audit_csv", **filtered),
    ), status_for(form)


@bp.get("/audit/entries.csv")
@roles_required(Role.ADMIN)
def audit_csv():
    """The entries the log shows with the same filters, every page, for a spreadsheet."""
    form, _people, filters = _audit_filters()
    if form.errors:
        abort(REFUSED)
    entries = administration.export(current_user, filters) if filters else []
    response = make_response(audit_words.to_csv(entries))
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = "attachment; filename=audit-log.csv"
    return response


@bp.get("/residents/")
@roles_required(Role.ADMIN)
def resident_list():
    """The residents of the communities the admin runs: found, narrowed and a page at a time."""
    grids = residents.grids_of(current_user)
    several = len({grid.community_id for grid in grids}) > 1
    names = [(g.id, f"{g.community.name} · {g.name}" if several else g.name) for g in grids]
    form = ResidentSearchForm(names, request.args)
    found = None
    if form.validate():
        found = residents.find(
            current_user, form.filters(), page=request.args.get("page", 1, type=int)
        )
    filtered = {name: value for name, value in request.args.items() if name != "page"}
    return render_template(
        "administration/residents.html",
        form=form,
        found=found,
        several=several,
        filtered=filtered,
    ), status_for(form)


def _refused(form: ResidentForm, error: residents.ResidentError) -> None:
    """Put a rule the service refused by next to the field it is about."""
    if isinstance(error, residents.PhoneTaken):
        form.phone.errors.append(_("This mobile number belongs to another account."))
    elif isinstance(error, residents.AlreadyEnrolled):
        form.name.errors.append(
            _(
                "%(name)s, born on that day, is already enrolled: resident code %(code)s.",
                name=error.resident.name,
                code=error.resident.resident_code,
            )
        )
    elif isinstance(error, residents.ReasonNeeded):
        form.care_colour_reason.errors.append(_("Say why the care colour changes."))
    else:
        form.building.errors.append(_("Choose the building the resident lives in."))


@bp.route("/residents/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def resident_new():
    """Enrol a resident: they get a resident code; a PIN is issued apart, on a slip."""
    form = ResidentForm(residents.buildings_of(current_user), None)
    if form.validate_on_submit():
        try:
            enrolled = residents.enrol(current_user, form.details())
        except residents.ResidentError as error:
            _refused(form, error)
        else:
            flash(
                _(
                    "%(name)s is enrolled with resident code %(code)s. Issue a PIN so they can "
                    "sign in at the kiosk.",
                    name=enrolled.name,
                    code=enrolled.resident_code,
                ),
                "success",
            )
            return redirect_to(url_for("administration.resident", resident_id=enrolled.id))
    return render_template(
        "administration/resident_form.html", form=form, resident=None
    ), status_for(form)


@bp.route("/residents/<int:resident_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def resident_edit(resident_id: int):
    """Change what is recorded of a resident; each change is audited as old → new."""
    found = _resident(resident_id)
    form = ResidentForm.of(found, residents.buildings_of(current_user))
    if form.validate_on_submit():
        try:
            changed = residents.change(current_user, found, form.details())
        except residents.ResidentError as error:
            _refused(form, error)
        else:
            flash(
                _("%(name)s's details are saved.", name=found.name)
                if changed
                else _("Nothing was changed."),
                "success",
            )
            return redirect_to(url_for("administration.resident", resident_id=found.id))
    return render_template(
        "administration/resident_form.html", form=form, resident=found
    ), status_for(form)


def _resident(resident_id: int):
    return residents.resident_of(current_user, resident_id) or abort(404)


@bp.get("/residents/act")
@roles_required(Role.GRID_WORKER, Role.ADMIN)
def act_for():
    """A grid worker or admin finds the resident who phoned, came in or was visited, and chooses
    what to do for them: each feature's page then asks how they asked."""
    form = ActForForm(request.args)
    found = None
    if request.args and form.validate():
        found = accounts.served_by_code(current_user, form.code.data)
        if found is None:
            form.code.errors.append(_("No resident you serve has this code."))
    return render_template(
        "administration/act_for.html", form=form, found=found, acts=profile.acts()
    ), status_for(form)


@bp.get("/residents/<int:resident_id>")
@roles_required(Role.ADMIN)
def resident(resident_id: int):
    """Everything about one resident, each part linking to its page; the reading is audited."""
    found = _resident(resident_id)
    return render_template(
        "administration/resident.html",
        profile=residents.profile(current_user, found),
        kinships=KINSHIP_LABELS,
        acts=profile.acts() if accounts.serves(current_user, found) else [],
    )


@bp.route("/residents/<int:resident_id>/pin", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def resident_pin(resident_id: int):
    """Ask, then issue a new PIN and show it once on a slip to print and hand over; not for a
    resident who moved out or died."""
    found = _resident(resident_id)
    if not found.active:
        abort(404)
    if request.method == "GET":
        return render_template("administration/pin_confirm.html", resident=found)
    pin = residents.issue_pin(current_user, found)
    response = make_response(
        render_template("administration/pin_slip.html", resident=found, pin=pin)
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _given_back_words(given_back: dict[str, int]) -> str:
    meals, deliveries, places = (
        given_back.get(what, 0) for what in ("meals", "deliveries", "places")
    )
    given = [
        words
        for count, words in (
            (meals, ngettext("%(num)s meal", "%(num)s meals", meals)),
            (deliveries, ngettext("%(num)s meal delivery", "%(num)s meal deliveries", deliveries)),
            (places, ngettext("%(num)s activity place", "%(num)s activity places", places)),
        )
        if count
    ]
    if not given:
        return _("Nothing was booked for them.")
    return _("Given back: %(things)s.", things=pgettext("between things listed", ", ").join(given))


@bp.route("/residents/<int:resident_id>/leaving", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def resident_leaving(resident_id: int):
    """Record that a resident moved out, went into hospital or died; what they held is given
    back and their family told."""
    found = _resident(resident_id)
    form = LeavingForm(data={"day": found.today()})
    if form.validate_on_submit():
        try:
            given_back = residents.record_leaving(
                current_user, found, form.reason.data, form.day.data
            )
        except residents.LeavingDayOutOfRange:
            form.day.errors.append(_("Enter a day from the past year, up to today."))
        except residents.AlreadyLeft:
            form.reason.errors.append(_("Their leaving is recorded already."))
        else:
            flash(
                _(
                    "Recorded: %(name)s · %(reason)s · %(day)s.",
                    name=found.name,
                    reason=LEAVINGS[found.left_reason],
                    day=format_date(found.left_on, "long"),
                )
                + " "
                + _given_back_words(given_back),
                "success",
            )
            return redirect_to(url_for("administration.resident", resident_id=found.id))
    return render_template("administration/leaving.html", form=form, resident=found), status_for(
        form
    )


@bp.post("/residents/<int:resident_id>/home")
@roles_required(Role.ADMIN)
def resident_home(resident_id: int):
    """Record that a resident in hospital is home again."""
    found = _resident(resident_id)
    try:
        residents.record_return(current_user, found)
    except residents.NotAway:
        flash(_("%(name)s is not recorded as in hospital.", name=found.name), "error")
    else:
        flash(_("Recorded: %(name)s is home again.", name=found.name), "success")
    return redirect_to(url_for("administration.resident", resident_id=found.id))


@bp.route("/retention", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def retention_settings():
    """How long each street office keeps residents who moved out or died: for the admins of
    every community (a street office's)."""
    offices = retention.street_offices_of(current_user)
    if not offices:
        abort(403)
    chosen = request.form.get("office", type=int) if request.method == "POST" else None
    forms = {
        office.id: RetentionForm(
            formdata=request.form if office.id == chosen else None,
            data={"months": office.retention_months},
            prefix=f"office-{office.id}",
        )
        for office in offices
    }
    for office in offices:
        form = forms[office.id]
        if office.id == chosen and form.validate():
            retention.set_retention(current_user, office, form.months.data)
            flash(
                _(
                    "%(office)s keeps residents who left for %(months)s months.",
                    office=office.name,
                    months=office.retention_months,
                ),
                "success",
            )
            return redirect_to(url_for("administration.retention_settings"))
    kept, due = retention.waiting(current_user)
    return render_template(
        "administration/retention.html", offices=offices, forms=forms, kept=kept, due=due
    ), status_for(*forms.values())
