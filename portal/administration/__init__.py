"""Administration: what admins set up and read for their communities."""

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.administration.views import bp

    app.register_blueprint(bp)
