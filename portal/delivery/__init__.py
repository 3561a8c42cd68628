"""Meal delivery: enrolments, pauses, the daily bookings, rounds and what happened at the door."""

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.delivery import labels, messages, round_views, seams, staff_views, views
    from portal.notifications import messages as notifications

    app.jinja_env.globals.update(
        delivery_labels=labels, delivery_list=views.listed, price_words=labels.price_words
    )

    app.register_blueprint(staff_views.bp)
    app.register_blueprint(round_views.bp)
    app.register_blueprint(views.bp)
    notifications.register("delivery", messages.describe)
    seams.init_app(app)
