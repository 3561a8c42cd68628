"""Community set-up pages for admins: the partners requests can be handed to."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from portal.accounts.access import roles_required
from portal.accounts.models import Role
from portal.community import services as community
from portal.community.forms import PartnerForm
from portal.web.i18n import gettext as _

bp = Blueprint("community", __name__, url_prefix="/admin")


@bp.route("/partners", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def partners():
    form = PartnerForm()
    if form.validate_on_submit():
        partner = community.add_partner(current_user, form.name.data, form.phone.data)
        flash(_("%(name)s has been added.", name=partner.name), "success")
        return redirect(url_for("community.partners"), 303)
    listed = community.partners_of(current_user.community_id)
    return render_template("community/partners.html", form=form, partners=listed)
