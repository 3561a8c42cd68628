"""Notifications: an outbox written in the same transaction as the change, read as an in-app inbox
and sent on each channel the reader has (the log always; e-mail, SMS, Web Push and WeChat when
configured)."""

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.notifications import alerts, channels, views

    channels.register(channels.LogChannel())
    channels.register(channels.EmailChannel())
    channels.register(channels.SmsChannel())
    channels.register(channels.WebPushChannel())
    channels.register(channels.WeChatChannel())
    app.register_blueprint(views.bp)
    alerts.init_app(app)
