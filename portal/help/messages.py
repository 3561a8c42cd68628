"""How the help queue's notifications read, in the reader's language."""

from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from portal.help.labels import CATEGORY_TITLES, STATUS_LABELS
from portal.help.models import Level

STAFF_KINDS = ("help.urgent", "help.new", "help.escalated", "help.taken")


def describe(kind: str, params: dict) -> tuple[str, str | None]:
    """A sentence about a change to a resident's request for help."""
    words = {
        "resident": params.get("resident", ""),
        "category": CATEGORY_TITLES.get(params.get("category"), params.get("category", "")),
        "status": STATUS_LABELS.get(params.get("status"), params.get("status", "")),
    }
    if kind == "help.handed_to_partner":
        return _for_partner(params), url_for(
            "partner_desk.request_page", request_id=params["request_id"]
        )
    if kind in STAFF_KINDS:
        return _for_staff(kind, params), url_for("help.detail", request_id=params["request_id"])
    if kind == "help.partner_news":
        return _partner_news(params), url_for("help.detail", request_id=params["request_id"])
    link = url_for("help.mine", resident_id=params["resident_id"])
    if kind == "help.partner_accepted":
        text = _(
            "%(partner)s has accepted %(resident)s's request for help (%(category)s) and is on "
            "the way.",
            partner=params.get("partner", ""),
            **words,
        )
    elif kind == "help.note":
        text = _("There is a new note on %(resident)s's request for help (%(category)s).", **words)
    else:
        text = _("%(resident)s's request for help (%(category)s) is now: %(status)s.", **words)
    return text, link


def _for_partner(params: dict) -> str:
    """What a partner's people read of a request handed to them: what, where, whom to call."""
    words = {
        "reference": params["reference"],
        "category": CATEGORY_TITLES.get(params["category"], params["category"]),
        "resident": params["resident"],
        "where": " ".join(part for part in (params["building"], params["room"]) if part),
        "worker": params["worker"],
        "worker_phone": params["worker_phone"],
    }
    if params["phone"]:
        return _(
            "%(worker)s hands you %(reference)s: %(category)s for %(resident)s, %(where)s. Call "
            "%(resident)s on %(phone)s, or %(worker)s on %(worker_phone)s.",
            phone=params["phone"],
            **words,
        )
    return _(
        "%(worker)s hands you %(reference)s: %(category)s for %(resident)s, %(where)s. Call "
        "%(worker)s on %(worker_phone)s.",
        **words,
    )


def _partner_news(params: dict) -> str:
    """What the holder of a request reads of what its partner did with it."""
    words = {
        "reference": params["reference"],
        "category": CATEGORY_TITLES.get(params["category"], params["category"]),
        "resident": params["resident"],
        "partner": params["partner"],
    }
    what = params["what"]
    if what == "declined":
        return _(
            "%(partner)s declined %(reference)s (%(category)s, %(resident)s): %(reason)s. It is "
            "back with you.",
            reason=params.get("reason", ""),
            **words,
        )
    if what == "lapsed":
        return _(
            "%(partner)s did not accept %(reference)s (%(category)s, %(resident)s) in time. It is "
            "back with you.",
            **words,
        )
    if what == "handed_on":
        return _(
            "%(partner)s handed %(reference)s (%(category)s, %(resident)s) on to %(to)s.",
            to=params.get("to", ""),
            **words,
        )
    return _(
        "%(partner)s has done %(reference)s (%(category)s, %(resident)s): the resident is asked "
        "whether it is fixed.",
        **words,
    )


def _for_staff(kind: str, params: dict) -> str:
    """What a worker or admin reads of a request: what, whose, where; and who took it."""
    words = {
        "reference": params["reference"],
        "category": CATEGORY_TITLES.get(params["category"], params["category"]),
        "resident": params["resident"],
        "where": " ".join(part for part in (params["building"], params["room"]) if part),
    }
    if kind == "help.taken":
        return _(
            "%(holder)s has taken %(reference)s (%(category)s, %(resident)s): nothing more to do.",
            holder=params["holder"],
            **words,
        )
    if kind == "help.escalated" and params["level"] == Level.STREET:
        return _(
            "Passed up to the street office, nobody has resolved it: %(category)s for "
            "%(resident)s, %(where)s (%(reference)s).",
            **words,
        )
    if kind == "help.escalated":
        return _(
            "Passed up to the community, nobody has taken it: %(category)s for %(resident)s, "
            "%(where)s (%(reference)s).",
            **words,
        )
    if kind == "help.urgent":
        return _(
            "Urgent: %(category)s for %(resident)s, %(where)s. Take it if you can go "
            "(%(reference)s).",
            **words,
        )
    return _("New request: %(category)s for %(resident)s, %(where)s (%(reference)s).", **words)


def describe_batch(batch: list[dict]) -> tuple[str, str | None]:
    """New requests that came while a worker was last told, as one message, opening the queue."""
    items = "; ".join(
        _(
            "%(category)s for %(resident)s (%(reference)s)",
            category=CATEGORY_TITLES.get(params["category"], params["category"]),
            resident=params["resident"],
            reference=params["reference"],
        )
        for params in batch
    )
    text = ngettext(
        "%(num)s new request: %(items)s.",
        "%(num)s new requests: %(items)s.",
        len(batch),
        items=items,
    )
    return text, url_for("help.queue")
