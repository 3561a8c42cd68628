"""Care visits at the other features' seams: a help request a care visit or a missed check-in
raised says so on its page."""

from flask import render_template

from portal.care import services as care
from portal.help import sources
from portal.help.models import Source


def init_app() -> None:
    sources.register(Source.CARE_VISIT, _raised_by_a_visit)
    sources.register(Source.CHECK_IN, _raised_by_a_missed_check_in)


def _raised_by_a_visit(request) -> str:
    return render_template("care/_help_source.html", request=request, plan=None)


def _raised_by_a_missed_check_in(request) -> str:
    plan = care.check_in_plan(request.resident)
    return render_template("care/_help_source.html", request=request, plan=plan)
