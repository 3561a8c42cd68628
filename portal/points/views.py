"""A person's points: their balance, what moved it, their vouchers and hours of service, getting
a voucher, and a printable certificate of service hours."""

from flask import Blueprint, abort, flash, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.access import roles_required
from portal.accounts.models import Role
from portal.points import services as points
from portal.points import vouchers
from portal.points.forms import TO_A_NEIGHBOUR, GiveForm, RedeemForm
from portal.web.forms import REFUSED, status_for
from portal.web.htmx import redirect_to

bp = Blueprint("points", __name__, url_prefix="/points")

# Who earns and spends points: volunteers, and residents who help or are given points.
HOLDERS = (Role.RESIDENT, Role.VOLUNTEER)


def _community():
    return current_user.community or abort(404)


@bp.get("/")
@roles_required(*HOLDERS)
def mine():
    community = _community()
    return render_template(
        "points/mine.html",
        community=community,
        balance=points.balance(current_user, community.id),
        moved=points.movements(current_user, community.id),
        held=vouchers.vouchers_of(current_user, community.id),
        minutes=points.service_minutes(current_user, community.id),
    )


@bp.get("/vouchers")
@roles_required(*HOLDERS)
def shop():
    community = _community()
    return render_template(
        "points/shop.html",
        balance=points.balance(current_user, community.id),
        kinds=vouchers.on_offer(community.id, community.today()),
    )


def _refusal(error: Exception, kind) -> str:
    """Why kind cannot be had, in words."""
    if isinstance(error, points.NotEnoughPoints):
        return _(
            "You have %(balance)s points; this voucher costs %(price)s.",
            balance=points.balance(current_user, kind.community_id),
            price=kind.points,
        )
    if isinstance(error, vouchers.SoldOut):
        return _("There are none of these vouchers left.")
    if isinstance(error, vouchers.LimitReached):
        return _(
            "You have had as many of these vouchers as one person may: %(limit)s.",
            limit=error.limit,
        )
    return _("This voucher is not on offer any more.")


@bp.route("/vouchers/<int:kind_id>", methods=["GET", "POST"])
@roles_required(*HOLDERS)
def get(kind_id: int):
    """Check, then confirm: the balance before and after, and one button."""
    community = _community()
    kind = vouchers.kind_of(community.id, kind_id) or abort(404)
    form = RedeemForm()
    balance = points.balance(current_user, community.id)
    refused = None
    try:
        if form.validate_on_submit():
            voucher = vouchers.redeem(current_user, kind, form.key.data)
            return redirect_to(url_for("points.got", voucher_id=voucher.id))
        vouchers.check(current_user, kind, community.today())
    except (vouchers.VoucherError, points.NotEnoughPoints) as error:
        refused = _refusal(error, kind)
    page = render_template(
        "points/get.html", kind=kind, form=form, balance=balance, refused=refused
    )
    return page, REFUSED if refused and form.is_submitted() else status_for(form)


@bp.get("/vouchers/mine/<int:voucher_id>")
@roles_required(*HOLDERS)
def got(voucher_id: int):
    community = _community()
    voucher = vouchers.by_reference(community.id, str(voucher_id))
    if voucher is None or voucher.holder_id != current_user.id:
        abort(404)
    return render_template(
        "points/got.html", voucher=voucher, balance=points.balance(current_user, community.id)
    )


@bp.route("/give", methods=["GET", "POST"])
@roles_required(*HOLDERS)
def give():
    """Give points to a neighbour or the community's pool: the form, a check of who gets them
    and the balance after, then one confirmation."""
    community = _community()
    form = GiveForm()
    balance = points.balance(current_user, community.id)
    to = None
    if form.validate_on_submit():
        if form.confirmed.data and points.given(form.key.data, current_user):
            return redirect_to(url_for("points.mine"))  # a second tap of the confirmation
        if form.to.data == TO_A_NEIGHBOUR:
            to = points.recipient(community.id, form.who.data, current_user)
            if to is None:
                form.who.errors.append(
                    _("No neighbour in your community has this mobile number or resident code.")
                )
        if form.points.data > balance:
            form.points.errors.append(_("You have %(balance)s points to give.", balance=balance))
        if not form.errors:
            if not form.confirmed.data:
                form.confirmed.data = "yes"
                return render_template("points/give_check.html", form=form, to=to, balance=balance)
            try:
                points.give(current_user, community.id, form.points.data, to=to, key=form.key.data)
            except points.NotEnoughPoints:
                form.points.errors.append(
                    _("You have %(balance)s points to give.", balance=balance)
                )
            else:
                flash(
                    _(
                        "You gave %(points)s points to %(name)s.",
                        points=form.points.data,
                        name=to.name,
                    )
                    if to
                    else _(
                        "You gave %(points)s points to the community's pool.",
                        points=form.points.data,
                    ),
                    "success",
                )
                return redirect_to(url_for("points.mine"))
    form.confirmed.data = ""
    return render_template("points/give.html", form=form, balance=balance), status_for(form)


@bp.get("/certificate")
@roles_required(*HOLDERS)
def certificate():
    """The record of service hours, to print: it never expires."""
    community = _community()
    records = points.service_records(current_user, community.id)
    return render_template(
        "points/certificate.html",
        community=community,
        records=records,
        minutes=sum(record.minutes for record in records),
    )
