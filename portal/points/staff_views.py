"""Deeds staff record: volunteers' kitchen shifts (canteen staff), the helpers of an activity
(its organiser), and meal vouchers taken at the counter for walk-in meals."""

from flask import Blueprint, abort, flash, render_template, request, url_for
from flask_babel import format_date, get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from portal.accounts.access import roles_required
from portal.accounts.models import Role
from portal.activities import schedule
from portal.activities import seams as activity_seams
from portal.activities.models import Event
from portal.canteen import menus
from portal.canteen import seams as canteen_seams
from portal.canteen.labels import MEAL_KINDS
from portal.points import deeds, rules, vouchers
from portal.points.staff_forms import (
    DishForm,
    HelpersForm,
    ShiftForm,
    TakeVoucherForm,
    VoucherForm,
)
from portal.web.forms import REFUSED, status_for
from portal.web.htmx import redirect_to

bp = Blueprint("points_staff", __name__, url_prefix="/points/staff")

CANTEEN_STAFF = (Role.CANTEEN_STAFF, Role.ADMIN)
ORGANISERS = (Role.ORGANISER, Role.ADMIN)


def add_links() -> None:
    """Offer these pages from the canteen's kitchen sheet and the organiser's event page."""
    canteen_seams.add_kitchen_link(
        "points",
        _l("Record a volunteer's kitchen shift"),
        lambda place: url_for("points_staff.kitchen", canteen_id=place.id),
    )
    activity_seams.add_event_action(
        "points",
        _l("Credit the helpers"),
        lambda event: url_for("points_staff.helpers", event_id=event.id),
    )


def _canteen(canteen_id: int):
    """The canteen if the signed-in person manages it; 404 otherwise, as for a made-up id."""
    return menus.canteen_managed_by(current_user, canteen_id) or abort(404)


# Kitchen shifts ---------------------------------------------------------------------------------


def _kitchen_page(place, form: ShiftForm):
    return render_template(
        "points/staff/kitchen.html",
        place=place,
        form=form,
        shifts=deeds.recent_shifts(place),
        days=deeds.RECENT_SHIFT_DAYS,
    ), status_for(form)


@bp.route("/kitchen/<int:canteen_id>", methods=["GET", "POST"])
@roles_required(*CANTEEN_STAFF)
def kitchen(canteen_id: int):
    place = _canteen(canteen_id)
    helpers = deeds.volunteers(place.community_id)
    form = ShiftForm(helpers, day=place.community.today())
    if not form.validate_on_submit():
        return _kitchen_page(place, form)
    helper = next(person for person in helpers if person.id == form.helper.data)
    day, meal = form.day.data, form.meal.data
    words = {"name": helper.name, "meal": MEAL_KINDS[meal], "date": format_date(day, "long")}
    try:
        deeds.record_shift(helper, place, day, meal, form.minutes, current_user)
    except deeds.OutsideWindow:
        form.day.errors.append(
            _(
                "Enter a day in the last %(days)s days, today at the latest.",
                days=deeds.SHIFT_DAYS_BACK,
            )
        )
    except deeds.AlreadyRecorded:
        form.helper.errors.append(
            _("This shift is recorded already: %(name)s, %(meal)s, %(date)s.", **words)
        )
    except rules.NotForStaff:
        form.helper.errors.append(_("%(name)s is staff: shifts are part of their work.", **words))
    else:
        flash(_("Shift recorded: %(name)s, %(meal)s, %(date)s.", **words), "success")
        return redirect_to(url_for(".kitchen", canteen_id=place.id))
    return _kitchen_page(place, form)


# Helpers of an activity -------------------------------------------------------------------------


def _event(event_id: int) -> Event:
    """The event, if the signed-in person is its organiser or an admin of its community; 404
    when they organise no activity of its community, 403 when it is another organiser's."""
    event = schedule.organised(current_user, Event, event_id) or abort(404)
    if event.organiser_id != current_user.id and not current_user.administers(event.community_id):
        abort(403)
    return event


@bp.route("/activities/<int:event_id>/helpers", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
def helpers(event_id: int):
    """The volunteers who may have helped at the event, to credit in one go once it started."""
    event = _event(event_id)
    done = deeds.credited(event)
    candidates = [person for person in deeds.helper_candidates(event) if person not in done]
    form = HelpersForm(candidates)
    answer = 200
    if form.validate_on_submit():
        chosen = [person for person in candidates if person.id in form.helpers.data]
        try:
            number = deeds.credit_helpers(event, chosen, current_user)
        except deeds.EventCancelled:
            flash(
                _("This activity was cancelled, so nobody can be credited for helping at it."),
                "error",
            )
            answer = REFUSED
        except deeds.NotStarted:
            flash(_("You can credit the helpers once the activity has started."), "error")
            answer = REFUSED
        else:
            flash(
                ngettext("%(num)s helper credited.", "%(num)s helpers credited.", number), "success"
            )
            return redirect_to(url_for(".helpers", event_id=event.id))
    return render_template(
        "points/staff/helpers.html",
        event=event,
        form=form,
        done=done,
        started=deeds.has_started(event),
        points=rules.points_for(event.community_id, rules.Rule.ACTIVITY),
    ), max(answer, status_for(form))


# Meal vouchers at the counter -------------------------------------------------------------------


def _refusal(refused: deeds.VoucherRefused, reference: str) -> str:
    """Why the counter cannot take the voucher, in words."""
    voucher = refused.voucher
    if isinstance(refused, deeds.UnknownVoucher):
        return _(
            "There is no voucher %(reference)s in this community. Check the reference on the voucher.",
            reference=reference.upper(),
        )
    words = {"reference": voucher.reference, "kind": voucher.kind.name}
    if isinstance(refused, deeds.NotForMeals):
        return _("Voucher %(reference)s (%(kind)s) is not for meals.", **words)
    if isinstance(refused, deeds.VoucherUsed):
        return _("Voucher %(reference)s was used already.", **words)
    if isinstance(refused, deeds.NotValidYet):
        return _(
            "Voucher %(reference)s can be used from %(date)s.",
            date=format_date(voucher.kind.valid_from, "long"),
            **words,
        )
    return _(
        "Voucher %(reference)s ran out on %(date)s.",
        date=format_date(voucher.kind.valid_until, "long"),
        **words,
    )


def _dish_choices(meals) -> list[SelectChoice]:
    locale = str(get_locale())
    return [
        SelectChoice(dish.id, f"{MEAL_KINDS[meal.service.kind]} · {dish.name(locale)}")
        for meal in meals
        for dish in meal.dishes
    ]


def _voucher_page(place, form, voucher=None):
    """The counter's voucher page: the reference asked for, or the voucher and today's meals to
    choose from; below, the walk-in meals vouchers paid for today."""
    return render_template(
        "points/staff/counter.html",
        place=place,
        form=form,
        voucher=voucher,
        used=vouchers.counter_used(place, place.community.today()),
    ), status_for(form)


def _voucher(place, values) -> tuple:
    """The voucher that values name, and None; or None and the page that says why the counter
    cannot take it."""
    lookup = VoucherForm(values)
    if lookup.validate():
        try:
            return deeds.counter_voucher(place, lookup.reference.data), None
        except deeds.VoucherRefused as refused:
            lookup.reference.errors.append(_refusal(refused, lookup.reference.data))
    return None, _voucher_page(place, lookup)


def _chosen(place, values) -> tuple:
    """The voucher and today's dish that values name, and None; or None, None and the page that
    says what is wrong with them."""
    voucher, refused = _voucher(place, values)
    if refused:
        return None, None, refused
    meals = deeds.todays_meals(place)
    choose = DishForm(_dish_choices(meals), values)
    if not choose.validate():
        return None, None, _voucher_page(place, choose, voucher)
    dish = next(dish for meal in meals for dish in meal.dishes if dish.id == choose.dish.data)
    return voucher, dish, None


@bp.get("/counter/<int:canteen_id>/voucher")
@roles_required(*CANTEEN_STAFF)
def counter_voucher(canteen_id: int):
    """Ask for the voucher's reference; then show whose it is, and today's meals to choose from."""
    place = _canteen(canteen_id)
    if "reference" not in request.args:
        return _voucher_page(place, VoucherForm(formdata=None))
    voucher, refused = _voucher(place, request.args)
    if refused:
        return refused
    meals = deeds.todays_meals(place)
    choose = DishForm(_dish_choices(meals), formdata=None, reference=voucher.reference)
    return _voucher_page(place, choose, voucher)


@bp.get("/counter/<int:canteen_id>/voucher/check")
@roles_required(*CANTEEN_STAFF)
def counter_voucher_check(canteen_id: int):
    """Check the voucher and the meal chosen: what the voucher pays, and what is left to pay."""
    place = _canteen(canteen_id)
    voucher, dish, refused = _chosen(place, request.args)
    if refused:
        return refused
    price, covered = deeds.walk_in_price(voucher, place, dish)
    confirm = TakeVoucherForm(formdata=None, reference=voucher.reference, dish=dish.id)
    return render_template(
        "points/staff/counter_check.html",
        place=place,
        voucher=voucher,
        dish=dish,
        price=price,
        covered=covered,
        confirm=confirm,
    )


@bp.post("/counter/<int:canteen_id>/voucher/take")
@roles_required(*CANTEEN_STAFF)
def counter_voucher_take(canteen_id: int):
    """Take the voucher for the meal, as checked, and show the confirmation."""
    place = _canteen(canteen_id)
    if not TakeVoucherForm().validate():
        abort(400)
    voucher, dish, refused = _chosen(place, request.form)
    if refused:
        return refused
    try:
        vouchers.use_at_counter(voucher, place, dish, current_user)
    except vouchers.NotUsable:  # taken at another counter a moment ago
        lookup = VoucherForm(request.form)
        lookup.validate()
        lookup.reference.errors.append(_refusal(deeds.VoucherUsed(voucher), voucher.reference))
        return _voucher_page(place, lookup)
    return redirect_to(
        url_for(".counter_voucher_taken", canteen_id=place.id, voucher_id=voucher.id)
    )


@bp.get("/counter/<int:canteen_id>/vouchers/<int:voucher_id>")
@roles_required(*CANTEEN_STAFF)
def counter_voucher_taken(canteen_id: int, voucher_id: int):
    """The confirmation of a voucher taken at place's counter, with its reference."""
    place = _canteen(canteen_id)
    voucher = deeds.used_at(place, voucher_id) or abort(404)
    price, _covered = deeds.walk_in_price(voucher, place, voucher.dish)
    return render_template(
        "points/staff/counter_taken.html", place=place, voucher=voucher, price=price
    )
