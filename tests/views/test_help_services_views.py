"""Asking through the community's catalogue: the kiosk's few big buttons and "More services",
a service's questions one per page, and the request that keeps the answers."""

import pytest

from portal.extensions import db
from portal.help import catalogue
from portal.help import services as help
from portal.help.models import Charge, Handler, HelpRequest
from tests.helpers import ask_where, catalogue_service, html, text_of


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("linli_lang", "en")


@pytest.fixture
def water(world, people, partners):
    """The community's catalogue: water problems, done by the water company after two
    questions; seven more services, one of them off the kiosk's first page; the six kinds of
    request withdrawn."""
    for default in catalogue.start(people.admin, world.community.id):
        catalogue.withdraw(people.admin, default)
    service = catalogue_service(
        world,
        people.admin,
        handler=Handler.PARTNER,
        partner_id=partners[1].id,
        charge=Charge.SUBSIDISED,
        price_fen=500,
    )
    ask_where(people.admin, service)
    catalogue.add_question(
        people.admin, service, {"en": "Anything else they should know?"}, "text", [], False
    )
    for position, code in enumerate(("power", "doors", "gas", "moving", "cleaning", "tv"), 1):
        catalogue_service(world, people.admin, code, position=position, names={"en": code})
    catalogue_service(world, people.admin, "appliances", position=9, on_kiosk=False)
    return service


def test_the_kiosk_shows_six_buttons_and_more_behind_them(client, people, water, sign_in):
    sign_in.as_(people.resident)
    page = html(client.get("/resident"))
    buttons = page.select(".help-buttons > li")
    assert len(buttons) == 6
    assert buttons[0].select_one("a.help-button")["href"] == "/help/services/water"
    assert "You pay ¥5.00; the rest is paid for you" in buttons[0].get_text()
    assert buttons[1].select_one("input[name=service]")["value"] == "power"
    more = page.select_one("main a[href='/help/services']")
    everything = html(client.get(more["href"]))
    codes = [i["value"] for i in everything.select(".help-buttons input[name=service]")]
    assert codes == ["power", "doors", "gas", "moving", "cleaning", "tv", "appliances"]
    sent = client.post("/help/requests", data={"service": "appliances", "category": "repair"})
    assert sent.status_code == 303
    assert db.session.scalar(db.select(HelpRequest.service_id)) is not None
    assert client.post("/help/requests", data={"service": "water"}).status_code == 400
    assert client.post("/help/requests", data={"service": "rocket"}).status_code == 400


def test_a_service_asks_one_question_a_page(client, people, water, partners, sign_in):
    sign_in.as_(people.resident)
    first = html(client.get("/help/services/water"))
    assert first.select_one("h1").get_text(strip=True) == "Where is there no water?"
    assert "Question 1 of 2" in first.get_text()
    form = first.select_one("main form[action='/help/services/water']")
    assert form["method"] == "get" and form.select_one("input[name=step]")["value"] == "1"
    refused = client.get("/help/services/water?step=1")
    assert refused.status_code == 422
    assert (
        html(refused)
        .select_one(".error-summary")
        .get_text(" ", strip=True)
        .endswith("Choose an answer.")
    )
    tampered = client.get("/help/services/water?step=1&a0=7")
    assert tampered.status_code == 422 and "Choose one of the answers" in tampered.text

    second = html(client.get("/help/services/water?step=1&a0=1"))
    assert second.select_one("h1").get_text(strip=True) == "Anything else they should know?"
    final = second.select_one("main form[action='/help/services/water']")
    assert final["method"] == "post" and final.select_one("input[name=a0]")["value"] == "1"
    assert "You can leave this out." in second.get_text()
    back = second.select_one("a.back-link")["href"]
    assert html(client.get(back)).select_one("input[name=a0][value='1']").has_attr("checked")

    assert client.post("/help/services/water", data={"a0": "5", "a1": ""}).status_code == 422
    sent = client.post("/help/services/water", data={"a0": "1", "a1": " 水压很低 "})
    assert sent.status_code == 303
    request = db.session.scalar(db.select(HelpRequest))
    assert request.answers[0]["answer"]["en"] == "Bathroom"
    assert request.answers[1]["answer"] == {"text": "水压很低"}
    assert request.partner_id == partners[1].id and request.holder_id == people.worker.id
    page = text_of(client.get(sent.headers["Location"]))
    assert "Water problem · Reference" in page

    # The grid worker and the water company read the answers.
    sign_in.password(people.worker)
    shown = text_of(client.get(f"/help/requests/{request.id}"))
    assert "Where is there no water? Bathroom" in shown and "Water problem" in shown


def test_family_answer_for_their_parent(client, people, water, sign_in):
    sign_in.password(people.family)
    rid = people.resident.id
    first = html(client.get(f"/help/services/water?resident_id={rid}"))
    assert first.select_one("main form[action='/help/services/water'] input[name=resident_id]")[
        "value"
    ] == str(rid)
    sent = client.post("/help/services/water", data={"a0": "0", "a1": "", "resident_id": str(rid)})
    assert sent.status_code == 303
    request = db.session.scalar(db.select(HelpRequest))
    assert request.resident_id == rid and request.raised_by_id == people.family.id
    stranger = help.get(request.id)
    assert stranger is not None
    assert client.get("/help/services/water?resident_id=99999").status_code == 404
