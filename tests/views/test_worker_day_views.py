"""The grid worker's day as a page: their home after signing in, each feature's items with their
next action, and the same ETag/304 polling as the queue."""

from datetime import date

import pytest

from portal.accounts.models import Role
from portal.care import services as care
from portal.extensions import db
from portal.help import services as help
from portal.help.models import HelpRequest
from tests.helpers import html


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("linli_lang", "en")


@pytest.fixture
def red(world, people):
    resident = world.person(
        Role.RESIDENT, name="陈红", birth_date=date(1938, 2, 1), phone="13700002222"
    )
    care.set_colour(people.worker, resident, "red", "独居")
    return resident


def test_a_grid_worker_lands_on_the_day_and_takes_a_request_from_it(client, people, red, sign_in):
    unwell, _ = help.raise_request(people.resident, "unwell", people.resident)
    sign_in.password(people.worker)
    assert client.get("/").headers["Location"] == "/day"
    page = html(client.get("/day"))
    assert page.select_one("h1").get_text() == "Your day"
    assert "2 things ask for you today. 1 is urgent." in page.select_one(".day__count").get_text()
    first, second = page.select("ol.day > li")
    assert first["id"] == f"help-{unwell.id}" and "day__item--urgent" in first["class"]
    take = first.select_one("form")
    assert take["action"] == f"/help/requests/{unwell.id}/take"
    assert take.select_one("button").get_text(strip=True) == "Take it: Feeling unwell · 王桂兰"
    assert second["id"] == f"visit-{red.id}"
    assert second.select_one("a.button")["href"] == f"/care/residents/{red.id}?next=/day"
    assert second.select_one("a.call-link")["href"] == "tel:13700002222"
    taken = client.post(take["action"], data={"csrf_token": "x"})
    assert taken.headers["Location"] == f"/help/requests/{unwell.id}"
    db.session.expire_all()
    assert db.session.get(HelpRequest, unwell.id).holder_id == people.worker.id
    mine = html(client.get("/day")).select_one(f"#help-{unwell.id}")
    assert mine.select_one("a.button")["href"] == f"/help/requests/{unwell.id}"
    assert "You hold it" in mine.get_text()


def test_the_day_polls_with_an_etag_and_answers_304_until_something_changes(
    client, people, sign_in, htmx
):
    sign_in.password(people.worker)
    empty = htmx("get", "/day", target="day")
    body = empty.get_data(as_text=True)
    assert body.startswith('<div id="day"') and "<h1" not in body
    assert "Nothing asks for you now" in body
    etag = {"If-None-Match": empty.headers["ETag"]}
    assert htmx("get", "/day", target="day", headers=etag).status_code == 304
    help.raise_request(people.resident, "repair", people.resident)
    changed = htmx("get", "/day", target="day", headers=etag)
    assert changed.status_code == 200 and html(changed).select("ol.day > li")


@pytest.mark.parametrize("role", ["volunteer", "family", "admin"])
def test_only_grid_workers_have_a_day(client, people, sign_in, role):
    sign_in.password(getattr(people, role))
    assert client.get("/day").status_code == 403


def test_a_visit_opened_from_the_day_goes_back_to_the_day(client, people, red, sign_in):
    sign_in.password(people.worker)
    link = html(client.get("/day")).select_one(f"#visit-{red.id} a.button")["href"]
    page = html(client.get(link))
    assert page.select_one("a.back-link")["href"] == "/day"
    assert page.select_one("form[action$='/visits'] input[name=next]")["value"] == "/day"
    done = client.post(f"/care/residents/{red.id}/visits", data={"outcome": "well", "next": "/day"})
    assert done.headers["Location"] == "/day"
    db.session.expire_all()
    assert not html(client.get("/day")).select(f"#visit-{red.id}")
    elsewhere = client.post(
        f"/care/residents/{red.id}/visits",
        data={"outcome": "well", "next": "https://example.com/"},
    )
    assert elsewhere.headers["Location"] == "/care/"
