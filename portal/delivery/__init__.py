"""Meal delivery: enrolments, pauses, the daily bookings, rounds and what happened at the door."""

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.delivery import messages, round_views, seams, staff_views, views
    from portal.notifications import messages as notifications

    app.register_blueprint(staff_views.bp)
    app.register_blueprint(round_views.bp)
    app.register_blueprint(views.bp)
    notifications.register("delivery", messages.describe)
    seams.init_app(app)
