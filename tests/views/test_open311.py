"""The open API, checked field by field against the Open311 GeoReport v2 specification: the
service list, a service's definition, sending a request and reading it, in JSON and in XML, and
its errors. A key names its community; an application asks for a resident it has identified
(resident code and a mobile number of theirs or their family's), and reads only what it sent."""

from xml.etree.ElementTree import fromstring

import pytest

from portal.extensions import db
from portal.help import catalogue, open_api
from portal.help import services as help
from portal.help.models import HelpRequest, Source
from tests.helpers import ask_where, catalogue_service

# The fields of each of the specification's records, in its order.
SERVICE_FIELDS = [
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
]
ATTRIBUTE_FIELDS = [
    "variable",
    "code",
    "datatype",
    "required",
    "datatype_description",
    "order",
    "description",
    "values",
]
REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]
W3C = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$"


@pytest.fixture
def api(world, people):
    """The community's water service with two questions, and an application's key."""
    service = catalogue_service(world, people.admin, hints={"en": "No water"})
    ask_where(people.admin, service)
    catalogue.add_question(people.admin, service, {"en": "Neighbours too?"}, "yes_no", [], False)
    _key, secret = open_api.make_key(people.admin, world.community.id, "幸福里小程序")
    people.resident.phone = "13712345678"
    db.session.commit()
    return service, secret


def test_the_service_list(client, api, world):
    service, secret = api
    body = client.get(f"/open311/v2/services.json?api_key={secret}&locale=en").get_json()
    assert [list(record) for record in body] == [SERVICE_FIELDS] * 7
    assert [r["service_code"] for r in body] == [
        "repair",
        "water",
        "errand",
        "paperwork",
        "unwell",
        "company",
        "other",
    ]
    water = body[1]
    assert water == {
        "service_code": "water",
        "service_name": "Water problem",
        "description": "No water",
        "metadata": True,
        "type": "realtime",
        "keywords": "repair",
        "group": "Repair",
    }
    xml = client.get(f"/open311/v2/services.xml?jurisdiction_id={world.community.id}")
    assert xml.mimetype == "application/xml"
    root = fromstring(xml.data)
    assert root.tag == "services" and [e.tag for e in root] == ["service"] * 7
    assert all([e.tag for e in service] == SERVICE_FIELDS for service in root)
    assert root[1].findtext("service_name") == "停水、水管"
    assert root[1].findtext("metadata") == "true" and root[0].findtext("metadata") == "false"


def test_a_service_definition(client, api):
    service, secret = api
    body = client.get(f"/open311/v2/services/water.json?api_key={secret}&locale=en").get_json()
    assert list(body) == ["service_code", "attributes"] and body["service_code"] == "water"
    where, neighbours = body["attributes"]
    assert list(where) == ATTRIBUTE_FIELDS
    assert where["code"] == f"q{service.questions[0].id}" and where["variable"] is True
    assert where["datatype"] == "singlevaluelist" and where["required"] is True
    assert where["order"] == 1 and where["description"] == "Where is there no water?"
    assert where["values"] == [{"key": "0", "name": "Kitchen"}, {"key": "1", "name": "Bathroom"}]
    assert neighbours["required"] is False and [v["key"] for v in neighbours["values"]] == [
        "yes",
        "no",
    ]
    root = fromstring(client.get(f"/open311/v2/services/water.xml?api_key={secret}").data)
    assert root.tag == "service_definition"
    assert [e.tag for e in root] == ["service_code", "attributes"]
    attribute = root.find("attributes/attribute")
    assert [e.tag for e in attribute] == ATTRIBUTE_FIELDS
    assert [v.findtext("name") for v in attribute.findall("values/value")] == ["厨房", "卫生间"]


def test_sending_and_reading_a_request(client, api, people, world):
    service, secret = api
    where = f"attribute[q{service.questions[0].id}]"
    sent = client.post(
        "/open311/v2/requests.json",
        data={
            "api_key": secret,
            "service_code": "water",
            "account_id": people.resident.resident_code,
            "phone": "137 1234 5678",
            where: "1",
            "description": "水压很低",
        },
    )
    assert sent.status_code == 201, sent.data.decode()
    (receipt,) = sent.get_json()
    assert list(receipt) == ["service_request_id", "service_notice", "account_id"]
    request = db.session.scalar(db.select(HelpRequest))
    assert receipt["service_request_id"] == request.reference
    assert request.source == Source.APP and request.note == "水压很低"
    assert request.answers[0]["answer"]["en"] == "Bathroom"

    read = client.get(f"/open311/v2/requests/{request.reference}.json?api_key={secret}&locale=en")
    (record,) = read.get_json()
    assert list(record) == REQUEST_FIELDS
    assert record["status"] == "open" and record["service_code"] == "water"
    assert record["service_name"] == "Water problem" and record["status_notes"] == "Waiting"
    assert record["agency_responsible"] == world.community.name
    import re

    assert re.match(W3C, record["requested_datetime"])
    help.take(request, people.worker)
    help.resolve(request, people.worker, "修好了")
    root = fromstring(client.get(f"/open311/v2/requests.xml?api_key={secret}").data)
    assert root.tag == "service_requests" and [e.tag for e in root[0]] == REQUEST_FIELDS
    assert root[0].findtext("status") == "closed"

    # Family linked to the resident may ask for them with their own mobile number.
    family = client.post(
        "/open311/v2/requests.xml",
        data={
            "api_key": secret,
            "service_code": "repair",
            "account_id": people.resident.resident_code,
            "phone": people.family.phone,
        },
    )
    assert family.status_code == 201
    assert fromstring(family.data).tag == "service_requests"


@pytest.mark.parametrize(
    ("change", "code", "words"),
    [
        ({"api_key": "linli_nope"}, 403, "api_key"),
        ({"api_key": ""}, 403, "api_key"),
        ({"service_code": "rocket"}, 404, "service_code"),
        ({"phone": "13800000000"}, 403, "account_id"),
        ({"account_id": "999999"}, 403, "account_id"),
        ({"answer": "7"}, 400, "attribute[q"),
        ({"answer": ""}, 400, "attribute[q"),
        ({"jurisdiction_id": "12345"}, 404, "jurisdiction_id"),
    ],
)
def test_each_refusal_says_why_in_the_specification_s_errors(
    client, api, people, change, code, words
):
    service, secret = api
    data = {
        "api_key": secret,
        "service_code": "water",
        "account_id": people.resident.resident_code,
        "phone": "13712345678",
        f"attribute[q{service.questions[0].id}]": "0",
        "locale": "en",
    }
    if "answer" in change:
        data[f"attribute[q{service.questions[0].id}]"] = change.pop("answer")
    data.update(change)
    answer = client.post("/open311/v2/requests.json", data=data)
    assert answer.status_code == code
    (error,) = answer.get_json()
    assert list(error) == ["code", "description"] and error["code"] == code
    assert words in error["description"]
    xml = client.post("/open311/v2/requests.xml", data=data)
    root = fromstring(xml.data)
    assert root.tag == "errors" and root.find("error/code").text == str(code)
    assert db.session.scalar(db.select(db.func.count(HelpRequest.id))) == 0


def test_an_application_reads_only_what_it_sent(client, api, people, world):
    _service, secret = api
    _other, other_secret = open_api.make_key(people.admin, world.community.id, "物业系统")
    mine, _new = help.raise_request(people.resident, "errand", people.resident)
    for key in (secret, other_secret):
        answer = client.get(f"/open311/v2/requests/{mine.reference}.json?api_key={key}")
        assert answer.status_code == 404
    assert client.get(f"/open311/v2/requests.json?api_key={secret}").get_json() == []
    bad = client.get(f"/open311/v2/requests.json?api_key={secret}&service_request_id=x;1")
    assert bad.status_code == 400
    open_api.revoke(people.admin, open_api.key_for(secret))
    assert client.get(f"/open311/v2/services.json?api_key={secret}").status_code == 400
    assert client.get(f"/open311/v2/requests.json?api_key={secret}").status_code == 403
