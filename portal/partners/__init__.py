"""Partners: the property company, the water company, a clinic. Their people have a desk where
they find the requests handed to them, with what, where and whom to call."""

from flask import Flask
from flask_babel import lazy_gettext as _l

from portal.audit import services as audit


def init_app(app: Flask) -> None:
    from portal.partners import views

    app.register_blueprint(views.bp)
    audit.name_actions(
        {"partner.rated": _l("%(who)s saved the review panel's rating of a partner")}
    )
