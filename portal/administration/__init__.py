"""Administration: what admins set up and read for their communities."""

from flask import Flask
from flask_babel import lazy_gettext as _l

from portal.administration import labels
from portal.audit import services as audit


def init_app(app: Flask) -> None:
    from portal.administration import (
        import_views,
        messages,
        place_views,
        privacy_views,
        staff_views,
    )
    from portal.administration.views import bp
    from portal.notifications import messages as notifications

    app.register_blueprint(bp)
    app.register_blueprint(place_views.bp)
    app.register_blueprint(import_views.bp)
    app.register_blueprint(staff_views.bp)
    app.register_blueprint(privacy_views.bp)
    audit.name_area("resident", _l("Residents' records"))
    audit.name_area("place", _l("Communities, grids and buildings"))
    audit.name_area("partner", _l("Partners"))
    audit.name_area("audit", _l("Exports of this log"))
    notifications.register("resident", messages.describe)
    audit.name_actions(_SENTENCES, _DETAILS)


_SENTENCES = {
    "resident.enrolled": _l("%(who)s enrolled %(whose)s"),
    "resident.changed": _l("%(who)s changed %(whose)s's details"),
    "resident.moved": _l("%(who)s moved %(whose)s to another building"),
    "resident.pin_issued": _l("%(who)s issued a new PIN to %(whose)s"),
    "resident.profile_read": _l("%(who)s read %(whose)s's profile"),
    "resident.left": _l("%(who)s recorded that %(whose)s left home"),
    "resident.returned": _l("%(who)s recorded that %(whose)s is home again"),
    "resident.anonymised": _l("%(who)s erased the details of %(whose)s"),
    "resident.exported": _l("%(who)s downloaded the resident list"),
    "resident.import_uploaded": _l("%(who)s uploaded a spreadsheet of residents"),
    "resident.imported": _l("%(who)s imported residents from a spreadsheet"),
    "resident.retention_set": _l("%(who)s set how long residents who left are kept"),
    "place.community_added": _l("%(who)s added a community"),
    "place.community_changed": _l("%(who)s changed a community"),
    "place.grid_added": _l("%(who)s added a grid"),
    "place.grid_renamed": _l("%(who)s renamed a grid"),
    "place.grids_merged": _l("%(who)s merged two grids"),
    "place.grid_deleted": _l("%(who)s deleted a grid"),
    "place.building_added": _l("%(who)s added a building"),
    "place.building_changed": _l("%(who)s changed a building"),
    "place.building_deleted": _l("%(who)s deleted a building"),
    "place.residents_moved": _l("%(who)s moved everyone in a building to another"),
    "partner.added": _l("%(who)s added a partner"),
    "partner.serves": _l("%(who)s chose the communities a partner serves"),
    "audit.exported": _l("%(who)s downloaded entries of this log"),
    "resident.data_exported": _l("%(who)s made a copy of %(whose)s's data"),
    "resident.deletion_requested": _l("%(who)s asked for %(whose)s's data to be deleted"),
    "resident.erased_on_request": _l("%(who)s deleted %(whose)s's details at their request"),
    "account.created": _l("%(who)s gave %(whose)s an account"),
    "account.roles_changed": _l("%(who)s changed %(whose)s's roles"),
    "account.backup_added": _l("%(who)s had %(whose)s stand in for a grid"),
    "account.backup_ended": _l("%(who)s ended %(whose)s's standing in for a grid"),
    "account.code_issued": _l("%(who)s gave %(whose)s a one-time code"),
    "account.closed": _l("%(who)s closed %(whose)s's account"),
    "account.reopened": _l("%(who)s opened %(whose)s's account again"),
}
_DETAILS = {
    **labels.RESIDENT_FIELDS,
    "code": _l("Resident code"),
    "import": _l("From the spreadsheet"),
    "file": _l("File"),
    "grid": _l("Grid"),
    "into": _l("Into"),
    "roles": _l("Roles"),
    "people": _l("People"),
    "hotline": _l("Hotline"),
}
