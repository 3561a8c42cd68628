import io
import logging
from xml.parsers.expat import ExpatError

import segno
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from wechatpy import parse_message
from wechatpy.exceptions import InvalidSignatureException
from wechatpy.replies import TextReply
from wechatpy.utils import check_signature

from portal.accounts.access import public, roles_required, signed_in
from portal.accounts.models import Role
from portal.extensions import csrf
from portal.notifications import push, sms, wechat
from portal.notifications import services as notifications
from portal.notifications.forms import SmsCodeForm, TellingForm
from portal.notifications.labels import CHANNEL_NAMES
from portal.notifications.messages import describe
from portal.web.forms import status_for
from portal.web.htmx import redirect_to

bp = Blueprint("notifications", __name__)
log = logging.getLogger("portal.notifications")


@bp.get("/inbox")
@signed_in
def inbox():
    shown = notifications.inbox(current_user, page=request.args.get("page", 1, type=int))
    items = [(n, *describe(n)) for n in shown]
    unread = {item[0].id for item in items if item[0].read_at is None}
    # Drawn before the messages are marked read: the commit would expire what the page shows.
    page = render_template("notifications/inbox.html", items=items, unread=unread, shown=shown)
    notifications.mark_all_read(current_user)
    return page


def _telling_page(form: TellingForm | None = None, code_form: SmsCodeForm | None = None):
    chosen = notifications.settings_of(current_user)
    if form is None:
        language = current_user.language or str(get_locale())
        form = TellingForm(
            formdata=None,
            data={
                "language": language,
                "email": chosen.email,
                "by_email": chosen.chose("email"),
                "by_sms": chosen.chose("sms"),
                "by_wechat": chosen.chose("wechat"),
                "quiet_from": chosen.quiet_from,
                "quiet_until": chosen.quiet_until,
                "away_until": current_user.away_until,
            }
            if chosen
            else {"language": language, "away_until": current_user.away_until},
        )
    return render_template(
        "notifications/telling.html",
        form=form,
        code_form=code_form or SmsCodeForm(formdata=None),
        email_works=bool(current_app.config.get("MAIL_SERVER")),
        sms_works=sms.configured() and bool(current_user.phone),
        sms_proved=bool(chosen and chosen.sms_verified(current_user)),
        push_key=current_app.config["VAPID_PUBLIC_KEY"] if push.configured() else None,
        phones=len(push.subscriptions_of(current_user)),
        serves_a_grid=current_user.has_role(Role.GRID_WORKER, Role.VOLUNTEER),
        code_waiting=bool(chosen and chosen.sms_code_hash),
        wechat_works=wechat.configured(),
        wechat_bound=bool(chosen and chosen.wechat_openid),
        wechat_code=notifications.wechat_code_of(current_user),
        wechat_code_until=notifications.in_their_time(current_user, chosen.wechat_scene_until)
        if chosen and chosen.wechat_scene_until
        else None,
    ), status_for(form, *([code_form] if code_form else []))


@bp.route("/account/notifications", methods=["GET", "POST"])
@signed_in
def telling():
    """How the signed-in person is told of their messages, besides the inbox."""
    if request.method == "GET":
        return _telling_page()
    form = TellingForm()
    if not form.validate():
        return _telling_page(form)
    serves_a_grid = current_user.has_role(Role.GRID_WORKER, Role.VOLUNTEER)
    try:
        notifications.choose(
            current_user,
            language=form.language.data or None,
            email=form.email.data,
            by_email=form.by_email.data,
            by_sms=form.by_sms.data,
            by_wechat=form.by_wechat.data,
            quiet_from=form.quiet_from.data,
            quiet_until=form.quiet_until.data,
            away_until=form.away_until.data if serves_a_grid else None,
        )
    except notifications.AwayInThePast:
        form.away_until.errors.append(_("Enter today or a day to come."))
        return _telling_page(form)
    flash(_("Saved: this is how you will be told."), "success")
    return redirect_to(url_for("notifications.telling"))


@bp.post("/account/notifications/sms-code")
@signed_in
def send_sms_code():
    """Text a code to the signed-in person's mobile number, to prove it is theirs."""
    if not (sms.configured() and current_user.phone):
        abort(404)
    try:
        notifications.send_sms_code(current_user)
    except notifications.CodeTooSoon:
        flash(_("A code was sent a moment ago. Please wait a minute before asking again."), "info")
    except (sms.SmsRefused, OSError) as error:
        log.warning("a code for person %s was not sent: %r", current_user.id, error)
        flash(_("The text message could not be sent. Please try again later."), "error")
    else:
        flash(_("A code is on its way to %(phone)s.", phone=current_user.phone), "success")
    return redirect_to(url_for("notifications.telling"))


@bp.post("/account/notifications/sms-check")
@signed_in
def check_sms_code():
    """Prove the mobile number with the code texted to it."""
    code_form = SmsCodeForm()
    if code_form.validate():
        try:
            notifications.check_sms_code(current_user, code_form.code.data)
        except notifications.CodeNotValid:
            code_form.code.errors.append(
                _("That is not the code, or it is too old. Ask for a new one.")
            )
        else:
            flash(_("Your number is proved: your messages will come to it too."), "success")
            return redirect_to(url_for("notifications.telling"))
    return _telling_page(code_form=code_form)


@bp.post("/account/notifications/wechat-code")
@signed_in
def make_wechat_code():
    """Show the signed-in person a code to scan in WeChat, which binds their WeChat."""
    if not wechat.configured():
        abort(404)
    try:
        notifications.wechat_code(current_user)
    except (wechat.WeChatRefused, OSError) as error:
        log.warning("no WeChat code for person %s: %r", current_user.id, error)
        flash(_("WeChat could not be reached. Please try again later."), "error")
    return redirect_to(url_for("notifications.telling", _anchor="wechat"))


@bp.get("/account/notifications/wechat-code.png")
@signed_in
def wechat_code_picture():
    """The signed-in person's binding code, as a picture that can be saved and scanned."""
    address = notifications.wechat_code_of(current_user)
    if address is None:
        abort(404)
    picture = io.BytesIO()
    segno.make(address, error="m").save(picture, kind="png", scale=8, border=2)
    response = current_app.response_class(picture.getvalue(), mimetype="image/png")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/account/notifications/wechat-remove")
@signed_in
def remove_wechat():
    notifications.unbind_wechat(current_user)
    flash(_("Your messages will no longer come to WeChat."), "success")
    return redirect_to(url_for("notifications.telling"))


@bp.route("/wechat", methods=["GET", "POST"])
@public
@csrf.exempt
def wechat_callback():
    """The address the Official Account's server settings name: WeChat checks it once with a
    GET, then tells of each scan of a binding code (and each unfollow) with a signed POST."""
    if not wechat.configured():
        abort(404)
    try:
        check_signature(
            current_app.config["WECHAT_TOKEN"],
            request.args.get("signature", ""),
            request.args.get("timestamp", ""),
            request.args.get("nonce", ""),
        )
    except InvalidSignatureException:
        abort(403)
    if request.method == "GET":
        return request.args.get("echostr", "")
    try:
        message = parse_message(request.get_data())
    except ExpatError:
        abort(400)
    if message.type != "event":
        return "success"
    if message.event == "unsubscribe":
        notifications.wechat_left(message.source)
        return "success"
    if message.event not in ("subscribe_scan", "scan"):
        return "success"
    person = notifications.bind_wechat(message.scene_id, message.source)
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale((person.language if person else None) or default):
        words = (
            _("Bound: your Linli messages will come here.")
            if person
            else _("This code is too old. Ask Linli for a new one on your settings page.")
        )
    return current_app.response_class(
        TextReply(content=words, message=message).render(), mimetype="application/xml"
    )


@bp.post("/account/push-subscriptions")
@signed_in
def subscribe():
    """Keep the push subscription this browser made (its PushSubscription.toJSON())."""
    if not push.configured():
        abort(404)
    try:
        push.subscribe(current_user, request.get_json(silent=True) or {})
    except push.SubscriptionRefused:
        return jsonify(message=_("This browser cannot receive notifications from Linli.")), 400
    return jsonify(message=_("This phone will be told of your messages.")), 201


@bp.post("/account/push-subscriptions/remove")
@signed_in
def unsubscribe():
    """Forget this browser's push subscription."""
    endpoint = (request.get_json(silent=True) or {}).get("endpoint")
    if isinstance(endpoint, str):
        push.unsubscribe(current_user, endpoint)
    return jsonify(message=_("This phone will no longer be told of your messages.")), 200


@bp.get("/sw.js")
@public
def service_worker():
    """The service worker, from the site's root so that it may serve every page: it shows the
    messages pushed to this phone and opens them when tapped."""
    response = send_from_directory(current_app.static_folder, "js/sw.js", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get("/admin/outbox")
@roles_required(Role.ADMIN)
def failed():
    """The messages to people of the admin's communities that could not be sent, and why."""
    found = notifications.failed_page(current_user, request.args.get("page", 1, type=int))
    items = list(found)
    return render_template(
        "notifications/failed.html",
        found=found,
        described={n.id: describe(n) for n in items},
        reasons=notifications.reasons(items),
        recipients=notifications.recipients(items),
        counts=notifications.outbox_counts(),
        channel_names=CHANNEL_NAMES,
    )


@bp.post("/admin/outbox/<int:notification_id>/retry")
@roles_required(Role.ADMIN)
def retry(notification_id: int):
    if notifications.try_again(current_user, notification_id) is None:
        abort(404)
    flash(_("The message will be sent again in a moment."), "success")
    return redirect_to(url_for("notifications.failed"))
