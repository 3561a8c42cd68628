"""The activity calendar: venues, events and weekly series, sign-ups and waitlists, check-in,
reminders and calendar feeds."""

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.activities import feed_views, messages, organiser_views, views
    from portal.notifications import messages as notifications

    app.register_blueprint(views.bp)
    app.register_blueprint(organiser_views.bp)
    app.register_blueprint(feed_views.bp)
    notifications.register("activity", messages.describe)
