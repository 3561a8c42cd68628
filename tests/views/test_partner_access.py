"""A partner's people never see a request that is not with their partner: every route that names
a request, GET and POST, as a partner's person, for a request with another partner, with none,
or handed on by their own partner a moment ago."""

import pytest

from portal.accounts.services import set_password
from portal.administration import staff
from portal.extensions import db
from portal.help import services as help
from portal.help.models import Category, HelpRequest
from tests.helpers import PASSWORD, html

REFUSED = {403, 404, 405}


def _request_routes(app) -> list[tuple[str, str]]:
    """(method, rule) of every route with a request_id, each method it answers."""
    found = []
    for rule in app.url_map.iter_rules():
        if "request_id" in rule.arguments:
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                found.append((method, rule.rule))
    return found


@pytest.fixture
def elsewhere(people, partners):
    """Requests a property company's repairman may not see, and the repairman signed in."""
    property_company, water = partners
    repairman, _code = staff.add_partner_person(
        people.admin, property_company, "张师傅", "13912340001"
    )
    set_password(repairman, PASSWORD)
    repairman.must_set_password = False
    db.session.commit()
    to_water, _new = help.raise_request(people.resident, Category.REPAIR, people.resident)
    help.take(to_water, people.worker)
    help.hand_off(to_water, people.worker, water, "换水表")
    to_nobody, _new = help.raise_request(people.resident, Category.ERRAND, people.resident)
    handed_on, _new = help.raise_request(people.resident, Category.OTHER, people.resident)
    help.take(handed_on, people.worker)
    help.hand_off(handed_on, people.worker, property_company, "看一下")
    help.accept(handed_on, repairman)
    help.hand_on(handed_on, repairman, water, "是水务的事")
    return repairman, [to_water, to_nobody, handed_on]


def test_no_route_shows_or_changes_a_request_not_with_the_partner(app, client, elsewhere, sign_in):
    repairman, requests = elsewhere
    sign_in.password(repairman)
    routes = _request_routes(app)
    assert ("POST", "/partner/requests/<int:request_id>/accept") in routes
    before = {r.id: (r.status, r.partner_id, len(r.events)) for r in requests}
    for request in requests:
        for method, rule in routes:
            url = rule.replace("<int:request_id>", str(request.id))
            if "<" in url:
                continue
            answer = client.open(url, method=method, data={"text": "x", "reason": "x"})
            assert answer.status_code in REFUSED, (method, url, answer.status_code)
    db.session.expire_all()
    after = {
        r.id: (r.status, r.partner_id, len(r.events))
        for r in db.session.scalars(db.select(HelpRequest))
    }
    assert {k: after[k] for k in before} == before
    desk = html(client.get("/partner/"))
    assert desk.select("main .queue a") == []
