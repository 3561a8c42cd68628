from flask import Blueprint, current_app, render_template, request
from flask_login import current_user

from portal.accounts.access import roles_required
from portal.accounts.models import Role
from portal.audit import services as audit
from portal.audit.forms import AuditFilterForm

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")


@bp.get("/")
@roles_required(Role.ADMIN)
def log():
    form = AuditFilterForm(request.args)
    entries, people = [], []
    if not request.args or form.validate():
        people = audit.find_people(current_user, form.person.data) if form.person.data else []
        if not form.person.data or people:
            entries = audit.search(
                current_user,
                person_ids=[p.id for p in people] or None,
                start=form.start.data,
                end=form.end.data,
                zone=current_app.config["BABEL_DEFAULT_TIMEZONE"],
            )
    return render_template("audit/log.html", form=form, entries=entries, people=people)
