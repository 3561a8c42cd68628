"""The calendar pages and feeds: a person's address made, shown once, replaced and switched off;
feeds served as iCalendar files that calendars can poll cheaply."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from icalendar import Calendar

from portal.accounts.models import Role
from portal.accounts.services import decide_link, request_link
from portal.activities import services as activities
from portal.model_base import utcnow
from tests.helpers import html, text_of


@pytest.fixture
def talk(world):
    """An anti-fraud talk in three days."""
    starts = utcnow().replace(microsecond=0) + timedelta(days=3)
    return world.event(starts, "防诈讲座", "anti_fraud", title_en="Anti-fraud talk")


def _address(client) -> str | None:
    """The calendar address shown on the page, as a path this test client can fetch."""
    field = html(client.get("/calendar/mine")).select_one("input#calendar-address")
    if field is None:
        return None
    assert field.has_attr("readonly")
    return urlsplit(field["value"])._replace(scheme="", netloc="").geturl()


def _make_address(client) -> str:
    response = client.post("/calendar/mine", data={"action": "new"})
    assert response.status_code == 303 and response.location.endswith("/calendar/mine")
    return _address(client)


def test_the_community_feed_is_public_and_an_icalendar_file(client, world, talk):
    response = client.get(f"/calendar/communities/{world.community.id}.ics?lang=en")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert (
        f'filename="linli-community-{world.community.id}.ics"'
        in (response.headers["Content-Disposition"])
    )
    (event,) = Calendar.from_ical(response.data).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Anti-fraud talk"
    default = Calendar.from_ical(client.get(f"/calendar/communities/{world.community.id}.ics").data)
    assert str(default.walk("VEVENT")[0]["SUMMARY"]) == "防诈讲座"


def test_an_unknown_community_has_no_feed(client, world):
    assert client.get(f"/calendar/communities/{world.community.id + 99}.ics").status_code == 404


def test_an_unchanged_feed_costs_a_304(client, world, talk):
    url = f"/calendar/communities/{world.community.id}.ics"
    etag = client.get(url).headers["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304


def test_a_resident_makes_an_address_and_their_calendar_holds_their_places(
    client, world, sign_in, talk
):
    resident = world.person(Role.RESIDENT, name="王桂兰")
    activities.join(resident, talk, resident)
    sign_in.resident(resident)
    page = html(client.get("/calendar/mine"))
    assert page.select_one("input#calendar-address") is None
    assert page.select_one("form button").get_text(strip=True)
    address = _make_address(client)
    assert address.startswith("/calendar/") and address.endswith(".ics")

    response = client.get(address)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, max-age=300"
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    (event,) = Calendar.from_ical(response.data).walk("VEVENT")
    assert str(event["UID"]) == f"event-{talk.id}@linli"

    # Shown once: the page no longer holds the address, but says one is on.
    assert _address(client) is None
    assert html(client.get("/calendar/mine")).select('input[name="action"][value="off"]')


def test_the_address_carries_the_pages_language(client, world, sign_in):
    resident = world.person(Role.RESIDENT)
    client.set_cookie("linli_lang", "en")
    sign_in.resident(resident)
    assert _make_address(client).endswith(".ics?lang=en")


def test_a_new_address_stops_the_old_one_and_switching_off_stops_both(client, world, sign_in):
    resident = world.person(Role.RESIDENT)
    sign_in.resident(resident)
    old = _make_address(client)
    new = _make_address(client)
    assert old != new
    assert client.get(old).status_code == 404 and client.get(new).status_code == 200
    response = client.post("/calendar/mine", data={"action": "off"}, follow_redirects=True)
    assert response.status_code == 200 and client.get(new).status_code == 404
    assert html(response).select('input[name="action"][value="off"]') == []


def test_a_family_members_calendar_holds_their_residents_places(client, world, sign_in, talk):
    resident = world.person(Role.RESIDENT, name="王桂兰")
    family = world.person(Role.FAMILY, name="李娜")
    decide_link(request_link(family, resident.resident_code, "daughter"), resident, True)
    activities.join(resident, talk, resident)
    client.set_cookie("linli_lang", "en")
    sign_in.password(family)
    assert "family members" in text_of(client.get("/calendar/mine"))
    client.set_cookie("linli_lang", "zh_Hans")
    (event,) = Calendar.from_ical(client.get(_make_address(client)).data).walk("VEVENT")
    assert str(event["SUMMARY"]) == "王桂兰：防诈讲座"


def test_the_page_links_the_community_feed(client, world, sign_in):
    sign_in.resident(world.person(Role.RESIDENT))
    links = [a["href"] for a in html(client.get("/calendar/mine")).select("main a")]
    assert f"http://localhost/calendar/communities/{world.community.id}.ics" in links


@pytest.mark.parametrize(
    "token",
    ["nothing", "A" * 43, "A" * 42 + "%2E"],
)
def test_unknown_and_malformed_addresses_are_not_found(client, world, token):
    assert client.get(f"/calendar/{token}.ics").status_code == 404


def test_only_residents_and_family_have_an_address(client, world, sign_in):
    assert client.get("/calendar/mine").status_code == 302
    sign_in.password(world.person(Role.ADMIN))
    assert client.get("/calendar/mine").status_code == 403
    assert client.post("/calendar/mine", data={"action": "new"}).status_code == 403


def test_an_unknown_action_is_refused(client, world, sign_in):
    sign_in.resident(world.person(Role.RESIDENT))
    assert client.post("/calendar/mine", data={"action": "delete"}).status_code == 400
