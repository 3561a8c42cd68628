from flask import Blueprint, render_template, request
from flask_login import current_user

from portal.accounts.access import signed_in
from portal.notifications import services as notifications
from portal.notifications.messages import describe

bp = Blueprint("notifications", __name__)


@bp.get("/inbox")
@signed_in
def inbox():
    shown = notifications.inbox(current_user, page=request.args.get("page", 1, type=int))
    items = [(n, *describe(n)) for n in shown]
    unread = {item[0].id for item in items if item[0].read_at is None}
    notifications.mark_all_read(current_user)
    return render_template("notifications/inbox.html", items=items, unread=unread, shown=shown)
