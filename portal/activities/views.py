"""What residents and their families see: today and this week, the week and month, joining."""

import re
from datetime import date, datetime, timedelta

from babel.dates import format_skeleton
from flask import Blueprint, abort, flash, g, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts import services as accounts
from portal.accounts.access import resident_acted_for, roles_required
from portal.accounts.labels import KINSHIP_LABELS
from portal.accounts.models import Role
from portal.activities import calendar, labels
from portal.activities import services as activities
from portal.activities.forms import JoinForm, StaffJoinForm
from portal.activities.models import CHECK_IN_EARLY, Event
from portal.model_base import utcnow
from portal.web.forms import safe_next, status_for
from portal.web.htmx import redirect_to, render_page_or_fragment

bp = Blueprint("activities", __name__, url_prefix="/activities")

TAKERS = (Role.RESIDENT, Role.FAMILY)
# Grid workers and admins sign up residents who ask them without a device, saying how they asked.
SIGNERS = (*TAKERS, Role.GRID_WORKER, Role.ADMIN)
PANEL = "activities-panel"  # the part of the calendar pages that htmx swaps
# How far back and ahead the week and month views go.
REACH = timedelta(days=2 * 366)


def event_times(event: Event) -> tuple[datetime, datetime]:
    """When event starts and ends, in its community's local time."""
    zone = activities.zone_of(event)
    return activities.local(event.starts_at, zone), activities.local(event.ends_at, zone)


def month_name(day: date) -> str:
    """The month and year, the way the reader's language writes them: 2026年3月, March 2026."""
    return format_skeleton("yMMMM", day, locale=get_locale())


def _community(resident):
    return resident.community or abort(404)


def _event_of(resident, event_id: int) -> Event:
    """An event of the resident's community; another community's id is treated as not found."""
    event = calendar.get_event(event_id)
    if event is None or event.community_id != resident.community_id:
        abort(404)
    return event


def _category() -> tuple[str | None, str | None]:
    """The ?category= asked for, or None for all; and a message when it is not one we know."""
    asked = request.args.get("category") or None
    if asked is None or asked in labels.CATEGORIES:
        return asked, None
    return None, _("There is no kind of activity called that. Here are all activities.")


def _asked_day(name: str, today: date, pattern: str, parse) -> tuple[date | None, str | None]:
    """The day parsed from ?name=, None when absent; a message when it is malformed or too far."""
    asked = request.args.get(name)
    if not asked:
        return None, None
    try:
        day = parse(asked) if re.fullmatch(pattern, asked) else None
    except ValueError:
        day = None
    if day is None:
        return None, _("That date could not be read. Here is the calendar from today.")
    if abs(day - today) > REACH:
        return None, _("The calendar goes back and ahead two years. Here it is from today.")
    return day, None


def _calendar_page(resident, period: calendar.Period, problem: str | None = None):
    """The calendar page, or only its panel for htmx, for the days of period."""
    community = _community(resident)
    category, category_problem = _category()
    days = calendar.events_by_day(community, period.first, period.last, category)
    events = [event for day_events in days.values() for event in day_events]
    places = calendar.places_for(resident, events)
    local_today = community.today()
    return render_page_or_fragment(
        "activities/calendar.html",
        "activities/_calendar_panel.html",
        PANEL,
        resident=resident,
        view=period.view,
        period=period,
        days=days,
        category=category,
        places=places,
        positions=calendar.waitlist_positions(places.values()),
        kin=accounts.kin_of(resident),
        kinships=KINSHIP_LABELS,
        problems=[message for message in (problem, category_problem) if message],
        now=utcnow(),
        local_today=local_today,
        local_tomorrow=local_today + timedelta(days=1),
    )


@bp.get("/residents/<int:resident_id>")
@roles_required(*SIGNERS)
def upcoming(resident_id: int):
    """Today, then the rest of this week: the kiosk's big list."""
    resident = resident_acted_for(resident_id, staff=True)
    today = _community(resident).today()
    return _calendar_page(resident, calendar.Period.upcoming(today))


@bp.get("/residents/<int:resident_id>/week")
@roles_required(*SIGNERS)
def week(resident_id: int):
    resident = resident_acted_for(resident_id, staff=True)
    today = _community(resident).today()
    day, problem = _asked_day("week", today, r"\d{4}-\d{2}-\d{2}", date.fromisoformat)
    return _calendar_page(resident, calendar.Period.week_of(day or today), problem)


def _first_of_month(text: str) -> date:
    return date(int(text[:4]), int(text[5:]), 1)


@bp.get("/residents/<int:resident_id>/month")
@roles_required(*SIGNERS)
def month(resident_id: int):
    resident = resident_acted_for(resident_id, staff=True)
    today = _community(resident).today()
    day, problem = _asked_day("month", today, r"\d{4}-\d{2}", _first_of_month)
    return _calendar_page(resident, calendar.Period.month_of(day or today), problem)


def _closed_message(event: Event) -> str:
    """Why event takes no sign-ups (now), in words."""
    if event.cancelled_at is not None:
        return _("This activity was cancelled, so nobody can join it.")
    if not event.signup_required:
        return _("There is no need to sign up for this activity: just come.")
    return _("This activity has already started or is over, so it is too late to join.")


@bp.route("/residents/<int:resident_id>/events/<int:event_id>", methods=["GET", "POST"])
@roles_required(*SIGNERS)
def event(resident_id: int, event_id: int):
    """Check the details of an activity, then join it or its waitlist."""
    resident = resident_acted_for(resident_id, staff=True)
    chosen = _event_of(resident, event_id)
    staff = not accounts.may_act_for(current_user, resident)
    form = StaffJoinForm() if staff else JoinForm()
    if form.validate_on_submit():
        try:
            signup, created = activities.join(
                resident, chosen, current_user, channel=form.channel.data if staff else None
            )
        except activities.NotOpen:
            flash(_closed_message(chosen), "error")
            return redirect_to(url_for(".event", resident_id=resident.id, event_id=chosen.id))
        if not created:
            flash(_("You already have this place, so nothing has changed."), "info")
        return redirect_to(url_for(".joined", resident_id=resident.id, signup_id=signup.id))
    place = activities.place_of(resident, chosen)
    return render_template(
        "activities/event.html",
        resident=resident,
        event=chosen,
        form=form,
        place=place,
        position=place and activities.waitlist_position(place),
        kin=accounts.kin_of(resident),
        kinships=KINSHIP_LABELS,
        now=utcnow(),
        closed=_closed_message(chosen),
    ), status_for(form)


def _signup_of(resident, signup_id: int):
    signup = calendar.get_signup(signup_id)
    if signup is None or signup.resident_id != resident.id:
        abort(404)
    return signup


@bp.get("/residents/<int:resident_id>/signups/<int:signup_id>")
@roles_required(*SIGNERS)
def joined(resident_id: int, signup_id: int):
    """The confirmation: a place, or a numbered place on the waitlist."""
    resident = resident_acted_for(resident_id, staff=True)
    signup = _signup_of(resident, signup_id)
    return render_template(
        "activities/joined.html",
        resident=resident,
        signup=signup,
        event=signup.event,
        position=activities.waitlist_position(signup),
    )


def _back(resident) -> str:
    """Where a form or link on a calendar page returns to: the page it was sent from."""
    default = url_for(".mine", resident_id=resident.id)
    return safe_next(request.values.get("next"), default)


@bp.route("/residents/<int:resident_id>/events/<int:event_id>/leave", methods=["GET", "POST"])
@roles_required(*SIGNERS)
def leave(resident_id: int, event_id: int):
    """Ask before giving up a place, then give it up: it goes to the first on the waitlist."""
    resident = resident_acted_for(resident_id, staff=True)
    chosen = _event_of(resident, event_id)
    place = activities.place_of(resident, chosen)
    title = chosen.title(str(get_locale()))
    try:
        if place is None:
            raise activities.NotSignedUp()
        if request.method == "GET":
            activities.check_leave(place, current_user)
            return render_template(
                "activities/leave.html",
                resident=resident,
                event=chosen,
                place=place,
                back=_back(resident),
            )
        activities.leave(place, current_user)
    except activities.NotSignedUp:
        flash(_("There is no place at %(title)s to give up.", title=title), "info")
    except activities.NotOpen:
        flash(_("%(title)s has started. Please tell the organiser.", title=title), "error")
    else:
        flash(
            _("You have left %(title)s. Your place is free for someone else.", title=title),
            "success",
        )
    return redirect_to(_back(resident))


@bp.post("/residents/<int:resident_id>/events/<int:event_id>/arrive")
@roles_required(Role.RESIDENT)
def arrive(resident_id: int, event_id: int):
    """ "I'm here": a resident checks themself in at the kiosk during the activity."""
    if resident_id != current_user.id:
        abort(403)
    chosen = _event_of(current_user, event_id)
    title = chosen.title(str(get_locale()))
    if g.get("kiosk") is None:
        flash(_("Please tap “I'm here” on the kiosk where the activity is."), "error")
        return redirect_to(_back(current_user))
    try:
        activities.arrive(current_user, chosen)
    except activities.NotSignedUp:
        flash(_("You have no place at %(title)s. Please ask the organiser.", title=title), "error")
    except activities.NotNow:
        early = CHECK_IN_EARLY.seconds // 60
        message = _(
            "You can say you are here from %(minutes)s minutes before the start until the end.",
            minutes=early,
        )
        flash(message, "error")
    except activities.NotOpen:
        flash(_closed_message(chosen), "error")
    else:
        flash(_("Welcome to %(title)s. You are checked in.", title=title), "success")
    return redirect_to(_back(current_user))


@bp.get("/residents/<int:resident_id>/mine")
@roles_required(*SIGNERS)
def mine(resident_id: int):
    """The resident's coming places and waitlist places."""
    resident = resident_acted_for(resident_id, staff=True)
    places = calendar.upcoming_places(resident, utcnow())
    return render_template(
        "activities/mine.html",
        resident=resident,
        places=places,
        positions=calendar.waitlist_positions(places),
        kin=accounts.kin_of(resident),
        kinships=KINSHIP_LABELS,
        now=utcnow(),
    )
