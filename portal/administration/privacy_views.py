"""A resident's data: a copy to read or download, for them, their family and the office; a
request to delete it; and the deletion the office carries out."""

import json

from flask import Blueprint, abort, flash, make_response, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.access import resident_acted_for, roles_required
from portal.accounts.models import Role
from portal.administration import privacy, residents
from portal.web.htmx import redirect_to

bp = Blueprint("privacy", __name__)


def _copy(reader, resident, kind: str, back: str):
    data = privacy.everything(reader, resident)
    if kind == "json":
        response = make_response(json.dumps(data, ensure_ascii=False, indent=2))
        response.headers["Content-Type"] = "application/json; charset=utf-8"
        response.headers["Content-Disposition"] = (
            f"attachment; filename=linli-data-{resident.id}.json"
        )
    else:
        response = make_response(
            render_template(
                "administration/data_copy.html",
                resident=resident,
                data=data,
                back=back,
                parts=privacy.PARTS,
                fields=privacy.FIELDS,
            )
        )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/residents/<int:resident_id>/data")
@bp.get("/residents/<int:resident_id>/data.<any(json):kind>")
@roles_required(Role.RESIDENT, Role.FAMILY)
def own_copy(resident_id: int, kind: str = "page"):
    """Everything the portal holds about a resident, for them or their linked family."""
    resident = resident_acted_for(resident_id)
    return _copy(current_user, resident, kind, url_for("site.index"))


@bp.post("/residents/<int:resident_id>/deletion-request")
@roles_required(Role.RESIDENT, Role.FAMILY)
def ask_for_deletion(resident_id: int):
    resident = resident_acted_for(resident_id)
    privacy.request_deletion(current_user, resident)
    flash(
        _("The community office has your request and will call you before deleting anything."),
        "success",
    )
    return redirect_to(url_for("privacy.own_copy", resident_id=resident.id))


def _administered(resident_id: int):
    return residents.resident_of(current_user, resident_id) or abort(404)


@bp.get("/admin/residents/<int:resident_id>/data")
@bp.get("/admin/residents/<int:resident_id>/data.<any(json):kind>")
@roles_required(Role.ADMIN)
def office_copy(resident_id: int, kind: str = "page"):
    """The copy of a resident's data staff print or send them; the reading is audited."""
    resident = _administered(resident_id)
    return _copy(
        current_user,
        resident,
        kind,
        url_for("administration.resident", resident_id=resident.id),
    )


@bp.route("/admin/residents/<int:resident_id>/erase", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def erase(resident_id: int):
    """Ask, then delete a resident's personal details at their request."""
    resident = _administered(resident_id)
    if resident.anonymised_at is not None:
        abort(404)
    if request.method == "GET":
        return render_template("administration/erase_confirm.html", resident=resident)
    name = resident.name
    privacy.erase(current_user, resident)
    flash(_("%(name)s's personal details are deleted.", name=name), "success")
    return redirect_to(url_for("administration.resident", resident_id=resident.id))
