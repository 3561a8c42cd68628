"""Meal delivery for a resident, their family, or canteen staff on their behalf: the overview,
applying one question per page, then pausing, changing days and stopping."""

from datetime import date, timedelta

from babel.lists import format_list
from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts import services as accounts
from portal.accounts.access import roles_required
from portal.accounts.models import Role
from portal.canteen.labels import MEAL_KINDS
from portal.community.services import floor_of_room
from portal.delivery import forms, labels
from portal.delivery import rounds as delivery_rounds
from portal.delivery import services as deliveries
from portal.web.forms import status_for
from portal.web.htmx import redirect_to

bp = Blueprint("delivery", __name__, url_prefix="/delivery")

WHO = (Role.RESIDENT, Role.FAMILY, Role.CANTEEN_STAFF, Role.ADMIN)
STEPS = ("meals", "days", "start", "address", "diet", "phone")
DRAFT = "delivery_draft"  # in the session: {resident id: {step: answer}}


def listed(keys, words) -> str:
    """The words for keys, joined as the reader's language lists them: "Monday, Tuesday and
    Friday", "星期一、星期二和星期五"."""
    return format_list([str(words[key]) for key in keys], locale=get_locale())


def _resident(resident_id: int):
    """The resident, when the signed-in person may act for them here; aborts 404 or 403."""
    resident = accounts.get_person(resident_id)
    if resident is None or not resident.has_role(Role.RESIDENT):
        abort(404)
    if not deliveries.may_apply_for(current_user, resident):
        abort(403)
    return resident


def _enrolment(enrolment_id: int):
    enrolment = deliveries.get_enrolment(enrolment_id) or abort(404)
    _resident(enrolment.resident_id)
    return enrolment


def _render(template: str, resident, **context):
    """A delivery page: the kiosk layout for residents, the staff layout for staff acting on a
    resident's behalf, the remote layout for family."""
    return render_template(
        template,
        resident=resident,
        own=resident.id == current_user.id,
        on_behalf=_on_behalf(resident),
        **context,
    )


def _on_behalf(resident) -> bool:
    """True when staff, not the resident or their family, are acting."""
    return not accounts.may_act_for(current_user, resident)


def _to_overview(resident):
    return redirect_to(url_for(".overview", resident_id=resident.id))


@bp.get("/residents/<int:resident_id>")
@roles_required(*WHO)
def overview(resident_id: int):
    resident = _resident(resident_id)
    local_today = resident.today()
    reason, place = deliveries.eligibility(resident, local_today)
    enrolments = deliveries.enrolments_of(resident)
    covered = {kind for enrolment in enrolments if enrolment.is_open for kind in enrolment.meals}
    served = deliveries.served_meals(place) if reason is None else []
    uncovered = [kind for kind in served if kind not in covered]
    return _render(
        "delivery/overview.html",
        resident,
        reason=reason,
        place=place,
        enrolments=enrolments,
        coming=delivery_rounds.coming_deliveries(resident, local_today),
        local_today=local_today,
        may_apply=bool(uncovered),
        # With an application or deliveries already, a further one is for the other meal.
        uncovered=uncovered if covered else [],
    )


# Applying, one question per page ----------------------------------------------------------------


def _applying(resident_id: int):
    """The resident and their canteen; someone who cannot apply is sent to the overview, which
    says why."""
    resident = _resident(resident_id)
    reason, place = deliveries.eligibility(resident, resident.today())
    if reason:
        abort(_to_overview(resident))
    return resident, place


def _draft(resident) -> dict:
    return session.get(DRAFT, {}).get(str(resident.id), {})


def _keep(resident, draft: dict) -> None:
    session[DRAFT] = {**session.get(DRAFT, {}), str(resident.id): draft}


def _first_missing(draft: dict, before: int) -> str | None:
    return next((step for step in STEPS[:before] if step not in draft), None)


def _step_form(step: str, resident, place, draft: dict, **kwargs):
    """The form of step, holding the answer already given or what is known about the resident."""
    saved = draft.get(step)
    if step == "meals":
        held = {kind: e for e in deliveries.open_enrolments(resident) for kind in e.meals}
        return forms.MealsForm(deliveries.served_meals(place), held, saved, **kwargs)
    if step == "days":
        return forms.DaysForm(saved, **kwargs)
    if step == "start":
        return forms.StartForm(place.community.today(), draft.get("days", []), saved, **kwargs)
    if step == "address":
        implied = floor_of_room(resident.room)
        return forms.AddressForm(resident.building.has_lift, saved, implied, **kwargs)
    if step == "diet":
        return forms.DietForm(resident.diet_notes, saved, **kwargs)
    known = resident.phone or (None if _on_behalf(resident) else current_user.phone)
    return forms.PhoneForm(known, saved, **kwargs)


def _step_page(step: str, resident, place, form, from_check: bool = False):
    """The page of one question; after a problem found on the check page, it returns there."""
    changing = bool(request.args.get("change")) or from_check
    index = STEPS.index(step)
    if changing:
        back = url_for(".check", resident_id=resident.id)
    elif index:
        back = url_for(".apply", resident_id=resident.id, step=STEPS[index - 1])
    else:
        back = url_for(".overview", resident_id=resident.id)
    action = url_for(".apply", resident_id=resident.id, step=step, change=1 if changing else None)
    page = _render(
        f"delivery/apply_{step}.html",
        resident,
        place=place,
        form=form,
        number=index + 1,
        back=back,
        action=action,
    )
    return page, status_for(form)


@bp.route(
    "/residents/<int:resident_id>/apply/<any(meals, days, start, address, diet, phone):step>",
    methods=["GET", "POST"],
)
@roles_required(*WHO)
def apply(resident_id: int, step: str):
    resident, place = _applying(resident_id)
    draft = _draft(resident)
    missing = _first_missing(draft, STEPS.index(step))
    if missing:
        return redirect(url_for(".apply", resident_id=resident.id, step=missing))
    form = _step_form(step, resident, place, draft)
    if form.validate_on_submit():
        _keep(resident, {**draft, step: form.answer()})
        following = STEPS.index(step) + 1
        if request.args.get("change") or following == len(STEPS):
            return redirect_to(url_for(".check", resident_id=resident.id))
        return redirect_to(url_for(".apply", resident_id=resident.id, step=STEPS[following]))
    return _step_page(step, resident, place, form)


def _application(draft: dict) -> deliveries.Application:
    address, diet = draft["address"], draft["diet"]
    return deliveries.Application(
        lunch="lunch" in draft["meals"],
        dinner="dinner" in draft["meals"],
        weekdays=draft["days"],
        start_day=date.fromisoformat(draft["start"]),
        floor=address["floor"],
        has_lift=address["has_lift"],
        access_notes=address["access_notes"],
        diet_tags=diet["tags"],
        diet_notes=diet["notes"],
        contact_phone=draft["phone"],
    )


def _problem(error: deliveries.DeliveryError, draft: dict) -> tuple[str, str]:
    """The step an application's problem belongs to, and what to tell the applicant."""
    if isinstance(error, deliveries.AlreadyEnrolled):
        return "meals", forms.already_enrolled(error.kind, error.enrolment)
    if isinstance(error, deliveries.NoSuchMeal):
        return "meals", _(
            "The canteen does not bring %(meal)s. Please choose another meal.",
            meal=str(MEAL_KINDS.get(error.kind, error.kind)).lower(),
        )
    if isinstance(error, deliveries.NoWeekdays):
        return "days", _("Choose at least one day of the week.")
    if isinstance(error, deliveries.StartInPast):
        return "start", _("That day has passed. Please choose a day from tomorrow on.")
    if isinstance(error, deliveries.StartNotOnADay):
        return "start", forms.not_on_a_day(draft.get("days", []))
    if isinstance(error, deliveries.StartTooFar):
        return "start", _(
            "Please choose a day in the next %(days)s days.", days=deliveries.START_MAX_DAYS
        )
    return "meals", _("Choose at least one meal.")


@bp.route("/residents/<int:resident_id>/apply/check", methods=["GET", "POST"])
@roles_required(*WHO)
def check(resident_id: int):
    resident, place = _applying(resident_id)
    draft = _draft(resident)
    missing = _first_missing(draft, len(STEPS))
    if missing and request.method == "POST" and "applied" in draft:
        # Sent twice: the first one was recorded, and the answers were cleared.
        return redirect_to(_applied_url(resident, draft["applied"]))
    if missing:
        return redirect(url_for(".apply", resident_id=resident.id, step=missing))
    if request.method == "POST":
        return _send(resident, place, draft)
    answers = _application(draft)
    return _render(
        "delivery/check.html",
        resident,
        place=place,
        answers=answers,
        meals=draft["meals"],
        price=labels.price_words(deliveries.price_tier(place, resident, answers.start_day)),
    )


def _send(resident, place, draft: dict):
    """Apply; on a problem, show the question it belongs to with the problem at its answer."""
    try:
        enrolment, _created = deliveries.apply(resident, current_user, _application(draft))
    except deliveries.NotAllowed:
        abort(403)
    except deliveries.Ineligible:
        return _to_overview(resident)
    except deliveries.DeliveryError as error:
        step, message = _problem(error, draft)
        form = _step_form(step, resident, place, draft, formdata=None)
        form[form.question].errors = [message]
        return _step_page(step, resident, place, form, from_check=True)
    _keep(resident, {"applied": enrolment.id})
    return redirect_to(_applied_url(resident, enrolment.id))


def _applied_url(resident, enrolment_id: int) -> str:
    return url_for(".applied", resident_id=resident.id, enrolment_id=enrolment_id)


@bp.get("/residents/<int:resident_id>/enrolments/<int:enrolment_id>/applied")
@roles_required(*WHO)
def applied(resident_id: int, enrolment_id: int):
    resident = _resident(resident_id)
    enrolment = deliveries.get_enrolment(enrolment_id)
    if enrolment is None or enrolment.resident_id != resident.id:
        abort(404)
    return _render("delivery/applied.html", resident, enrolment=enrolment)


# Living with it ---------------------------------------------------------------------------------


def _day(day: date) -> str:
    return format_date(day, "full")


@bp.route("/enrolments/<int:enrolment_id>/pause", methods=["GET", "POST"])
@roles_required(*WHO)
def pause(enrolment_id: int):
    enrolment = _enrolment(enrolment_id)
    form = forms.PauseForm()
    if form.validate_on_submit():
        first, last = form.first_day.data, form.last_day.data
        try:
            deliveries.pause(enrolment, current_user, first, last)
        except deliveries.NotActive:
            flash(_("Meals can be paused once the canteen has approved the delivery."), "error")
            return _to_overview(enrolment.resident)
        except (
            deliveries.StartInPast,
            deliveries.PauseEndsBeforeStart,
            deliveries.PauseTooLong,
            deliveries.PauseOverlaps,
        ) as error:
            field, message = _pause_problem(form, error)
            field.errors.append(message)
        else:
            flash(
                _(
                    "No meals will come from %(first)s to %(last)s. They start again on %(next)s.",
                    first=_day(first),
                    last=_day(last),
                    next=_day(last + timedelta(days=1)),
                ),
                "success",
            )
            return _to_overview(enrolment.resident)
    return _render(
        "delivery/pause.html", enrolment.resident, enrolment=enrolment, form=form
    ), status_for(form)


def _pause_problem(form, error: deliveries.DeliveryError):
    if isinstance(error, deliveries.StartInPast):
        return form.first_day, _("That day has passed. Please choose a day from today on.")
    if isinstance(error, deliveries.PauseEndsBeforeStart):
        return form.last_day, _("The last day must be the same as the first day or after it.")
    if isinstance(error, deliveries.PauseTooLong):
        return form.last_day, _(
            "A pause can last a year at most. To end the deliveries, stop them instead."
        )
    return form.first_day, _(
        "There is already a pause from %(first)s to %(last)s. "
        "Choose other days, or resume that pause first.",
        first=_day(error.pause.first_day),
        last=_day(error.pause.last_day),
    )


@bp.post("/pauses/<int:pause_id>/end")
@roles_required(*WHO)
def end_pause(pause_id: int):
    paused = deliveries.get_pause(pause_id) or abort(404)
    enrolment = _enrolment(paused.enrolment_id)
    deliveries.end_pause(paused, current_user)
    flash(_("Deliveries start again with the next meal that can still be booked."), "success")
    return _to_overview(enrolment.resident)


@bp.route("/enrolments/<int:enrolment_id>/days", methods=["GET", "POST"])
@roles_required(*WHO)
def days(enrolment_id: int):
    enrolment = _enrolment(enrolment_id)
    form = forms.DaysForm(enrolment.weekday_list)
    if form.validate_on_submit():
        try:
            deliveries.change_days(enrolment, current_user, form.answer())
        except deliveries.NotActive:
            flash(_("These deliveries have ended, so their days cannot change."), "error")
        else:
            chosen = listed(enrolment.weekday_list, labels.WEEKDAYS)
            flash(_("Meals will come on %(days)s.", days=chosen), "success")
        return _to_overview(enrolment.resident)
    return _render(
        "delivery/days.html", enrolment.resident, enrolment=enrolment, form=form
    ), status_for(form)


@bp.route("/enrolments/<int:enrolment_id>/stop", methods=["GET", "POST"])
@roles_required(*WHO)
def stop(enrolment_id: int):
    enrolment = _enrolment(enrolment_id)
    if request.method == "POST":
        was_applied = enrolment.status == "applied"
        try:
            deliveries.stop(enrolment, current_user)
        except deliveries.NotActive:
            flash(_("These deliveries had already ended."), "info")
        else:
            flash(
                _("The application is withdrawn.")
                if was_applied
                else _("Meal delivery has stopped. A meal whose booking has closed still comes."),
                "success",
            )
        return _to_overview(enrolment.resident)
    return _render("delivery/stop.html", enrolment.resident, enrolment=enrolment)
