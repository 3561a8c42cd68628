"""Booking a meal in three taps: choose the meal, choose the dish, confirm; and one's bookings."""

from datetime import date

from flask import Blueprint, abort, flash, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts import services as accounts
from portal.accounts.access import resident_acted_for, roles_required
from portal.accounts.labels import KINSHIP_LABELS
from portal.accounts.models import Role
from portal.canteen import seams
from portal.canteen import services as canteen
from portal.canteen.forms import PAY_WITH_MONEY, ConfirmBookingForm, StaffBookingForm
from portal.web.forms import REFUSED, status_for
from portal.web.htmx import redirect_to, render_page_or_fragment
from portal.web.templating import money

bp = Blueprint("canteen", __name__, url_prefix="/canteen")

EATERS = (Role.RESIDENT, Role.FAMILY)
# Grid workers and admins book for residents who ask them without a device, saying how they asked.
BOOKERS = (*EATERS, Role.GRID_WORKER, Role.ADMIN)


def _for_staff(resident) -> bool:
    """Whether the signed-in person books for resident as staff, not as themself or family."""
    return not accounts.may_act_for(current_user, resident)


def _meal_day(resident, meal_day_id: int):
    """A meal of the resident's own canteen; another canteen's id is treated as not found."""
    place = canteen.canteen_of(resident) or abort(404)
    meal_day = canteen.meal_with_menu(meal_day_id) or abort(404)
    if meal_day.service.canteen_id != place.id or not meal_day.published:
        abort(404)
    return place, meal_day


PANEL = "canteen-panel"  # the part of the booking pages that htmx swaps


def _chosen_day(meals) -> date | None:
    """The day asked for in ?day= when it has meals to book, else the first day that has."""
    days = sorted({meal_day.day for meal_day in meals})
    asked = request.args.get("day")
    if asked:
        try:
            day = date.fromisoformat(asked)
        except ValueError:
            day = None
        if day in days:
            return day
        flash(_("There is no menu for that day. Here is the first day with one."), "info")
    return days[0] if days else None


@bp.get("/residents/<int:resident_id>")
@roles_required(*BOOKERS)
def meals(resident_id: int):
    resident = resident_acted_for(resident_id, staff=True)
    place = canteen.canteen_of(resident)
    open_meals = canteen.open_meal_days(place, place.community.today()) if place else []
    chosen = _chosen_day(open_meals)
    return render_page_or_fragment(
        "canteen/meals.html",
        "canteen/_meals_panel.html",
        PANEL,
        resident=resident,
        place=place,
        days=sorted({meal_day.day for meal_day in open_meals}),
        chosen=chosen,
        meals=[meal_day for meal_day in open_meals if meal_day.day == chosen],
    )


@bp.get("/residents/<int:resident_id>/meals/<int:meal_day_id>")
@roles_required(*BOOKERS)
def menu(resident_id: int, meal_day_id: int):
    resident = resident_acted_for(resident_id, staff=True)
    place, meal_day = _meal_day(resident, meal_day_id)
    return render_template("canteen/menu.html", resident=resident, place=place, meal_day=meal_day)


def _payment_refused():
    """Back to the same check page, saying why: nothing was booked."""
    flash(_("That voucher cannot pay for this meal any more. Please choose again."), "error")
    return redirect_to(request.url)


@bp.route(
    "/residents/<int:resident_id>/meals/<int:meal_day_id>/dishes/<int:dish_id>",
    methods=["GET", "POST"],
)
@roles_required(*BOOKERS)
def check(resident_id: int, meal_day_id: int, dish_id: int):
    resident = resident_acted_for(resident_id, staff=True)
    place, meal_day = _meal_day(resident, meal_day_id)
    dish = next((d for d in meal_day.dishes if d.id == dish_id), None) or abort(404)
    staff = _for_staff(resident)
    form = StaffBookingForm() if staff else ConfirmBookingForm()
    price = place.price_for(resident, dish, meal_day.day)
    offers = {offer.key: offer for offer in seams.offers(resident, meal_day, price)}
    if offers:
        form.pay.choices = [
            *(
                (
                    key,
                    _(
                        "%(voucher)s %(reference)s: you pay %(price)s",
                        voucher=offer.name,
                        reference=offer.reference,
                        price=money(price - offer.covers_fen),
                    ),
                )
                for key, offer in offers.items()
            ),
            (PAY_WITH_MONEY, _("Money at the counter: %(price)s", price=money(price))),
        ]
        form.pay.default = next(iter(offers))
        if not form.is_submitted():
            form.pay.data = form.pay.default
    else:
        del form.pay
        if form.is_submitted() and request.form.get("pay", PAY_WITH_MONEY) != PAY_WITH_MONEY:
            # Chosen on a page shown before the voucher was used elsewhere or ran out.
            return _payment_refused()
    if form.validate_on_submit():
        paying = form.pay.data if offers else PAY_WITH_MONEY
        try:
            booking, _created = canteen.book(
                resident,
                dish,
                form.mode.data,
                current_user,
                channel=form.channel.data if staff else None,
                pay_with=None if paying == PAY_WITH_MONEY else paying,
            )
        except canteen.PaymentRefused:
            flash(
                _("That voucher cannot pay for this meal any more. Please choose again."), "error"
            )
            return redirect_to(request.url)
        except canteen.SoldOut as error:
            return render_template(
                "canteen/menu.html",
                resident=resident,
                place=place,
                meal_day=meal_day,
                sold_out=dish,
                alternatives=error.alternatives,
            ), REFUSED
        except canteen.PastCutoff as error:
            flash(
                _(
                    "Booking for this meal closed at %(time)s. Please call the canteen on %(phone)s.",
                    time=format_datetime(error.cutoff, "HH:mm"),
                    phone=place.phone or "",
                ),
                "error",
            )
            return redirect_to(url_for("canteen.meals", resident_id=resident.id))
        except canteen.NotOpen:
            flash(_("This meal cannot be booked now."), "error")
            return redirect_to(url_for("canteen.meals", resident_id=resident.id))
        return redirect_to(url_for("canteen.booked", booking_id=booking.id))
    chosen = offers.get(form.pay.data) if offers else None
    return render_page_or_fragment(
        "canteen/check.html",
        "canteen/_check_panel.html",
        PANEL,
        status_for(form),
        resident=resident,
        place=place,
        meal_day=meal_day,
        dish=dish,
        price=price,
        offers=offers,
        chosen=chosen,
        to_pay=price - chosen.covers_fen if chosen else price,
        form=form,
    )


def _own_booking(booking_id: int):
    """A booking of the signed-in person, of their linked parent, or of a resident they serve."""
    booking = canteen.get_booking(booking_id) or abort(404)
    if _for_staff(booking.resident) and not accounts.serves(current_user, booking.resident):
        abort(403)
    return booking


@bp.get("/bookings/<int:booking_id>")
@roles_required(*BOOKERS)
def booked(booking_id: int):
    booking = _own_booking(booking_id)
    place = booking.meal_day.service.canteen
    return render_template("canteen/booked.html", booking=booking, place=place)


@bp.get("/residents/<int:resident_id>/bookings")
@roles_required(*BOOKERS)
def bookings(resident_id: int):
    resident = resident_acted_for(resident_id, staff=True)
    upcoming, earlier = canteen.bookings_of(resident, resident.today())
    return render_template(
        "canteen/bookings.html",
        resident=resident,
        kin=accounts.kin_of(resident),
        kinships=KINSHIP_LABELS,
        upcoming=upcoming,
        earlier=earlier,
        place=canteen.canteen_of(resident),
    )


def _refuse_cancel(booking, error: Exception):
    """Say why booking cannot be cancelled, on the bookings page."""
    if isinstance(error, canteen.PastCutoff):
        phone = booking.meal_day.service.canteen.phone or ""
        flash(
            _(
                "It is too late to cancel online. Please call the canteen on %(phone)s.",
                phone=phone,
            ),
            "error",
        )
    else:
        flash(_("This booking was already cancelled."), "info")
    return redirect_to(url_for("canteen.bookings", resident_id=booking.resident_id))


@bp.route("/bookings/<int:booking_id>/cancel", methods=["GET", "POST"])
@roles_required(*BOOKERS)
def cancel(booking_id: int):
    """Ask before cancelling: a meal is not lost to one stray tap."""
    booking = _own_booking(booking_id)
    try:
        if request.method == "GET":
            canteen.check_cancel(booking, current_user)
            place = booking.meal_day.service.canteen
            return render_template("canteen/cancel.html", booking=booking, place=place)
        canteen.cancel(booking, current_user)
    except (canteen.PastCutoff, canteen.NotAllowed) as error:
        return _refuse_cancel(booking, error)
    flash(_("Your booking is cancelled."), "success")
    return redirect_to(url_for("canteen.bookings", resident_id=booking.resident_id))
