"""The activity calendar: venues, events and weekly series, sign-ups and waitlists, check-in,
reminders and calendar feeds."""

from flask import Flask, url_for
from flask_babel import lazy_gettext as _l

from portal.accounts import profile
from portal.accounts import seams as residents
from portal.audit import services as audit


def init_app(app: Flask) -> None:
    from portal.activities import calendar, feed_views, labels, messages, organiser_views, views
    from portal.notifications import messages as notifications

    # The calendar's words and times, for its pages and the site's home pages.
    app.jinja_env.globals.update(
        activity_labels=labels, activity_times=views.event_times, activity_month=views.month_name
    )

    app.register_blueprint(views.bp)
    app.register_blueprint(organiser_views.bp)
    app.register_blueprint(feed_views.bp)
    notifications.register("activity", messages.describe)
    audit.name_area("activity", _l("Activities"))
    residents.resident_left.connect(_give_back_places, weak=False)
    profile.register_export("activities", _activities_joined)
    residents.register_contact("activity check-in", _checked_in_at, _last_check_in)
    profile.register_act(
        profile.Act(
            "activities",
            20,
            _l("Sign them up for an activity"),
            lambda resident: url_for("activities.upcoming", resident_id=resident.id),
        )
    )
    audit.name_area("venue", _l("Activity venues"))
    audit.name_area("calendar", _l("Calendar feeds"))
    audit.name_actions(
        {
            "activity.created": _l("%(who)s added an activity"),
            "activity.changed": _l("%(who)s changed an activity"),
            "activity.cancelled": _l("%(who)s cancelled an activity"),
            "activity.going": _l("%(who)s signed %(whose)s up for an activity"),
            "activity.waiting": _l("%(who)s put %(whose)s on an activity's waiting list"),
            "activity.left": _l("%(who)s took %(whose)s off an activity"),
            "activity.checked_in": _l("%(who)s checked %(whose)s in at an activity"),
            "activity.birthday_invited": _l("%(who)s invited residents to a birthday party"),
            "calendar.feed_created": _l("%(who)s made a calendar link"),
            "calendar.feed_revoked": _l("%(who)s switched a calendar link off"),
            "venue.created": _l("%(who)s added an activity venue"),
            "venue.changed": _l("%(who)s changed an activity venue"),
        }
    )
    profile.register(
        profile.Part(
            "activities", 20, _l("Activities"), "activities/_profile.html", calendar.upcoming_places
        )
    )


def _give_back_places(resident, reason, by, now=None) -> dict[str, int]:
    from portal.activities import services

    return {"places": services.release_places(resident, now=now)}


def _activities_joined(resident) -> list[dict]:
    from portal.activities import services

    return services.export_of(resident)


def _checked_in_at(resident_ids):
    from portal.activities import services

    return services.latest_check_ins(resident_ids)


def _last_check_in(residents):
    from portal.activities import services

    return services.last_check_in(residents)
