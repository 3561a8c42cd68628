"""A partner's pages: the admin's page for a partner and its people, and the partner's own
desk, where its people find the requests handed to it, with whom to call, and nothing else."""

import pytest
from sqlalchemy import select

from portal.accounts.models import Role
from portal.accounts.services import set_password
from portal.administration import staff
from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.help import services as help
from portal.help.models import Category
from tests.helpers import PASSWORD, html, text_of

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


def _handed_to(people, partner, category=Category.REPAIR):
    request, _new = help.raise_request(people.resident, category, people.resident)
    help.take(request, people.worker)
    help.hand_off(request, people.worker, partner, "厨房水龙头没有水")
    return request


def test_the_partner_accepts_notes_hands_on_and_the_water_company_resolves(
    client, people, partners, sign_in
):
    property_company, water = partners
    repairman = _person_of(property_company, people.admin, "张师傅", REPAIRMAN)
    plumber = _person_of(water, people.admin, "刘师傅", "13912340009")
    request = _handed_to(people, property_company)
    page_url = f"/partner/requests/{request.id}"

    sign_in.password(repairman)
    desk = html(client.get("/partner/"))
    assert "Waiting for you to accept" in desk.select_one("main .queue").get_text()
    page = html(client.get(page_url))
    assert page.select_one(f"form[action='{page_url}/accept'] button.button--primary")
    assert page.select_one(f"form[action='{page_url}/hand-on']") is None
    accepted = client.post(f"{page_url}/accept")
    assert accepted.status_code == 303 and accepted.headers["Location"].endswith(page_url)
    page = html(client.get(page_url))
    assert "You accepted it at" in page.get_text()
    assert page.select_one(f"form[action='{page_url}/accept']") is None

    refused = client.post(f"{page_url}/notes", data={"text": "", "shown_to": "staff"})
    assert refused.status_code == 422
    assert html(refused).select_one(".error-summary a[href='#note-text']")
    client.post(f"{page_url}/notes", data={"text": "总管水压低", "shown_to": "staff"})
    refused = client.post(f"{page_url}/hand-on", data={"partner": "", "text": ""})
    assert refused.status_code == 422
    choices = [o["value"] for o in html(refused).select("#partner option") if o["value"]]
    assert choices == [str(water.id)]
    assert (
        client.post(
            f"{page_url}/hand-on", data={"partner": str(property_company.id), "text": "x"}
        ).status_code
        == 422
    )
    handed = client.post(f"{page_url}/hand-on", data={"partner": str(water.id), "text": "请检修"})
    assert handed.headers["Location"].endswith("/partner/")
    assert client.get(page_url).status_code == 404

    sign_in.password(plumber)
    page = html(client.get(page_url))
    shown = page.get_text()
    assert "总管水压低" in shown and "internal" in shown and "请检修" in shown
    client.post(f"{page_url}/accept")
    refused = client.post(f"{page_url}/done", data={"text": "  "})
    assert refused.status_code == 422 and html(refused).select_one("#done-text-error")
    client.post(f"{page_url}/done", data={"text": "更换了减压阀"})
    db.session.expire_all()
    assert help.get(request.id).status == "resolved"

    sign_in.as_(people.resident)
    client.set_cookie("linli_lang", "en")
    mine = text_of(client.get(f"/help/residents/{people.resident.id}/requests"))
    assert "自来水公司 says it is done. Is it fixed?" in mine
    assert "刘师傅 (自来水公司) : 更换了减压阀" in mine
    assert "总管水压低" not in mine


def test_the_resident_reads_that_the_partner_is_on_the_way(client, people, partners, sign_in):
    property_company, _water = partners
    repairman = _person_of(property_company, people.admin, "张师傅", REPAIRMAN)
    request = _handed_to(people, property_company)
    sign_in.as_(people.resident)
    mine = f"/help/residents/{people.resident.id}/requests"
    assert "has passed it to 物业服务中心" in text_of(client.get(mine))
    help.accept(request, repairman)
    assert "物业服务中心 has accepted it and is on the way." in text_of(client.get(mine))


def test_a_declined_request_warns_its_grid_worker(client, people, partners, sign_in):
    property_company, _water = partners
    repairman = _person_of(property_company, people.admin, "张师傅", REPAIRMAN)
    request = _handed_to(people, property_company)
    page_url = f"/partner/requests/{request.id}"
    sign_in.password(repairman)
    refused = client.post(f"{page_url}/decline", data={"reason": ""})
    assert refused.status_code == 422 and html(refused).select_one("#decline-reason-error")
    declined = client.post(f"{page_url}/decline", data={"reason": "不属于物业"})
    assert declined.headers["Location"].endswith("/partner/")
    # A second tap, or a colleague's, finds it gone and says so.
    again = client.post(f"{page_url}/decline", data={"reason": "不属于物业"})
    assert again.status_code == 404

    sign_in.password(people.worker)
    page = html(client.get(f"/help/requests/{request.id}"))
    assert "A partner gave this request back" in page.select_one(".notice--error").get_text()
    assert "不属于物业" in page.select_one(".history").get_text()


def test_a_colleague_s_step_a_moment_before_is_explained(client, people, partners, sign_in):
    property_company, water = partners
    repairman = _person_of(property_company, people.admin, "张师傅", REPAIRMAN)
    colleague = _person_of(property_company, people.admin, "赵师傅", "13912340002")
    request = _handed_to(people, property_company)
    help.accept(request, colleague)
    sign_in.password(repairman)
    page_url = f"/partner/requests/{request.id}"
    again = client.post(f"{page_url}/accept")
    assert again.status_code == 303
    refused = client.post(f"{page_url}/decline", data={"reason": "太远"}, follow_redirects=True)
    assert "no longer with you" in text_of(refused)


def test_an_admin_sets_the_time_partners_have_to_accept(client, people, world, sign_in):
    sign_in.password(people.admin)
    page = html(client.get("/partner/settings"))
    assert page.select_one("#minutes")["value"] == "120"
    for bad, message in (("abc", "Enter a number of minutes"), ("0", "from 1 to 10080")):
        refused = client.post("/partner/settings", data={"minutes": bad, "urgent_minutes": "15"})
        assert refused.status_code == 422 and message in text_of(refused)
    saved = client.post("/partner/settings", data={"minutes": "60分钟", "urgent_minutes": "10"})
    assert saved.status_code == 303
    assert help.settings_of(world.community.id).partner_accept_minutes == 60
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "help.settings"))
    assert entry.actor_id == people.admin.id
    sign_in.password(people.worker)
    assert client.get("/partner/settings").status_code == 403


def test_an_admin_reads_the_partners_month_and_rates_one(client, people, partners, sign_in):
    property_company, water = partners
    repairman = _person_of(property_company, people.admin, "张师傅", REPAIRMAN)
    request = _handed_to(people, property_company)
    help.accept(request, repairman)
    sign_in.password(people.admin)
    month = people.admin.today().strftime("%Y-%m")
    page = html(client.get("/partner/report"))
    row = page.select_one(
        f"tbody tr:has(a[href='/partner/report/{property_company.id}/rating?month={month}'])"
    )
    cells = [td.get_text(" ", strip=True) for td in row.select("td")]
    assert cells[0].endswith("1")
    assert "accepted 1 · declined 0 · not accepted in time 0" in cells[1]
    assert "to accept: 0 min" in cells[2]
    assert client.get("/partner/report?month=2026-13").status_code == 422

    rating_url = f"/partner/report/{property_company.id}/rating?month={month}"
    refused = client.post(rating_url, data={"speed": "4", "quality": "9"})
    assert refused.status_code == 422
    errors = [a["href"] for a in html(refused).select(".error-summary a")]
    assert errors == ["#quality-0", "#manner-0"] or errors == ["#quality", "#manner"]
    saved = client.post(
        rating_url, data={"speed": "4", "quality": "5", "manner": "3", "comment": "上门及时"}
    )
    assert saved.status_code == 303 and saved.headers["Location"].endswith(f"month={month}")
    page = html(client.get(f"/partner/report?month={month}"))
    assert "Speed 4 · work 5 · manner 3" in page.select_one("tbody").get_text(" ")
    assert page.find("a", string="Rate 自来水公司")
    again = html(client.get(rating_url))
    assert again.select_one("input[name='speed'][value='4']").has_attr("checked")

    sign_in.password(people.worker)
    assert client.get("/partner/report").status_code == 403
    assert client.get(rating_url).status_code == 403


def test_an_admin_chooses_the_other_communities_a_partner_serves(
    client, people, partners, world, sign_in
):
    from portal.community.models import Community

    _property_company, water = partners
    other = Community(name="锦绣园社区", hotline="0871-2", street_office=world.street)
    db.session.add(other)
    db.session.commit()
    sign_in.password(people.admin)
    page = html(client.get(f"/admin/partners/{water.id}"))
    (box,) = page.select("input[name='communities']")
    assert box["value"] == str(other.id) and not box.has_attr("checked")
    refused = client.post(f"/admin/partners/{water.id}/communities", data={"communities": "x"})
    assert refused.status_code == 422
    saved = client.post(f"/admin/partners/{water.id}/communities", data={"communities": other.id})
    assert saved.status_code == 303
    page = html(client.get(f"/admin/partners/{water.id}"))
    assert page.select_one("input[name='communities']").has_attr("checked")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "partner.serves"))
    assert entry.detail["communities"] == "锦绣园社区"

    outsider = world.person(Role.ADMIN, name="外人", community=other)
    sign_in.password(outsider)
    listed = html(client.get("/admin/partners"))
    assert "自来水公司 · of 测试社区" in listed.select_one("main .plain-list").get_text(
        " ", strip=True
    )
    assert client.get(f"/admin/partners/{water.id}").status_code == 404
    assert (
        client.post(
            f"/admin/partners/{water.id}/communities", data={"communities": other.id}
        ).status_code
        == 404
    )
