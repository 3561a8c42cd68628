"""The open API: the community's catalogue and its requests for partners' applications, as the
Open311 GeoReport v2 specification has them, in JSON or XML: the service list, each service's
definition (its questions as attributes), sending a request, and reading the requests sent.

An application sends its key (api_key) with every call; the key names the community. A request
names its resident by resident code (account_id) and a mobile number (phone) that is theirs or
a linked family member's."""

import json
from xml.etree.ElementTree import Element, SubElement, tostring

from flask import Blueprint, Response, current_app, request
from flask_babel import force_locale
from flask_babel import gettext as _

from portal.accounts.access import public
from portal.community.models import Community
from portal.extensions import csrf, db, limiter
from portal.help import catalogue, labels, open_api
from portal.help import services as help
from portal.help.models import LANGUAGES

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")
csrf.exempt(bp)

FORMATS = "<any(json, xml):format>"


class Refused(Exception):
    def __init__(self, code: int, description: str):
        super().__init__(description)
        self.code, self.description = code, description


def _locale() -> str:
    chosen = request.values.get("locale", "zh_Hans")
    return chosen if chosen in LANGUAGES else "zh_Hans"


def _answer(body, format: str, root: str, item: str, status: int = 200) -> Response:
    """body (a list of records, or one record) as JSON, or as XML under root with each record
    an item element."""
    if format == "json":
        return Response(json.dumps(body, ensure_ascii=False), status, mimetype="application/json")
    top = Element(root)
    for record in body if isinstance(body, list) else [body]:
        _xml(SubElement(top, item) if isinstance(body, list) else top, record)
    text = tostring(top, encoding="unicode", xml_declaration=False)
    return Response(
        '<?xml version="1.0" encoding="utf-8"?>' + text, status, mimetype="application/xml"
    )


# Elements holding lists, and the element of each of their items.
XML_ITEMS = {"attributes": "attribute", "values": "value"}


def _xml(parent: Element, record: dict) -> None:
    for name, value in record.items():
        element = SubElement(parent, name)
        if isinstance(value, list):
            for entry in value:
                _xml(SubElement(element, XML_ITEMS[name]), entry)
        elif isinstance(value, bool):
            element.text = "true" if value else "false"
        elif value is not None:
            element.text = str(value)


def _refusal(error: Refused, format: str) -> Response:
    body = [{"code": error.code, "description": error.description}]
    return _answer(body, format, "errors", "error", error.code)


def _key():
    found = open_api.key_for(request.values.get("api_key"))
    if found is None:
        raise Refused(403, _("The api_key is missing, not known or revoked."))
    return found


def _community(key=None) -> Community:
    """The community the call is about: the key's, or jurisdiction_id's for the catalogue."""
    chosen = request.values.get("jurisdiction_id")
    if key is not None:
        if chosen and chosen != str(key.community_id):
            raise Refused(404, _("This key is not for that jurisdiction_id."))
        return db.session.get(Community, key.community_id)
    if not chosen or not chosen.isascii() or not chosen.isdigit() or len(chosen) > 9:
        raise Refused(400, _("Send an api_key, or the jurisdiction_id of a community."))
    found = db.session.get(Community, int(chosen))
    if found is None:
        raise Refused(404, _("There is no community with this jurisdiction_id."))
    return found


def _service_record(service) -> dict:
    return {
        "service_code": service.code,
        "service_name": labels.service_title(service, _locale()),
        "description": labels.service_hint(service, _locale()),
        "metadata": bool(service.questions),
        "type": "realtime",
        "keywords": service.category,
        "group": str(labels.CATEGORY_TITLES[service.category]),
    }


def _attribute(question, order: int) -> dict:
    locale = _locale()
    if question.kind == "text":
        datatype, values = "text", []
    elif question.kind == "yes_no":
        datatype = "singlevaluelist"
        values = [{"key": key, "name": words[locale]} for key, words in catalogue.YES_NO.items()]
    else:
        datatype = "singlevaluelist"
        values = [
            {"key": str(index), "name": choice.get(locale) or next(iter(choice.values()))}
            for index, choice in enumerate(question.choices)
        ]
    return {
        "variable": True,
        "code": open_api.attribute_code(question),
        "datatype": datatype,
        "required": question.required,
        "datatype_description": "",
        "order": order,
        "description": question.text(locale),
        "values": values,
    }


def _with_refusals(view):
    """Run view in the caller's language, and answer a Refused with the specification's errors."""

    def run(format: str, **kwargs):
        with force_locale(_locale()):
            try:
                return view(format, **kwargs)
            except Refused as error:
                return _refusal(error, format)

    run.__name__ = view.__name__
    run.__doc__ = view.__doc__
    return run


@bp.get(f"/services.{FORMATS}")
@public
@_with_refusals
def services(format: str):
    """GET Service List."""
    community = _community(open_api.key_for(request.args.get("api_key")))
    records = [_service_record(s) for s in catalogue.services_of(community.id)]
    return _answer(records, format, "services", "service")


@bp.get(f"/services/<string(maxlength=40):code>.{FORMATS}")
@public
@_with_refusals
def definition(format: str, code: str):
    """GET Service Definition."""
    community = _community(open_api.key_for(request.args.get("api_key")))
    service = catalogue.service_by_code(community.id, code)
    if service is None:
        raise Refused(404, _("There is no service with this service_code."))
    record = {
        "service_code": service.code,
        "attributes": [_attribute(q, i + 1) for i, q in enumerate(service.questions)],
    }
    return _answer(record, format, "service_definition", "service_definition")


def _request_record(found, community) -> dict:
    return {
        "service_request_id": found.reference,
        "status": open_api.status_of(found),
        "status_notes": str(labels.STATUS_LABELS[found.status]),
        "service_name": labels.request_title(found, _locale()),
        "service_code": found.service.code if found.service else found.category,
        "description": found.note or "",
        "agency_responsible": found.partner.name if found.partner else community.name,
        "service_notice": "",
        "requested_datetime": open_api.instant(found.created_at, community),
        "updated_datetime": open_api.instant(found.updated_at, community),
        "expected_datetime": None,
        "address": None,
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


def _attributes_sent() -> dict[str, str]:
    """attribute[code]=value pairs of the form, as {code: value}."""
    return {
        name[len("attribute[") : -1]: value
        for name, value in request.form.items()
        if name.startswith("attribute[") and name.endswith("]")
    }


@bp.post(f"/requests.{FORMATS}")
@public
@limiter.limit("120 per hour", key_func=lambda: f"open311:{request.values.get('api_key', '')}")
@_with_refusals
def send(format: str):
    """POST Service Request."""
    key = _key()
    community = _community(key)
    service = catalogue.service_by_code(community.id, request.form.get("service_code", ""))
    if service is None:
        raise Refused(404, _("There is no service with this service_code."))
    asking = open_api.who_asks(
        community.id, request.form.get("account_id"), request.form.get("phone")
    )
    if asking is None:
        raise Refused(
            403,
            _(
                "account_id must be a resident code of the community, and phone the mobile "
                "number of that resident or of family linked to them."
            ),
        )
    try:
        answers = open_api.answers_sent(service, _attributes_sent())
    except catalogue.BadAnswer as bad:
        code = open_api.attribute_code(service.questions[bad.index])
        raise Refused(
            400, _("attribute[%(code)s] is missing or not one of its values.", code=code)
        ) from bad
    resident, raised_by = asking
    try:
        found, _created = help.raise_request(
            resident,
            service.category,
            raised_by,
            service=service,
            answers=answers,
            note=(request.form.get("description") or "")[: help.NOTE_MAX_LENGTH],
            timers=help.Timers.from_config(current_app.config),
            api_key=key,
        )
    except help.TooManyRequests as refused:
        raise Refused(429, _("Too many requests for this resident this hour.")) from refused
    except help.NoGrid as refused:
        raise Refused(400, _("This resident has no building on record yet.")) from refused
    body = [{"service_request_id": found.reference, "service_notice": "", "account_id": None}]
    return _answer(body, format, "service_requests", "request", 201)


def _ids(text: str) -> list[int]:
    """Request ids from references (H000012) or ids, comma separated; None for one not ours."""
    found = []
    for part in text.split(",")[:100]:
        part = part.strip().upper().removeprefix("H")
        if not part.isascii() or not part.isdigit() or len(part) > 9:
            raise Refused(400, _("service_request_id must be references like H000012."))
        found.append(int(part))
    return found


@bp.get(f"/requests/<string(maxlength=20):reference>.{FORMATS}")
@public
@_with_refusals
def one_request(format: str, reference: str):
    """GET Service Request: one request this application sent."""
    key = _key()
    community = _community(key)
    found = open_api.requests_of(key, _ids(reference))
    if not found:
        raise Refused(404, _("This application sent no request with this reference."))
    return _answer(
        [_request_record(r, community) for r in found], format, "service_requests", "request"
    )


@bp.get(f"/requests.{FORMATS}")
@public
@_with_refusals
def sent_requests(format: str):
    """GET Service Requests: the requests this application sent, or those named."""
    key = _key()
    community = _community(key)
    named = request.args.get("service_request_id")
    found = open_api.requests_of(key, _ids(named) if named else None)
    return _answer(
        [_request_record(r, community) for r in found], format, "service_requests", "request"
    )
