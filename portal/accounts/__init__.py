"""People and their roles, sign-in by password or by resident code and PIN, family links, kiosks."""

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.accounts import labels
    from portal.accounts.views import bp

    app.register_blueprint(bp)
    app.add_template_filter(labels.address)
    # What care colours are called, for every page that shows one.
    app.jinja_env.globals.update(account_labels=labels)
