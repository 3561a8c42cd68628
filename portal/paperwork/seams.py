"""Paperwork at the other features' seams: the paperwork button of the help catalogue leads to
the kinds to choose from; a paperwork request's pages show its documents and how it went; the
yearly paperwork due soon is in the grid worker's day and on the resident's profile."""

from datetime import time

from flask import render_template, url_for
from flask_babel import get_locale
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from portal.accounts import day
from portal.community.models import instant_in
from portal.help import catalogue, parts
from portal.help.models import Category
from portal.paperwork import services as paperwork
from portal.paperwork.forms import KindChoiceForm


def init_app() -> None:
    catalogue.register_first_step(Category.PAPERWORK, _choose_first)
    parts.register("paperwork", read=paperwork.cases_of, staff=_for_staff, resident=_for_resident)
    day.register("paperwork", _due_this_week, paperwork.due_fingerprint)


def _choose_first(service, resident) -> str:
    return url_for(
        "paperwork.ask",
        service=service.code,
        resident_id=resident.id if resident.id != current_user.id else None,
    )


def _for_staff(request, kept) -> str:
    """kept: (the request's case, the resident's due date of its kind), or None."""
    if request.category != Category.PAPERWORK or not paperwork.may_work_on(current_user, request):
        return ""
    case, due = kept or (None, None)
    choice = KindChoiceForm(formdata=None, data={"kind": case.kind_id if case else None})
    choice.kind.choices = [
        SelectChoice(k.id, k.name(str(get_locale())))
        for k in paperwork.kinds_of(request.community_id)
    ]
    return render_template(
        "paperwork/_case_staff.html",
        req=request,
        case=case,
        choice=choice,
        next_due=_next_due(case, due),
    )


def _next_due(case, due):
    """The due date to show with a case done: the next one of a yearly kind."""
    return due if case.outcome == "done" and case.kind.every_months else None


def _for_resident(request, kept) -> str:
    if kept is None:
        return ""
    case, due = kept
    return render_template(
        "paperwork/_case_resident.html",
        req=request,
        case=case,
        waiting=paperwork.to_confirm(case),
        next_due=_next_due(case, due),
    )


def _due_this_week(worker, now) -> list[day.Item]:
    return [
        day.Item(
            key=f"paperwork-{due.id}",
            urgent=False,
            colour=due.resident.care_colour,
            since=instant_in(due.resident.community.timezone, due.due_on, time(0)),
            template="paperwork/_day_item.html",
            subject=due,
        )
        for due in paperwork.due_list(worker, now, within_days=paperwork.WEEK_AHEAD)
    ]
