"""The activity calendar: venues, events and weekly series, sign-ups and waitlists, check-in,
reminders and calendar feeds."""

from flask import Flask
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
    audit.name_area("venue", _l("Activity venues"))
    audit.name_area("calendar", _l("Calendar feeds"))
    profile.register(
        profile.Part(
            "activities", 20, _l("Activities"), "activities/_profile.html", calendar.upcoming_places
        )
    )


def _give_back_places(resident, reason, by, now=None) -> dict[str, int]:
    from portal.activities import services

    return {"places": services.release_places(resident, now=now)}
