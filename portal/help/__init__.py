"""One-tap help: requests that land in the grid's queue, escalate, and close the loop with the
resident."""

from flask import Flask, url_for
from flask_babel import lazy_gettext as _l

from portal.accounts import day, profile
from portal.accounts import seams as accounts
from portal.audit import services as audit
from portal.community import seams as places


def init_app(app: Flask) -> None:
    from portal.help import (
        catalogue,
        catalogue_views,
        labels,
        messages,
        open311_views,
        parts,
        views,
    )
    from portal.notifications import messages as notifications

    # Words for categories and statuses, and the buttons a resident's home shows, for pages and
    # for the macros they import.
    app.jinja_env.globals.update(
        help_labels=labels,
        help_buttons=lambda resident: catalogue.kiosk_buttons(resident.community_id),
        help_first_step=catalogue.first_step,
        help_parts=parts,
    )

    app.register_blueprint(views.bp)
    app.register_blueprint(catalogue_views.bp)
    app.register_blueprint(open311_views.bp)
    notifications.register("help", messages.describe, messages.describe_batch)
    audit.name_area("help", _l("Help requests"))
    audit.name_actions(
        {
            "help.escalated": _l("%(who)s passed %(whose)s's help request up"),
            "help.handed_off": _l("%(who)s handed %(whose)s's help request to a partner"),
            "help.resolved": _l("%(who)s resolved %(whose)s's help request"),
            "help.read": _l("%(who)s read %(whose)s's help request"),
            "help.settings": _l("%(who)s set how long partners have to accept a request"),
            "help.api_key_made": _l("%(who)s made a key for a partner's application"),
            "help.api_key_revoked": _l("%(who)s revoked a key of a partner's application"),
            "help.catalogue_started": _l("%(who)s started the community's catalogue of services"),
            "help.service_saved": _l("%(who)s changed a service of the catalogue"),
            "help.service_withdrawn": _l("%(who)s withdrew a service from the catalogue"),
        }
    )
    accounts.account_closed.connect(_hand_back_requests, weak=False)
    profile.register_act(
        profile.Act(
            "help",
            30,
            _l("Raise a help request for them"),
            lambda resident: url_for("help.raise_for", code=resident.resident_code),
        )
    )
    profile.register_export("help_requests", _requests_made)
    places.grid_merging.connect(_move_requests, weak=False)
    places.grid_records.connect(_requests_in_grid, weak=False)
    profile.register(
        profile.Part("help", 30, _l("Help requests"), "help/_profile.html", _recent_requests)
    )
    day.register("help", _day_items, _day_fingerprint)


def _recent_requests(resident, _now):
    from portal.help import services

    return services.requests_of(resident, limit=10)


def _day_items(worker, _now) -> list[day.Item]:
    from portal.help import services

    return [
        day.Item(
            key=f"help-{request.id}",
            urgent=request.urgent or request.escalated,
            colour=request.resident.care_colour,
            since=request.created_at,
            template="help/_day_item.html",
            subject=request,
        )
        for request in services.day_requests(worker)
    ]


def _day_fingerprint(worker, _now) -> list:
    from portal.help import services

    return services.day_fingerprint(worker)


def _move_requests(grid, into, by) -> dict[str, int]:
    from portal.help import services

    return {"help requests": services.move_grid(grid, into)}


def _requests_in_grid(grid) -> int:
    from portal.help import services

    return services.requests_in_grid(grid)


def _hand_back_requests(person, by, now=None) -> dict[str, int]:
    from portal.help import services

    return {"help requests": services.hand_back_all(person, by)}


def _requests_made(resident) -> list[dict]:
    from portal.help import services

    return services.export_of(resident)
