"""Delivery rounds for volunteers and grid workers: today's rounds in their grids, and the phone
view of one round, where each drop is marked delivered, no answer or refused."""

import re
from collections import Counter

from flask import Blueprint, abort, flash, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.access import roles_required
from portal.accounts.models import Role
from portal.canteen import menus
from portal.delivery import rounds as delivery_rounds
from portal.delivery import services as delivery
from portal.delivery.models import Outcome
from portal.model_base import utcnow
from portal.web.forms import REFUSED
from portal.web.htmx import is_htmx, redirect_to, render_page_or_fragment

# The drops' own address is /delivery/drops/…, beside the rounds' /delivery/rounds/….
bp = Blueprint("rounds", __name__, url_prefix="/delivery")

RUNNERS = (Role.VOLUNTEER, Role.GRID_WORKER, Role.CANTEEN_STAFF, Role.ADMIN)
# The key a phone gives each marking it sends, to be kept once however often it is sent.
KEY = re.compile(r"[A-Za-z0-9-]{16,64}")


def _round(round_id: int):
    """The round, if the signed-in person serves its grid, runs it or manages its canteen; 404 or
    403 otherwise, so that nobody else learns whom it feeds."""
    found = delivery_rounds.get_round(round_id) or abort(404)
    if not (
        found.runner_id == current_user.id
        or delivery.may_run(current_user, found)
        or menus.may_manage(current_user, found.meal_day.service.canteen)
    ):
        abort(403)
    return found


def _round_page(round_) -> dict:
    """What the phone view of round_ shows: its drops by building and floor, and how it stands."""
    drops = delivery_rounds.drops_of(round_.meal_day, [round_.id])
    outcomes = Counter(drop.outcome for drop in drops)
    return {
        "round": round_,
        "groups": delivery_rounds.sheet(drops),
        "tally": delivery_rounds.Progress(
            round_,
            len(drops),
            outcomes[Outcome.DELIVERED],
            outcomes[Outcome.NO_ANSWER],
            outcomes[Outcome.REFUSED],
        ),
        "is_today": round_.meal_day.service.canteen.community.today() == round_.meal_day.day,
        # Doors are marked by the one who runs the round, or by the canteen's staff.
        "may_mark": round_.runner_id == current_user.id
        or delivery.is_staff_for(current_user, round_.meal_day.service.canteen),
    }


def _runs_it(runner) -> str:
    if runner is None:
        return _("Nobody is delivering this round yet.")
    return _(
        "%(name)s is delivering this round, so only they can mark its drops. Ask them, or ask the canteen.",
        name=runner.name,
    )


@bp.get("/rounds/")
@roles_required(*RUNNERS)
def index():
    return render_template(
        "delivery/rounds/index.html", rows=delivery_rounds.rounds_to_run(current_user)
    )


@bp.get("/rounds/<int:round_id>")
@roles_required(*RUNNERS)
def show(round_id: int):
    return render_template("delivery/rounds/show.html", **_round_page(_round(round_id)))


@bp.post("/rounds/<int:round_id>/take")
@roles_required(*RUNNERS)
def take(round_id: int):
    found = _round(round_id)
    try:
        delivery_rounds.take_round(found, current_user)
    except delivery.NotAllowed:
        flash(_("Only volunteers and grid workers of this grid can deliver this round."), "error")
    except delivery.NotYourRound as error:
        flash(_runs_it(error.runner), "error")
    else:
        flash(_("You are delivering this round. Thank you."), "success")
    return redirect_to(url_for(".show", round_id=found.id))


@bp.post("/rounds/<int:round_id>/release")
@roles_required(*RUNNERS)
def release(round_id: int):
    found = _round(round_id)
    try:
        delivery_rounds.release_round(found, current_user)
    except delivery.NotYourRound as error:
        flash(_runs_it(error.runner), "error")
    else:
        flash(_("You have given the round back. Someone else can take it now."), "success")
    return redirect_to(url_for(".show", round_id=found.id))


def _marked(drop) -> str:
    """What the volunteer hears once a drop is marked."""
    name = drop.enrolment.resident.name
    if drop.outcome == Outcome.NO_ANSWER:
        return _(
            "No answer at %(name)s's door. A welfare check is now in the help queue.",
            name=name,
        )
    if drop.outcome == Outcome.REFUSED:
        return _("%(name)s refused the meal. That is noted.", name=name)
    return _("Delivered to %(name)s.", name=name)


def _refusal(error: delivery.DeliveryError, drop) -> str:
    """Why a drop could not be marked; nothing was saved."""
    if isinstance(error, delivery.NotYourRound):
        return _runs_it(error.runner)
    if isinstance(error, delivery.NotToday):
        return _(
            "This meal was for %(day)s. A drop can be marked only on its own day.",
            day=format_date(drop.meal_day.day, "full"),
        )
    if isinstance(error, delivery.NotTaken):
        return _("Nobody is delivering this round yet. Take it first, then mark its doors.")
    if isinstance(error, delivery.Withdrawn):
        return _("This meal was cancelled, so there is nothing to deliver. Nothing was saved.")
    return _("Choose Delivered, No answer or Refused.")


@bp.post("/drops/<int:drop_id>/mark")
@roles_required(*RUNNERS)
def mark(drop_id: int):
    drop = delivery_rounds.get_drop(drop_id) or abort(404)
    round_ = _round(drop.round_id)
    note = request.form.get("note", "")
    key = request.form.get("key", "")
    now = utcnow()
    try:
        delivery_rounds.mark(
            drop,
            current_user,
            request.form.get("outcome", ""),
            note,
            now,
            key=key if KEY.fullmatch(key) else None,
            knocked_at=delivery_rounds.knock_time(
                now,
                request.form.get("knocked_at", type=int),
                request.form.get("sent_at", type=int),
            ),
        )
    except delivery.NotAllowed:
        abort(403)
    except delivery.DeliveryError as error:
        notice = {"drop_id": drop.id, "text": _refusal(error, drop), "error": True, "note": note}
        status = REFUSED
    else:
        if not is_htmx():
            flash(_marked(drop), "success")
            return redirect_to(url_for(".show", round_id=round_.id, _anchor=f"drop-{drop.id}"))
        notice, status = {"drop_id": drop.id, "text": _marked(drop), "error": False}, 200
    return render_page_or_fragment(
        "delivery/rounds/show.html",
        "delivery/rounds/_marked.html",
        f"drop-{drop.id}",
        status,
        drop=drop,
        notice=notice,
        **_round_page(round_),
    )
