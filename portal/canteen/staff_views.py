"""Canteen staff: set-up of canteens, meal services and price tiers, and the menu editor."""

from datetime import date, timedelta

from flask import Blueprint, abort, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from portal.accounts.access import roles_required
from portal.accounts.models import Role
from portal.canteen import menus, photos
from portal.canteen.labels import MEAL_KINDS
from portal.canteen.staff_forms import (
    DISCOUNT_FIXED,
    DISCOUNT_NONE,
    DISCOUNT_PERCENT,
    CanteenForm,
    CapacityForm,
    DishForm,
    ServiceForm,
)
from portal.web.converters import parse_day
from portal.web.errors import error_page
from portal.web.forms import status_for
from portal.web.htmx import redirect_to

bp = Blueprint("canteen_staff", __name__, url_prefix="/canteen/staff")

STAFF = (Role.CANTEEN_STAFF, Role.ADMIN)


def managed_canteen(canteen_id: int):
    """The canteen with canteen_id if the signed-in person manages it; 404 otherwise, so that
    nobody learns which other canteens there are."""
    return menus.canteen_managed_by(current_user, canteen_id) or abort(404)


@bp.errorhandler(RequestEntityTooLarge)
def _photo_too_large(_error):
    heading = _("That file is too large")
    message = _(
        "Photos can be at most %(megabytes)d MB. Go back and choose a smaller photo.",
        megabytes=photos.MAX_UPLOAD_BYTES // (1024 * 1024),
    )
    return error_page(heading, message), 413


# Canteens and services --------------------------------------------------------------------------


@bp.get("/")
@roles_required(*STAFF)
def index():
    return render_template(
        "canteen/staff/index.html", canteens=menus.managed_canteens(current_user)
    )


def _canteen_form(place=None) -> CanteenForm:
    form = CanteenForm(obj=place)
    form.community.choices = [(c.id, c.name) for c in menus.communities(current_user)]
    if place is not None and request.method == "GET":
        form.community.data = place.community_id
        form.percent.data = place.senior_discount_percent
        form.senior_price.data = place.senior_price_fen
        form.discount.data = (
            DISCOUNT_FIXED
            if place.senior_price_fen is not None
            else DISCOUNT_PERCENT
            if place.senior_discount_percent
            else DISCOUNT_NONE
        )
    return form


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new_canteen():
    form = _canteen_form()
    if form.validate_on_submit():
        place = menus.save_canteen(
            current_user,
            None,
            community_id=form.community.data,
            name=form.name.data.strip(),
            phone=(form.phone.data or "").strip() or None,
            **form.tiers(),
        )
        flash(_("The canteen is added. Now add its lunch and dinner."), "success")
        return redirect_to(url_for("canteen_staff.settings", canteen_id=place.id))
    return render_template("canteen/staff/canteen_form.html", form=form, place=None), status_for(
        form
    )


@bp.route("/<int:canteen_id>/settings", methods=["GET", "POST"])
@roles_required(*STAFF)
def settings(canteen_id: int):
    place = managed_canteen(canteen_id)
    form = _canteen_form(place)
    del form.community  # a canteen stays in its community
    if form.validate_on_submit():
        menus.save_canteen(
            current_user,
            place,
            name=form.name.data.strip(),
            phone=(form.phone.data or "").strip() or None,
            **form.tiers(),
        )
        flash(_("The canteen's details and prices are saved."), "success")
        return redirect_to(url_for("canteen_staff.settings", canteen_id=place.id))
    return render_template("canteen/staff/canteen_form.html", form=form, place=place), status_for(
        form
    )


def _service_page(place, service, form):
    if form.validate_on_submit():
        try:
            saved = menus.save_service(
                current_user,
                place,
                service,
                kind=form.kind.data,
                serving_start=form.serving_start.data,
                serving_end=form.serving_end.data,
                cutoff=form.cutoff.data,
                capacity=form.capacity.data,
            )
        except menus.ServiceTaken:
            form.kind.errors.append(_("This canteen already has that meal. Change it instead."))
        except menus.BadTimes:
            form.cutoff.errors.append(
                _(
                    "Serving must end after it starts, and booking must close by the time serving starts."
                )
            )
        else:
            flash(_("%(meal)s is saved.", meal=MEAL_KINDS[saved.kind]), "success")
            return redirect_to(url_for("canteen_staff.settings", canteen_id=place.id))
    return render_template(
        "canteen/staff/service_form.html", form=form, place=place, service=service
    ), status_for(form)


@bp.route("/<int:canteen_id>/services/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def new_service(canteen_id: int):
    place = managed_canteen(canteen_id)
    return _service_page(place, None, ServiceForm())


@bp.route("/<int:canteen_id>/services/<int:service_id>", methods=["GET", "POST"])
@roles_required(*STAFF)
def edit_service(canteen_id: int, service_id: int):
    place = managed_canteen(canteen_id)
    service = menus.get_service(place, service_id) or abort(404)
    return _service_page(place, service, ServiceForm(obj=service))


# Menus ------------------------------------------------------------------------------------------


def _week_param() -> date:
    """The Monday of the week asked for in ?week=, or of this week."""
    return menus.week_start(parse_day(request.args.get("week")) or current_user.today())


@bp.get("/<int:canteen_id>/menus")
@roles_required(*STAFF)
def week(canteen_id: int):
    place = managed_canteen(canteen_id)
    monday = _week_param()
    return render_template(
        "canteen/staff/week.html",
        place=place,
        monday=monday,
        week=menus.week_of_menus(place, monday),
        previous=monday - timedelta(days=7),
        following=monday + timedelta(days=7),
    )


@bp.post("/<int:canteen_id>/menus/<date:monday>/copy")
@roles_required(*STAFF)
def copy_week(canteen_id: int, monday: date):
    place = managed_canteen(canteen_id)
    monday = menus.week_start(monday)
    filled = menus.copy_last_week(current_user, place, monday)
    if filled:
        flash(
            ngettext(
                "Last week's dishes were copied into %(num)s meal. Check them, then publish.",
                "Last week's dishes were copied into %(num)s meals. Check them, then publish.",
                filled,
            ),
            "success",
        )
    else:
        flash(_("Nothing was copied: last week had no dishes for the meals still empty."), "info")
    return redirect_to(url_for("canteen_staff.week", canteen_id=place.id, week=monday.isoformat()))


@bp.post("/<int:canteen_id>/menus/<date:monday>/publish")
@roles_required(*STAFF)
def publish_week(canteen_id: int, monday: date):
    place = managed_canteen(canteen_id)
    monday = menus.week_start(monday)
    published = menus.publish_week(current_user, place, monday)
    flash(
        ngettext(
            "%(num)s meal is now shown to residents.",
            "%(num)s meals are now shown to residents.",
            published,
        ),
        "success",
    )
    return redirect_to(url_for("canteen_staff.week", canteen_id=place.id, week=monday.isoformat()))


def _service_and_day(canteen_id: int, service_id: int):
    place = managed_canteen(canteen_id)
    service = menus.get_service(place, service_id) or abort(404)
    return place, service


def _meal_page(place, service, day, *, dish_form=None, capacity_form=None):
    meal_day = menus.find_meal_day(service, day)
    capacity_form = capacity_form or CapacityForm(
        capacity=meal_day.capacity if meal_day else service.capacity
    )
    return render_template(
        "canteen/staff/meal.html",
        place=place,
        service=service,
        day=day,
        meal_day=meal_day,
        dish_form=dish_form or DishForm(),
        capacity_form=capacity_form,
    ), status_for(dish_form, capacity_form)


@bp.get("/<int:canteen_id>/services/<int:service_id>/<date:day>")
@roles_required(*STAFF)
def meal(canteen_id: int, service_id: int, day: date):
    place, service = _service_and_day(canteen_id, service_id)
    return _meal_page(place, service, day)


def _photo_of(form: DishForm, dish=None):
    """The photo the form asks for: a new upload, none when removed, else the dish's own.

    Returns (photo, ok); a refused upload puts its message on the form's photo field.
    """
    upload = form.photo.data
    if upload and getattr(upload, "filename", ""):
        try:
            return photos.prepare(upload.stream), True
        except photos.PhotoRejected as error:
            form.photo.errors = [str(error)]
            return None, False
    if form.remove_photo.data:
        return None, True
    return (dish.photo if dish else None), True


def _in_past(day: date) -> bool:
    return day < current_user.today()


@bp.post("/<int:canteen_id>/services/<int:service_id>/<date:day>/dishes")
@roles_required(*STAFF)
def add_dish(canteen_id: int, service_id: int, day: date):
    place, service = _service_and_day(canteen_id, service_id)
    form = DishForm()
    if _in_past(day):
        flash(_("That day has passed; its menu can no longer change."), "error")
        return redirect_to(
            url_for("canteen_staff.meal", canteen_id=place.id, service_id=service.id, day=day)
        )
    if form.validate_on_submit():
        photo, ok = _photo_of(form)
        if ok:
            dish = menus.add_dish(current_user, service, day, photo=photo, **form.values())
            flash(_("%(dish)s is on the menu.", dish=dish.name_zh_hans), "success")
            return redirect_to(
                url_for("canteen_staff.meal", canteen_id=place.id, service_id=service.id, day=day)
            )
    return _meal_page(place, service, day, dish_form=form)


@bp.post("/<int:canteen_id>/services/<int:service_id>/<date:day>/capacity")
@roles_required(*STAFF)
def capacity(canteen_id: int, service_id: int, day: date):
    place, service = _service_and_day(canteen_id, service_id)
    meal_day = menus.find_meal_day(service, day) or abort(404)
    form = CapacityForm()
    if form.validate_on_submit():
        try:
            menus.set_capacity(current_user, meal_day, form.capacity.data)
        except menus.BelowBooked as error:
            form.capacity.errors.append(
                ngettext(
                    "%(num)s portion is already booked; the capacity cannot be lower than that.",
                    "%(num)s portions are already booked; the capacity cannot be lower than that.",
                    error.booked,
                )
            )
        else:
            flash(_("The number of portions is saved."), "success")
            return redirect_to(
                url_for("canteen_staff.meal", canteen_id=place.id, service_id=service.id, day=day)
            )
    return _meal_page(place, service, day, capacity_form=form)


@bp.post("/<int:canteen_id>/services/<int:service_id>/<date:day>/publish")
@roles_required(*STAFF)
def publish(canteen_id: int, service_id: int, day: date):
    place, service = _service_and_day(canteen_id, service_id)
    meal_day = menus.find_meal_day(service, day) or abort(404)
    shown = request.form.get("published") == "1"
    try:
        menus.publish(current_user, meal_day, shown)
    except menus.NothingToPublish:
        flash(_("Add at least one dish before showing this meal to residents."), "error")
    else:
        flash(
            _("Residents can now see and book this meal.")
            if shown
            else _("This meal is hidden from residents. Bookings already made still stand."),
            "success",
        )
    return redirect_to(
        url_for("canteen_staff.meal", canteen_id=place.id, service_id=service.id, day=day)
    )


@bp.route("/<int:canteen_id>/dishes/<int:dish_id>", methods=["GET", "POST"])
@roles_required(*STAFF)
def edit_dish(canteen_id: int, dish_id: int):
    place = managed_canteen(canteen_id)
    dish = menus.get_dish(place, dish_id) or abort(404)
    form = DishForm(obj=dish)
    if request.method == "GET":
        form.price.data = dish.price_fen
        form.tags.data = dish.tag_list
    meal_day = dish.meal_day
    back = url_for(
        "canteen_staff.meal",
        canteen_id=place.id,
        service_id=meal_day.service_id,
        day=meal_day.day,
    )
    if request.method == "POST" and _in_past(meal_day.day):
        flash(_("That day has passed; its menu can no longer change."), "error")
        return redirect_to(back)
    if form.validate_on_submit():
        photo, ok = _photo_of(form, dish)
        if ok:
            try:
                menus.update_dish(current_user, dish, photo=photo, **form.values())
            except menus.BelowBooked as error:
                form.portions.errors.append(
                    ngettext(
                        "%(num)s portion is already booked; the number cannot be lower than that.",
                        "%(num)s portions are already booked; the number cannot be lower than that.",
                        error.booked,
                    )
                )
            else:
                flash(_("%(dish)s is saved.", dish=dish.name_zh_hans), "success")
                return redirect_to(back)
    return render_template(
        "canteen/staff/dish_form.html", place=place, dish=dish, form=form, back=back
    ), status_for(form)


@bp.post("/<int:canteen_id>/dishes/<int:dish_id>/remove")
@roles_required(*STAFF)
def remove_dish(canteen_id: int, dish_id: int):
    place = managed_canteen(canteen_id)
    dish = menus.get_dish(place, dish_id) or abort(404)
    meal_day = dish.meal_day
    try:
        menus.remove_dish(current_user, dish)
    except menus.DishBooked as error:
        flash(
            ngettext(
                "%(num)s resident has booked this dish, so it stays on the menu. Change it instead.",
                "%(num)s residents have booked this dish, so it stays on the menu. Change it instead.",
                error.booked,
            ),
            "error",
        )
    else:
        flash(_("The dish is taken off the menu."), "success")
    return redirect_to(
        url_for(
            "canteen_staff.meal",
            canteen_id=place.id,
            service_id=meal_day.service_id,
            day=meal_day.day,
        )
    )
