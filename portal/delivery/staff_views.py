"""Canteen staff's meal delivery: applications to decide, enrolments, the day's rounds and the
printable round sheet."""

from datetime import date, timedelta

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts import services as accounts
from portal.accounts.access import roles_required
from portal.accounts.models import Role
from portal.canteen import menus
from portal.canteen import services as canteen
from portal.delivery import labels
from portal.delivery import rounds as delivery_rounds
from portal.delivery import services as delivery
from portal.delivery.models import EnrolmentStatus
from portal.delivery.staff_forms import ApproveForm, DeclineForm, ResidentLookupForm
from portal.web.converters import parse_day, parse_id
from portal.web.forms import status_for
from portal.web.htmx import polled_page_or_fragment, redirect_to

bp = Blueprint("delivery_staff", __name__, url_prefix="/delivery/staff")

STAFF = (Role.CANTEEN_STAFF, Role.ADMIN)


def _managed_canteen(canteen_id: int):
    return menus.canteen_managed_by(current_user, canteen_id) or abort(404)


# Applications and enrolments -------------------------------------------------------------------


@bp.get("/")
@roles_required(*STAFF)
def home():
    places = menus.managed_canteens(current_user)
    if not places:
        return render_template("delivery/staff/no_canteen.html")
    return redirect(url_for(".index", canteen_id=places[0].id))


def _index_page(place, form: ResidentLookupForm):
    return render_template(
        "delivery/staff/index.html",
        place=place,
        places=menus.managed_canteens(current_user),
        waiting=delivery.applications(place, EnrolmentStatus.APPLIED),
        active=delivery.applications(place, EnrolmentStatus.ACTIVE),
        day=place.community.today(),
        form=form,
    ), status_for(form)


@bp.get("/canteens/<int:canteen_id>")
@roles_required(*STAFF)
def index(canteen_id: int):
    return _index_page(_managed_canteen(canteen_id), ResidentLookupForm(formdata=None))


@bp.post("/canteens/<int:canteen_id>/apply-for")
@roles_required(*STAFF)
def apply_for(canteen_id: int):
    place = _managed_canteen(canteen_id)
    form = ResidentLookupForm()
    if form.validate_on_submit():
        resident = accounts.resident_by_code(form.code.data)
        if resident is not None and delivery.may_apply_for(current_user, resident):
            return redirect_to(url_for("delivery.apply", resident_id=resident.id, step="meals"))
        form.code.errors.append(
            _(
                "No resident you look after has the code %(code)s. Check the code on their card.",
                code=form.code.data.strip(),
            )
        )
    return _index_page(place, form)


def _enrolment(enrolment_id: int):
    """The enrolment, if the signed-in person manages its canteen; 404 or 403 otherwise."""
    found = delivery.get_enrolment(enrolment_id) or abort(404)
    if not menus.may_manage(current_user, found.canteen):
        abort(403)
    return found


def _first_day(enrolment, today: date) -> date:
    """The first day of deliveries: as approved, else as asked, or tomorrow once that has passed."""
    if enrolment.status == EnrolmentStatus.APPLIED and enrolment.start_day < today:
        return today + timedelta(days=1)
    return enrolment.start_day


def _enrolment_page(enrolment, approve_form=None, decline_form=None):
    start = _first_day(enrolment, enrolment.canteen.community.today())
    return render_template(
        "delivery/staff/enrolment.html",
        enrolment=enrolment,
        start=start,
        tier=delivery.price_tier(enrolment.canteen, enrolment.resident, start),
        min_age=delivery.MIN_AGE,
        approve_form=approve_form or ApproveForm(formdata=None, start_day=start),
        decline_form=decline_form or DeclineForm(formdata=None),
        form=approve_form or decline_form,
    ), status_for(approve_form, decline_form)


@bp.get("/enrolments/<int:enrolment_id>")
@roles_required(*STAFF)
def enrolment(enrolment_id: int):
    return _enrolment_page(_enrolment(enrolment_id))


def _already_decided(enrolment):
    flash(
        _(
            "This application was already decided: %(status)s. Nothing was changed.",
            status=labels.STATUSES[enrolment.status],
        ),
        "error",
    )
    return redirect_to(url_for(".enrolment", enrolment_id=enrolment.id))


@bp.post("/enrolments/<int:enrolment_id>/approve")
@roles_required(*STAFF)
def approve(enrolment_id: int):
    enrolment = _enrolment(enrolment_id)
    form = ApproveForm()
    if form.validate_on_submit():
        try:
            delivery.approve(enrolment, current_user, form.start_day.data)
        except delivery.AlreadyDecided:
            return _already_decided(enrolment)
        except delivery.StartInPast:
            form.start_day.errors.append(_("The first delivery cannot be before today."))
        except delivery.StartTooFar:
            form.start_day.errors.append(
                _(
                    "The first delivery must be within %(days)s days from today.",
                    days=delivery.START_MAX_DAYS,
                )
            )
        else:
            flash(
                _(
                    "Approved: meals for %(name)s start on %(day)s. They and their family have been told.",
                    name=enrolment.resident.name,
                    day=format_date(enrolment.start_day, "full"),
                ),
                "success",
            )
            return redirect_to(url_for(".index", canteen_id=enrolment.canteen_id))
    return _enrolment_page(enrolment, approve_form=form)


@bp.post("/enrolments/<int:enrolment_id>/decline")
@roles_required(*STAFF)
def decline(enrolment_id: int):
    enrolment = _enrolment(enrolment_id)
    form = DeclineForm()
    if form.validate_on_submit():
        try:
            delivery.decline(enrolment, current_user, form.reason.data, form.note.data or "")
        except delivery.AlreadyDecided:
            return _already_decided(enrolment)
        except delivery.UnknownReason:
            form.reason.errors.append(_("Choose one of the reasons listed."))
        else:
            flash(
                _(
                    "Declined. %(name)s and their family have been told why.",
                    name=enrolment.resident.name,
                ),
                "success",
            )
            return redirect_to(url_for(".index", canteen_id=enrolment.canteen_id))
    return _enrolment_page(enrolment, decline_form=form)


# The day's rounds and the round sheet -------------------------------------------------------


def _day_asked() -> date | None:
    """The day in ?day=, or None for today; a day that is not a date is said so and dropped."""
    asked = request.args.get("day", "")
    if not asked:
        return None
    day = parse_day(asked)
    if day is None:
        flash(_("“%(day)s” is not a date like 2026-03-01, so today is shown.", day=asked), "error")
    return day


@bp.get("/canteens/<int:canteen_id>/rounds")
@roles_required(*STAFF)
def rounds(canteen_id: int):
    place, day, version = delivery_rounds.managed_rounds(current_user, canteen_id, _day_asked())
    if place is None:
        abort(404)

    def context():
        meals = delivery_rounds.meals_of_day(place, day)
        return {
            "place": place,
            "day": day,
            "is_today": day == place.community.today(),
            "day_before": day - timedelta(days=1),
            "day_after": day + timedelta(days=1),
            "meals": meals,
            "progress": delivery_rounds.progress(meals),
            "shortfall": delivery_rounds.shortfall(meals),
        }

    return polled_page_or_fragment(
        f"{version}-{day}",
        "delivery/staff/rounds.html",
        "delivery/staff/_progress.html",
        "progress",
        context,
    )


@bp.get("/meals/<int:meal_day_id>/sheet")
@roles_required(*STAFF)
def sheet(meal_day_id: int):
    meal_day = canteen.get_meal_day(meal_day_id) or abort(404)
    place = _managed_canteen(meal_day.service.canteen_id)
    only = None
    if "round" in request.args:
        round_id = parse_id(request.args["round"])
        only = delivery_rounds.get_round(round_id) if round_id else None
        if only is None or only.meal_day_id != meal_day.id:
            abort(404)
    drops = delivery_rounds.drops_of(meal_day, [only.id] if only else None)
    return render_template(
        "delivery/staff/sheet.html",
        place=place,
        meal_day=meal_day,
        only=only,
        count=len(drops),
        groups=delivery_rounds.sheet(drops),
    )
