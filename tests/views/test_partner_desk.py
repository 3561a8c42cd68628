"""A partner's pages: the admin's page for a partner and its people, and the partner's own
desk, where its people find the requests handed to it, with whom to call, and nothing else."""

import pytest
from sqlalchemy import select

from portal.accounts.services import set_password
from portal.administration import staff
from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.help import services as help
from portal.help.models import Category
from tests.helpers import PASSWORD, html

REPAIRMAN = "13912340001"


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("linli_lang", "en")


def _person_of(partner, admin, name, phone):
    person, _code = staff.add_partner_person(admin, partner, name, phone)
    set_password(person, PASSWORD)
    person.must_set_password = False
    db.session.commit()
    return person


def test_an_admin_adds_a_person_to_a_partner(client, people, partners, sign_in):
    property_company, _water = partners
    sign_in.password(people.admin)
    listed = html(client.get("/admin/partners"))
    link = listed.select_one(f"a[href='/admin/partners/{property_company.id}']")
    assert link.get_text(strip=True) == "物业服务中心"
    page = html(client.get(link["href"]))
    assert "Nobody yet" in page.get_text()
    refused = client.post(f"/admin/partners/{property_company.id}/people", data={"name": ""})
    assert refused.status_code == 422
    assert html(refused).select_one(".error-summary a[href='#name']")
    added = client.post(
        f"/admin/partners/{property_company.id}/people",
        data={"name": "张师傅", "phone": "139 1234 0001"},
    )
    assert added.status_code == 200 and added.headers["Cache-Control"] == "no-store"
    assert "One-time code for 张师傅" in added.text
    (person,) = staff.people_of(property_company)
    assert person.phone == REPAIRMAN
    again = client.post(
        f"/admin/partners/{property_company.id}/people", data={"name": "李", "phone": REPAIRMAN}
    )
    assert again.status_code == 422 and "has an account already" in again.text
    account = html(client.get(f"/admin/staff/{person.id}"))
    assert "Acts for 物业服务中心" in account.get_text()
    assert account.select_one("form[action$='/roles']") is None
    assert account.select_one(f"a.back-link[href='/admin/partners/{property_company.id}']")


def test_no_admin_of_another_community_sees_the_partner(client, people, partners, sign_in):
    sign_in.password(people.worker)
    assert client.get(f"/admin/partners/{partners[0].id}").status_code == 403
    sign_in.password(people.admin)
    assert client.get("/admin/partners/99999").status_code == 404


def test_the_partner_s_person_finds_what_was_handed_over_and_whom_to_call(
    client, people, partners, sign_in
):
    property_company, water = partners
    repairman = _person_of(property_company, people.admin, "张师傅", REPAIRMAN)
    people.resident.phone = "13700001111"
    db.session.commit()
    request, _new = help.raise_request(people.resident, Category.REPAIR, people.resident)
    help.take(request, people.worker)
    help.hand_off(request, people.worker, property_company, "厨房水管漏水，请上门")
    other, _new = help.raise_request(people.resident, Category.ERRAND, people.resident)
    help.take(other, people.worker)
    help.hand_off(other, people.worker, water, "换水表")

    signed_in = sign_in.password(repairman)
    assert signed_in.headers["Location"].endswith("/partner/")
    desk = html(client.get("/partner/"))
    links = [a["href"] for a in desk.select("main .queue a")]
    assert links == [f"/partner/requests/{request.id}"]
    page = client.get(links[0])
    assert page.status_code == 200
    shown = html(page)
    calls = [a["href"] for a in shown.select("main a.call-link")]
    assert "tel:13700001111" in calls and f"tel:{people.worker.phone}" in calls
    assert f"tel:{people.family.phone}" in calls
    assert "厨房水管漏水，请上门" in shown.get_text()
    read = db.session.scalar(
        select(AuditEntry).where(
            AuditEntry.action == "help.read", AuditEntry.actor_id == repairman.id
        )
    )
    assert read is not None and read.subject_id == people.resident.id
    assert client.get(f"/partner/requests/{other.id}").status_code == 404
    assert client.get(f"/help/requests/{request.id}").status_code == 403
    assert client.get("/help/queue").status_code == 403


def test_nobody_else_has_a_partner_s_desk(client, people, sign_in):
    sign_in.password(people.worker)
    assert client.get("/partner/").status_code == 403
