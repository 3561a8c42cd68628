"""One-tap help: requests that land in the grid's queue, escalate, and close the loop with the
resident."""

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.help import messages, views
    from portal.notifications import messages as notifications

    app.register_blueprint(views.bp)
    notifications.register("help", messages.describe)
