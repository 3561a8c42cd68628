"""People and their roles, sign-in by password or by resident code and PIN, family links, kiosks."""

from flask import Flask
from flask_babel import lazy_gettext as _l

from portal.audit import services as audit


def init_app(app: Flask) -> None:
    from portal.accounts import labels
    from portal.accounts.views import bp

    app.register_blueprint(bp)
    audit.name_area("account", _l("Accounts"))
    audit.name_area("sign_in", _l("Sign-ins"))
    audit.name_area("family_link", _l("Family links"))
    audit.name_area("kiosk", _l("Kiosks"))
    app.add_template_filter(labels.address)
    # What care colours are called, for every page that shows one.
    app.jinja_env.globals.update(account_labels=labels)
