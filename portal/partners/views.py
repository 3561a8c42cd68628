"""A partner's desk: the people of the property company, the water company or a clinic see the
requests handed to them, with what, where and whom to call."""

from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from portal.accounts import services as accounts
from portal.accounts.access import roles_required
from portal.accounts.labels import KINSHIP_LABELS
from portal.accounts.models import Role
from portal.help import services as help

bp = Blueprint("partner_desk", __name__, url_prefix="/partner")


@bp.get("/")
@roles_required(Role.PARTNER)
def home():
    found = help.handed_to(current_user, request.args.get("page", 1, type=int))
    return render_template("partners/home.html", found=found)


@bp.get("/requests/<int:request_id>")
@roles_required(Role.PARTNER)
def request_page(request_id: int):
    found = help.handed_request(current_user, request_id) or abort(404)
    page = render_template(
        "partners/request.html",
        req=found,
        family=accounts.family_to_call(found.resident),
        kinships=KINSHIP_LABELS,
        notes=[event for event in found.events if event.visible and event.text],
    )
    # Recorded once the page is drawn, so that committing it reloads nothing the page reads.
    help.record_read(current_user, found)
    return page
