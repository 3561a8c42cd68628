"""A community's admins keep its catalogue: start it from the six kinds of request, add and
change services, give them questions, withdraw them."""

import pytest
from sqlalchemy import select

from portal.accounts.models import Role
from portal.audit.models import AuditEntry
from portal.community.models import Community
from portal.extensions import db
from portal.help import catalogue
from tests.helpers import html, text_of


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("linli_lang", "en")


GOOD = {
    "name_zh_hans": "停水、水管",
    "name_en": "Water problem",
    "hint_zh_hans": "没水、漏水",
    "code": "Water",
    "category": "repair",
    "handler": "partner",
    "charge": "subsidised",
    "price": "5",
    "open_days": ["1", "2", "3", "4", "5"],
    "opens": "08:30",
    "closes": "17:30",
    "position": "0",
    "on_kiosk": "y",
}


def test_an_admin_starts_the_catalogue_and_adds_a_service(client, people, partners, world, sign_in):
    _property, water = partners
    sign_in.password(people.admin)
    page = html(client.get("/help/catalogue/"))
    assert len(page.select("tbody tr")) == 6 and not page.select("tbody a")
    assert client.post("/help/catalogue/start").status_code == 303
    page = html(client.get("/help/catalogue/"))
    assert len(page.select("tbody a")) == 6

    refused = client.post("/help/catalogue/new", data={**GOOD, "partner": "0", "price": ""})
    assert refused.status_code == 422
    errors = [a["href"] for a in html(refused).select(".error-summary a")]
    assert errors == ["#partner", "#price"]
    bad_hours = client.post(
        "/help/catalogue/new", data={**GOOD, "partner": water.id, "closes": "07:00"}
    )
    assert bad_hours.status_code == 422 and "close after it opens" in bad_hours.text
    bad_code = client.post(
        "/help/catalogue/new", data={**GOOD, "partner": water.id, "code": "水 管"}
    )
    assert bad_code.status_code == 422 and "small letters" in bad_code.text
    saved = client.post("/help/catalogue/new", data={**GOOD, "partner": water.id})
    assert saved.status_code == 303
    service = catalogue.service_by_code(world.community.id, "water")
    assert service.partner_id == water.id and service.price_fen == 500
    assert service.open_days == "12345" and service.names["en"] == "Water problem"
    taken = client.post("/help/catalogue/new", data={**GOOD, "partner": water.id})
    assert taken.status_code == 422 and "Another service has this code" in taken.text

    url = f"/help/catalogue/{service.id}"
    refused = client.post(f"{url}/questions", data={"text_zh_hans": "哪里？", "kind": "choice"})
    assert refused.status_code == 422 and "at least two answers" in refused.text
    client.post(
        f"{url}/questions",
        data={
            "text_zh_hans": "哪里没水？",
            "text_en": "Where is there no water?",
            "kind": "choice",
            "choices": "厨房 | 廚房 | Kitchen\n卫生间 | 衛生間 | Bathroom\n",
            "required": "y",
        },
    )
    db.session.expire_all()
    (question,) = catalogue.service_by_code(world.community.id, "water").questions
    assert question.choices[1] == {"zh_Hans": "卫生间", "zh_Hant": "衛生間", "en": "Bathroom"}
    assert "Where is there no water?" in text_of(client.get(url))

    client.post(f"{url}/withdraw")
    db.session.expire_all()
    assert catalogue.service_by_code(world.community.id, "water") is None
    assert "Withdrawn" in text_of(client.get("/help/catalogue/"))
    client.post(f"{url}/restore")
    db.session.expire_all()
    assert catalogue.service_by_code(world.community.id, "water") is not None
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert "help.catalogue_started" in actions and "help.service_withdrawn" in actions


def test_nobody_else_keeps_the_catalogue(client, people, world, sign_in):
    sign_in.password(people.worker)
    assert client.get("/help/catalogue/").status_code == 403
    sign_in.password(people.admin)
    assert client.get("/help/catalogue/99999").status_code == 404
    catalogue.start(people.admin, world.community.id)
    mine = catalogue.services_of(world.community.id)[0]
    elsewhere = Community(name="别的社区", hotline="0871-2", street_office=world.street)
    db.session.add(elsewhere)
    db.session.commit()
    sign_in.password(world.person(Role.ADMIN, name="外人", community=elsewhere))
    assert client.get(f"/help/catalogue/{mine.id}").status_code == 404
    assert client.post(f"/help/catalogue/{mine.id}/withdraw").status_code == 404


def test_an_admin_makes_a_key_for_an_application_and_revokes_it(client, people, world, sign_in):
    sign_in.password(people.admin)
    refused = client.post("/help/catalogue/keys", data={"name": " "})
    assert refused.status_code == 422
    made = client.post("/help/catalogue/keys", data={"name": "幸福里小程序"})
    assert made.status_code == 200 and made.headers["Cache-Control"] == "no-store"
    secret = html(made).select_one(".key-figure code").get_text()
    assert secret.startswith("linli_")
    assert client.get(f"/open311/v2/services.json?api_key={secret}").status_code == 200
    listed = html(client.get("/help/catalogue/keys"))
    assert secret not in listed.get_text() and "幸福里小程序" in listed.get_text()
    revoke = listed.select_one("form[action$='/revoke']")["action"]
    assert client.post(revoke).status_code == 303
    assert client.get(f"/open311/v2/requests.json?api_key={secret}").status_code == 403
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert "help.api_key_made" in actions and "help.api_key_revoked" in actions
    sign_in.password(people.worker)
    assert client.get("/help/catalogue/keys").status_code == 403
