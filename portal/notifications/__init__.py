"""Notifications: an outbox written in the same transaction as the change, read as an in-app inbox
and handed to senders (a log sender by default; SMS or WeChat adapters plug in the same way)."""

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.notifications import alerts, views

    app.register_blueprint(views.bp)
    alerts.init_app(app)
