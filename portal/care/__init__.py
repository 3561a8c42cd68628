"""Three-colour care visits (三色管理): care colours with their history, the cadence of visits per
colour, the grid worker's due list, and visits recorded on a phone."""

from flask import Flask
from flask_babel import lazy_gettext as _l

from portal.audit import services as audit


def init_app(app: Flask) -> None:
    from portal.care import seams, views

    app.register_blueprint(views.bp)
    seams.init_app()
    audit.name_area("care", _l("Care visits"))
    audit.name_actions(
        {
            "care.visited": _l("%(who)s recorded a care visit to %(whose)s"),
            "care.colour_set": _l("%(who)s set %(whose)s's care colour"),
            "care.paused": _l("%(who)s paused %(whose)s's care visits"),
            "care.cadence_set": _l("%(who)s changed how often residents are visited"),
            "care.read": _l("%(who)s read %(whose)s's care record"),
            "care.check_ins_planned": _l("%(who)s set %(whose)s's daily check-in"),
            "care.sharing_set": _l("%(who)s recorded whether %(whose)s's family see their visits"),
        }
    )
