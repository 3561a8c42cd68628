"""Paperwork (代办): the kinds of paperwork grid workers do for residents, with the documents to
have ready; documents taken and given back, confirmed by both sides; how it went; and the yearly
paperwork each resident has due, with reminders a month and a week ahead."""

from flask import Flask
from flask_babel import lazy_gettext as _l

from portal.accounts import profile
from portal.audit import services as audit


def init_app(app: Flask) -> None:
    from portal.notifications import messages as notifications
    from portal.paperwork import labels, messages, seams, services, views

    app.jinja_env.globals.update(paperwork_outcomes=labels.OUTCOMES)
    app.register_blueprint(views.bp)
    seams.init_app()
    notifications.register("paperwork", messages.describe)
    profile.register(
        profile.Part(
            "paperwork",
            35,
            _l("Yearly paperwork"),
            "paperwork/_profile.html",
            lambda resident, _now: services.dues_of(resident),
        )
    )
    profile.register_export("paperwork_due", services.export_of)
    audit.name_area("paperwork", _l("Paperwork"))
    audit.name_actions(
        {
            "paperwork.kind_saved": _l("%(who)s changed a kind of paperwork"),
            "paperwork.kind_withdrawn": _l("%(who)s withdrew a kind of paperwork"),
            "paperwork.kind_restored": _l("%(who)s put back a kind of paperwork"),
            "paperwork.kind_chosen": _l("%(who)s said which paperwork %(whose)s's request is for"),
            "paperwork.document_added": _l("%(who)s added a document to %(whose)s's paperwork"),
            "paperwork.document_taken": _l("%(who)s took a document of %(whose)s's"),
            "paperwork.document_returned": _l("%(who)s gave %(whose)s a document back"),
            "paperwork.recorded": _l("%(who)s recorded how %(whose)s's paperwork went"),
            "paperwork.due_set": _l("%(who)s set when %(whose)s's paperwork is due"),
            "paperwork.due_removed": _l("%(who)s removed a due date of %(whose)s's paperwork"),
        }
    )
