"""Kitchen and counter: what to cook for a date, and marking bookings served at the counter."""

from datetime import timedelta

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.access import roles_required
from portal.canteen import seams
from portal.canteen import services as canteen
from portal.canteen.kitchen_forms import CounterSearchForm, DayForm
from portal.canteen.models import BookingStatus
from portal.canteen.staff_views import STAFF, managed_canteen
from portal.web.forms import REFUSED
from portal.web.htmx import is_htmx, redirect_to, render_page_or_fragment

bp = Blueprint("canteen_kitchen", __name__, url_prefix="/canteen/staff")

MARKS = (BookingStatus.SERVED, BookingStatus.NO_SHOW)


def _days(place, form: DayForm) -> dict:
    """The day the form asks for (today at place when it asks for none), its neighbours, and
    whether it is today; the form's field is set to it."""
    today = place.community.today()
    day = form.day.data = form.day.data or today
    return {
        "day": day,
        "is_today": day == today,
        "day_before": day - timedelta(days=1),
        "day_after": day + timedelta(days=1),
    }


@bp.get("/<int:canteen_id>/kitchen")
@roles_required(*STAFF)
def kitchen(canteen_id: int):
    place = managed_canteen(canteen_id)
    form = DayForm(request.args)
    if not form.validate():
        return render_template("canteen/kitchen/kitchen.html", place=place, form=form), REFUSED
    days = _days(place, form)
    meals = canteen.kitchen_counts(place, days["day"])
    return render_template(
        "canteen/kitchen/kitchen.html",
        place=place,
        form=form,
        meals=meals,
        notes=canteen.diet_notes(place, days["day"]),
        warnings=seams.kitchen_warnings([meal["meal_day"] for meal in meals]),
        vouchers=any(meal["paid_with"] for meal in meals),
        links=seams.kitchen_links(place),
        **days,
    )


@bp.get("/<int:canteen_id>/kitchen.csv")
@roles_required(*STAFF)
def kitchen_csv(canteen_id: int):
    place = managed_canteen(canteen_id)
    form = DayForm(request.args)
    if not form.validate():
        abort(REFUSED)
    day = _days(place, form)["day"]
    body = canteen.kitchen_csv(canteen.kitchen_counts(place, day), day, str(get_locale()))
    response = make_response(body)
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f"attachment; filename=kitchen-{day.isoformat()}.csv"
    return response


def _counter(place, form: CounterSearchForm) -> dict:
    """What the counter shows for the form's day and search."""
    days = _days(place, form)
    search = form.q.data or ""
    return {
        "place": place,
        "form": form,
        "search": search,
        "groups": canteen.counter_bookings(place, days["day"], search),
        "totals": canteen.counter_totals(place, days["day"]),
        "paid_with": canteen.counter_paid_with(place, days["day"]),
        "links": seams.counter_links(place),
        **days,
    }


@bp.get("/<int:canteen_id>/counter")
@roles_required(*STAFF)
def counter(canteen_id: int):
    place = managed_canteen(canteen_id)
    form = CounterSearchForm(request.args)
    if not form.validate():
        return render_template("canteen/kitchen/counter.html", place=place, form=form), REFUSED
    return render_template("canteen/kitchen/counter.html", **_counter(place, form))


def _marked(booking) -> str:
    """What the counter hears after a booking is marked: "Served: Wang Guilan, B000123"."""
    who = {"name": booking.resident.name, "reference": booking.reference}
    if booking.status == BookingStatus.SERVED:
        return _("Served: %(name)s, %(reference)s", **who)
    return _("Not collected: %(name)s, %(reference)s", **who)


@bp.post("/<int:canteen_id>/counter/bookings/<int:booking_id>/mark")
@roles_required(*STAFF)
def mark(canteen_id: int, booking_id: int):
    place = managed_canteen(canteen_id)
    booking = canteen.counter_booking(place, booking_id) or abort(404)
    status = request.form.get("status", "")
    if status not in MARKS:
        abort(400)
    answer = 200
    try:
        canteen.mark(booking, current_user, status)
    except canteen.NotAllowed:
        flash(
            _(
                "Booking %(reference)s was cancelled, so it cannot be marked.",
                reference=booking.reference,
            ),
            "error",
        )
        answer = REFUSED
    except canteen.OnARound:
        flash(
            _(
                "Booking %(reference)s is delivered: the volunteer marks it on the round.",
                reference=booking.reference,
            ),
            "error",
        )
        answer = REFUSED
    else:
        flash(_marked(booking), "success")
    day, search = booking.meal_day.day, request.form.get("q", "")
    if not is_htmx():
        back = url_for(".counter", canteen_id=place.id, day=day.isoformat(), q=search or None)
        return redirect_to(back)
    form = CounterSearchForm(formdata=None, day=day, q=search)
    return render_page_or_fragment(
        "canteen/kitchen/counter.html",
        "canteen/kitchen/_marked.html",
        f"booking-{booking.id}",
        answer,
        booking=booking,
        **_counter(place, form),
    )
