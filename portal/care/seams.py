"""Care visits at the other features' seams: a help request a care visit or a missed check-in
raised says so on its page, and the residents due a visit are in the grid worker's day."""

from datetime import time

from flask import render_template

from portal.accounts import day
from portal.care import services as care
from portal.community.models import instant_in
from portal.help import sources
from portal.help.models import Source


def init_app() -> None:
    sources.register(Source.CARE_VISIT, _raised_by_a_visit)
    sources.register(Source.CHECK_IN, _raised_by_a_missed_check_in)
    day.register("care", _visits_due, care.due_fingerprint)


def _raised_by_a_visit(request) -> str:
    return render_template("care/_help_source.html", request=request, plan=None)


def _raised_by_a_missed_check_in(request) -> str:
    plan = care.check_in_plan(request.resident)
    return render_template("care/_help_source.html", request=request, plan=plan)


def _visits_due(worker, now) -> list[day.Item]:
    return [
        day.Item(
            key=f"visit-{due.resident.id}",
            urgent=False,
            colour=due.resident.care_colour,
            since=instant_in(due.resident.community.timezone, due.due_on, time(0)),
            template="care/_day_item.html",
            subject=due,
        )
        for due in care.due_list(worker, now)
    ]
