"""Meal delivery: enrolments, pauses, the daily bookings, rounds and what happened at the door."""

from flask import Flask
from flask_babel import lazy_gettext as _l

from portal.audit import services as audit


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
    audit.name_area("delivery", _l("Meal delivery"))
    audit.name_actions(
        {
            "delivery.applied": _l("%(who)s applied for meal delivery for %(whose)s"),
            "delivery.approved": _l("%(who)s approved %(whose)s's meal delivery"),
            "delivery.declined": _l("%(who)s declined %(whose)s's meal delivery"),
            "delivery.paused": _l("%(who)s paused %(whose)s's meal delivery"),
            "delivery.resumed": _l("%(who)s resumed %(whose)s's meal delivery"),
            "delivery.stopped": _l("%(who)s stopped %(whose)s's meal delivery"),
            "delivery.days_changed": _l("%(who)s changed the days of %(whose)s's meal delivery"),
        }
    )
    seams.init_app(app)
