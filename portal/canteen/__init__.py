"""The community canteen: meal services, daily menus, age-tiered prices and bookings."""

from flask import Flask, url_for
from flask_babel import lazy_gettext as _l

from portal.accounts import profile
from portal.accounts import seams as residents
from portal.audit import services as audit


def init_app(app: Flask) -> None:
    from portal.canteen import kitchen_views, labels, photo_views, staff_views, views

    # Words for meals and dishes and the addresses of dish photos, for the canteen's pages, the
    # site's home pages and meal delivery's.
    app.jinja_env.globals.update(canteen_labels=labels, photo_url=photo_views.photo_url)

    app.register_blueprint(views.bp)
    app.register_blueprint(staff_views.bp)
    app.register_blueprint(kitchen_views.bp)
    app.register_blueprint(photo_views.bp)
    audit.name_area("canteen", _l("Canteen"))
    audit.name_actions(
        {
            "canteen.created": _l("%(who)s added a canteen"),
            "canteen.changed": _l("%(who)s changed a canteen"),
            "canteen.service_added": _l("%(who)s added a meal service"),
            "canteen.service_changed": _l("%(who)s changed a meal service"),
            "canteen.served": _l("%(who)s marked %(whose)s's meal served"),
            "canteen.no_show": _l("%(who)s marked that %(whose)s did not come for a meal"),
            "canteen.booked_for": _l("%(who)s booked a meal for %(whose)s, who asked them"),
            "canteen.cancelled_for": _l("%(who)s cancelled a meal of %(whose)s, who asked them"),
        }
    )
    residents.resident_left.connect(_give_back_meals, weak=False)
    profile.register_export("meals", _meals_booked)
    profile.register_act(
        profile.Act(
            "meals",
            10,
            _l("Book a meal for them"),
            lambda resident: url_for("canteen.meals", resident_id=resident.id),
        )
    )
    profile.register(
        profile.Part("meals", 10, _l("Coming meals"), "canteen/_profile.html", _coming_meals)
    )


def _coming_meals(resident, now):
    from portal.canteen import services

    coming, _earlier = services.bookings_of(resident, resident.today(now))
    return coming


def _give_back_meals(resident, reason, by, now=None) -> dict[str, int]:
    from portal.canteen import services

    return {"meals": services.release_all(resident, now)}


def _meals_booked(resident) -> list[dict]:
    from portal.canteen import services

    return services.export_of(resident)
