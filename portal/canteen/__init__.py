"""The community canteen: meal services, daily menus, age-tiered prices and bookings."""

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.canteen import kitchen_views, photo_views, staff_views, views

    app.register_blueprint(views.bp)
    app.register_blueprint(staff_views.bp)
    app.register_blueprint(kitchen_views.bp)
    app.register_blueprint(photo_views.bp)
