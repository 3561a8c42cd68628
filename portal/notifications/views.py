from flask import Blueprint, current_app, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.access import signed_in
from portal.notifications import services as notifications
from portal.notifications.forms import TellingForm
from portal.notifications.messages import describe
from portal.web.forms import status_for
from portal.web.htmx import redirect_to

bp = Blueprint("notifications", __name__)


@bp.get("/inbox")
@signed_in
def inbox():
    shown = notifications.inbox(current_user, page=request.args.get("page", 1, type=int))
    items = [(n, *describe(n)) for n in shown]
    unread = {item[0].id for item in items if item[0].read_at is None}
    notifications.mark_all_read(current_user)
    return render_template("notifications/inbox.html", items=items, unread=unread, shown=shown)


@bp.route("/account/notifications", methods=["GET", "POST"])
@signed_in
def telling():
    """How the signed-in person is told of their messages, besides the inbox."""
    chosen = notifications.settings_of(current_user)
    form = TellingForm(
        data={
            "email": chosen.email,
            "by_email": chosen.chose("email"),
            "quiet_from": chosen.quiet_from,
            "quiet_until": chosen.quiet_until,
        }
        if chosen
        else None
    )
    if form.validate_on_submit():
        notifications.choose(
            current_user,
            email=form.email.data,
            by_email=form.by_email.data,
            quiet_from=form.quiet_from.data,
            quiet_until=form.quiet_until.data,
        )
        flash(_("Saved: this is how you will be told."), "success")
        return redirect_to(url_for("notifications.telling"))
    return render_template(
        "notifications/telling.html",
        form=form,
        email_works=bool(current_app.config.get("MAIL_SERVER")),
    ), status_for(form)
