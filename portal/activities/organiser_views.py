"""Organisers: venues, events and weekly series, attendee lists, check-in and attendance."""

from datetime import date, timedelta

from flask import Blueprint, abort, flash, render_template, request, url_for
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.access import roles_required
from portal.accounts.models import Role
from portal.activities import labels, schedule, seams, services
from portal.activities.models import Event, Series, Venue
from portal.activities.organiser_forms import WEEKLY, CancelForm, EventForm, MoveForm, VenueForm
from portal.web.converters import parse_day
from portal.web.forms import REFUSED, status_for
from portal.web.htmx import is_htmx, redirect_to, render_page_or_fragment

bp = Blueprint("organise", __name__, url_prefix="/activities/organise")

ORGANISERS = (Role.ORGANISER, Role.ADMIN)


@bp.context_processor
def _helpers():
    def local_time(event: Event, moment=None):
        return services.local(moment or event.starts_at, services.zone_of(event))

    def month_name(year: int, month: int) -> str:
        return format_date(date(year, month, 1), "LLLL")

    return {"activity_labels": labels, "local_time": local_time, "month_name": month_name}


def _community(community_id: int):
    """The community if the signed-in person organises it; 404 otherwise (as for a made-up id)."""
    community = schedule.get_community(community_id)
    if community is None or not schedule.may_organise(current_user, community.id):
        abort(404)
    return community


def _organised(model, object_id: int):
    """The venue, series or event if the signed-in person organises its community; else 404."""
    return schedule.organised(current_user, model, object_id) or abort(404)


def _week_param() -> date:
    """The Monday of the week asked for in ?week=, or of this week."""
    day = parse_day(request.args.get("week")) or current_user.today()
    return day - timedelta(days=day.weekday())


# The calendar -----------------------------------------------------------------------------------


@bp.get("/")
@roles_required(*ORGANISERS)
def index():
    communities = schedule.organised_communities(current_user)
    if len(communities) == 1:
        return redirect_to(url_for("organise.calendar", community_id=communities[0].id))
    return render_template("activities/organise/index.html", communities=communities)


@bp.get("/<int:community_id>/")
@roles_required(*ORGANISERS)
def calendar(community_id: int):
    community = _community(community_id)
    monday = _week_param()
    events = schedule.week_events(community.id, monday)
    return render_template(
        "activities/organise/calendar.html",
        community=community,
        monday=monday,
        days=[
            (day, [e for e in events if schedule.local_day(e) == day])
            for day in (monday + timedelta(days=n) for n in range(7))
        ],
        waiting=schedule.waiting_counts(events),
        previous=monday - timedelta(days=7),
        following=monday + timedelta(days=7),
    )


@bp.get("/<int:community_id>/attendance")
@roles_required(*ORGANISERS)
def attendance(community_id: int):
    community = _community(community_id)
    asked = request.args.get("year", "")
    year = int(asked) if asked.isdecimal() else current_user.today().year
    if not 2000 <= year <= 2100:
        abort(404)
    months = services.attendance_by_month(community.id, year)
    return render_template(
        "activities/organise/attendance.html",
        community=community,
        year=year,
        months=months,
        totals=(sum(m[1] for m in months), sum(m[2] for m in months)),
    )


# Venues -----------------------------------------------------------------------------------------


@bp.get("/<int:community_id>/venues")
@roles_required(*ORGANISERS)
def venues(community_id: int):
    community = _community(community_id)
    return render_template(
        "activities/organise/venues.html",
        community=community,
        venues=schedule.venues_of(community.id),
    )


def _venue_page(community, venue, form):
    if form.validate_on_submit():
        schedule.save_venue(
            current_user,
            community.id,
            venue,
            name=form.name.data.strip(),
            capacity=form.capacity.data,
            step_free=form.step_free.data,
            hearing_loop=form.hearing_loop.data,
        )
        flash(_("%(venue)s is saved.", venue=form.name.data.strip()), "success")
        return redirect_to(url_for("organise.venues", community_id=community.id))
    return render_template(
        "activities/organise/venue_form.html", community=community, venue=venue, form=form
    ), status_for(form)


@bp.route("/<int:community_id>/venues/new", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
def new_venue(community_id: int):
    return _venue_page(_community(community_id), None, VenueForm())


@bp.route("/venues/<int:venue_id>", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
def edit_venue(venue_id: int):
    venue = _organised(Venue, venue_id)
    return _venue_page(venue.community, venue, VenueForm(obj=venue))


# Events and series ------------------------------------------------------------------------------


def _event_form(community_id: int, source=None, **fields) -> EventForm:
    """The event form with the community's venues, filled from source (an event or series) on GET."""
    form = EventForm(obj=source, **fields)
    form.venue.choices = [(v.id, v.name) for v in schedule.venues_of(community_id)]
    if source is not None and request.method == "GET":
        form.venue.data = source.venue_id
    return form


def _refused(form, error: schedule.ScheduleError) -> None:
    """Put the schedule's refusal on the form field it is about."""
    where = "day" if "day" in form else "starts"
    if isinstance(error, schedule.BadTimes):
        form.ends.errors.append(_("The end must be after the start."))
    elif isinstance(error, schedule.BadDays):
        form.last_day.errors.append(_("The last date must be on or after the first date."))
    elif isinstance(error, schedule.InPast):
        form[where].errors.append(_("That time has already passed. Choose a later one."))
    elif isinstance(error, schedule.UnknownVenue):
        form.venue.errors.append(_("Choose one of this community's venues."))
    elif isinstance(error, schedule.OverVenue):
        form.capacity.errors.append(
            ngettext(
                "%(venue)s holds only %(num)s person.",
                "%(venue)s holds only %(num)s people.",
                error.venue.capacity,
                venue=error.venue.name,
            )
        )
    elif isinstance(error, schedule.BelowSignedUp):
        form.capacity.errors.append(
            ngettext(
                "On %(date)s %(num)s person already has a place; there cannot be fewer places than that.",
                "On %(date)s %(num)s people already have a place; there cannot be fewer places than that.",
                error.going,
                date=format_date(error.day, "full"),
            )
        )
    elif isinstance(error, schedule.Clash):
        other = error.other
        zone = services.zone_of(other)
        starts, ends = services.local(other.starts_at, zone), services.local(other.ends_at, zone)
        form[where].errors.append(
            _(
                "%(venue)s is already booked on %(date)s from %(starts)s to %(ends)s for "
                "“%(title)s”. Choose another time or venue.",
                venue=other.venue.name,
                date=format_date(starts.date(), "full"),
                starts=f"{starts:%H:%M}",
                ends=f"{ends:%H:%M}",
                title=other.title_zh_hans,
            )
        )


@bp.route("/<int:community_id>/events/new", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
def new_event(community_id: int):
    community = _community(community_id)
    form = _event_form(community.id)
    if form.validate_on_submit():
        try:
            if form.repeat.data == WEEKLY:
                series = schedule.create_series(
                    current_user,
                    community.id,
                    first_day=form.day.data,
                    last_day=form.last_day.data,
                    **form.values(),
                )
                flash(
                    _(
                        "The weekly activity “%(title)s” is on the calendar.",
                        title=series.title_zh_hans,
                    ),
                    "success",
                )
                return redirect_to(
                    url_for(
                        "organise.calendar",
                        community_id=community.id,
                        week=series.first_day.isoformat(),
                    )
                )
            event = schedule.create_event(
                current_user, community.id, day=form.day.data, **form.values()
            )
        except schedule.ScheduleError as error:
            _refused(form, error)
        else:
            flash(_("“%(title)s” is on the calendar.", title=event.title_zh_hans), "success")
            return redirect_to(url_for("organise.event", event_id=event.id))
    return render_template(
        "activities/organise/event_form.html",
        community=community,
        form=form,
        event=None,
        series=None,
    ), status_for(form)


def _closed(event: Event):
    flash(
        _("This activity has started, has passed or was cancelled, so it can no longer change."),
        "error",
    )
    return redirect_to(url_for("organise.event", event_id=event.id))


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
def edit_event(event_id: int):
    event = _organised(Event, event_id)
    if not schedule.changeable(event):
        return _closed(event)
    starts, ends = (
        services.local(event.starts_at, services.zone_of(event)),
        services.local(event.ends_at, services.zone_of(event)),
    )
    form = _event_form(
        event.community_id, event, day=starts.date(), starts=starts.time(), ends=ends.time()
    )
    del form.repeat, form.last_day
    if form.validate_on_submit():
        try:
            schedule.update_event(current_user, event, day=form.day.data, **form.values())
        except schedule.Closed:
            return _closed(event)
        except schedule.ScheduleError as error:
            _refused(form, error)
        else:
            flash(_("“%(title)s” is saved.", title=event.title_zh_hans), "success")
            return redirect_to(url_for("organise.event", event_id=event.id))
    return render_template(
        "activities/organise/event_form.html",
        community=event.community,
        form=form,
        event=event,
        series=None,
    ), status_for(form)


@bp.route("/series/<int:series_id>/edit", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
def edit_series(series_id: int):
    series = _organised(Series, series_id)
    form = _event_form(series.community_id, series)
    del form.repeat, form.day
    if form.validate_on_submit():
        try:
            changed = schedule.update_series(
                current_user, series, last_day=form.last_day.data, **form.values()
            )
        except schedule.ScheduleError as error:
            _refused(form, error)
        else:
            flash(
                ngettext(
                    "“%(title)s” is saved, with %(num)s coming week.",
                    "“%(title)s” is saved, with %(num)s coming weeks.",
                    changed,
                    title=series.title_zh_hans,
                ),
                "success",
            )
            return redirect_to(url_for("organise.calendar", community_id=series.community_id))
    return render_template(
        "activities/organise/event_form.html",
        community=series.community,
        form=form,
        event=None,
        series=series,
    ), status_for(form)


@bp.route("/events/<int:event_id>/move", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
def move_event(event_id: int):
    event = _organised(Event, event_id)
    if not schedule.changeable(event):
        return _closed(event)
    zone = services.zone_of(event)
    starts, ends = services.local(event.starts_at, zone), services.local(event.ends_at, zone)
    form = MoveForm(day=starts.date(), starts=starts.time(), ends=ends.time())
    if form.validate_on_submit():
        try:
            schedule.move_event(
                current_user, event, day=form.day.data, starts=form.starts.data, ends=form.ends.data
            )
        except schedule.Closed:
            return _closed(event)
        except schedule.ScheduleError as error:
            _refused(form, error)
        else:
            flash(
                _("“%(title)s” is moved; everyone signed up is told.", title=event.title_zh_hans),
                "success",
            )
            return redirect_to(url_for("organise.event", event_id=event.id))
    return render_template("activities/organise/move.html", event=event, form=form), status_for(
        form
    )


@bp.route("/events/<int:event_id>/cancel", methods=["GET", "POST"])
@roles_required(*ORGANISERS)
def cancel_event(event_id: int):
    event = _organised(Event, event_id)
    if not schedule.changeable(event):
        return _closed(event)
    form = CancelForm()
    if form.validate_on_submit():
        try:
            told = schedule.cancel_event(current_user, event, form.reason.data.strip())
        except schedule.Closed:
            return _closed(event)
        flash(
            ngettext(
                "“%(title)s” is cancelled; %(num)s resident is told.",
                "“%(title)s” is cancelled; %(num)s residents are told.",
                told,
                title=event.title_zh_hans,
            ),
            "success",
        )
        return redirect_to(url_for("organise.event", event_id=event.id))
    return render_template("activities/organise/cancel.html", event=event, form=form), status_for(
        form
    )


# Attendees and check-in -------------------------------------------------------------------------


def _event_context(event: Event) -> dict:
    going, waiting = schedule.attendees(event, request.args.get("page", 1, type=int))
    return {
        "event": event,
        "going": going,
        "waiting": waiting,
        "is_today": schedule.local_day(event) == current_user.today(),
        "changeable": schedule.changeable(event),
        "actions": seams.event_actions(event),
    }


@bp.get("/events/<int:event_id>")
@roles_required(*ORGANISERS)
def event(event_id: int):
    return render_template(
        "activities/organise/event.html", **_event_context(_organised(Event, event_id))
    )


@bp.post("/events/<int:event_id>/attendees/<int:signup_id>/check-in")
@roles_required(*ORGANISERS)
def check_in(event_id: int, signup_id: int):
    event = _organised(Event, event_id)
    signup = schedule.signup_at(event, signup_id) or abort(404)
    name, answer = signup.resident.name, REFUSED
    try:
        services.check_in(signup, current_user, organiser=True)
    except services.NotNow:
        flash(_("Check-in is open only on the day of the activity."), "error")
    except services.NotSignedUp:
        flash(_("%(name)s has no place at this activity.", name=name), "error")
    else:
        flash(_("Checked in: %(name)s", name=name), "success")
        answer = 200
    if not is_htmx():
        return redirect_to(url_for("organise.event", event_id=event.id))
    return render_page_or_fragment(
        "activities/organise/event.html",
        "activities/organise/_checked_in.html",
        f"signup-{signup.id}",
        answer,
        signup=signup,
        **_event_context(event),
    )
