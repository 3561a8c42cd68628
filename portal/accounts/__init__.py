"""People and their roles, sign-in by password or by resident code and PIN, family links, kiosks."""

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.accounts.labels import address
    from portal.accounts.views import bp

    app.register_blueprint(bp)
    app.add_template_filter(address)
