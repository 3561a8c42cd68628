"""Administration: what admins set up and read for their communities."""

from flask import Flask
from flask_babel import lazy_gettext as _l

from portal.audit import services as audit


def init_app(app: Flask) -> None:
    from portal.administration import import_views, messages, place_views, staff_views
    from portal.administration.views import bp
    from portal.notifications import messages as notifications

    app.register_blueprint(bp)
    app.register_blueprint(place_views.bp)
    app.register_blueprint(import_views.bp)
    app.register_blueprint(staff_views.bp)
    audit.name_area("resident", _l("Residents' records"))
    audit.name_area("place", _l("Communities, grids and buildings"))
    audit.name_area("partner", _l("Partners"))
    audit.name_area("audit", _l("Exports of this log"))
    notifications.register("resident", messages.describe)
