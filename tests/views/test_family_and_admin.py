import pytest
from sqlalchemy import select

from portal.accounts.kiosk import KIOSK_COOKIE
from portal.accounts.models import FamilyLink, LinkStatus, Person, Role
from portal.accounts.services import decide_link, request_link, set_password
from portal.audit import services as audit
from portal.audit.models import AuditEntry
from portal.extensions import db
from tests.helpers import PASSWORD, html, text_of


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("linli_lang", "en")


def test_register_explains_every_bad_field_and_keeps_the_rest(client):
    page = html(
        client.post(
            "/register",
            data={"name": "x" * 41, "phone": "abc", "password": "short", "confirm": "other"},
        )
    )
    errors = {e["id"]: e.get_text() for e in page.select(".field__error")}
    assert "at most 40" in errors["name-error"]
    assert "11 digits" in errors["phone-error"]
    assert "8 to 128" in errors["password-error"]
    assert "not the same" in errors["confirm-error"]
    assert "Agree to how Linli uses your details" in errors["consent-error"]
    assert page.select_one("#phone")["value"] == "abc"


def test_register_with_a_taken_number(client, world):
    person = world.person(Role.VOLUNTEER)
    data = {
        "name": "李娜",
        "phone": person.phone,
        "password": "long enough",
        "confirm": "long enough",
        "consent": "y",
    }
    assert "already has an account" in text_of(client.post("/register", data=data))


def test_family_registers_asks_for_a_link_and_the_resident_approves(client, world, sign_in):
    resident = world.person(Role.RESIDENT, name="王桂兰")
    data = {
        "name": "李娜",
        "phone": "13912340000",
        "password": "long enough",
        "confirm": "long enough",
        "consent": "y",
    }
    assert client.post("/register", data=data).headers["Location"] == "/family/links/new"
    family = db.session.scalar(select(Person).where(Person.phone == "13912340000"))
    assert family.privacy_consent_at is not None
    response = client.post(
        "/family/links/new", data={"resident_code": resident.resident_code, "kinship": "daughter"}
    )
    assert response.headers["Location"] == "/family"
    assert "Waiting for approval" in text_of(client.get("/family"))

    sign_in.out()
    sign_in.resident(resident)
    page = html(client.get("/resident/family"))
    assert "李娜 asks to help you" in page.get_text()
    assert "139****0000" in page.get_text()
    link = db.session.query(FamilyLink).one()
    response = client.post(
        f"/family-links/{link.id}/decide", data={"decision": "approve", "next": "/resident/family"}
    )
    assert response.headers["Location"] == "/resident/family"
    db.session.refresh(link)
    assert link.status == LinkStatus.ACTIVE
    assert "can now help you" in text_of(client.get("/resident/family"))


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "Enter the resident code"),
        ("12345x", "6 digits"),
        ("999999", "No resident has this code"),
    ],
)
def test_bad_link_requests_are_explained(client, world, sign_in, code, message):
    sign_in.password(world.person(Role.FAMILY))
    page = html(client.post("/family/links/new", data={"resident_code": code, "kinship": "son"}))
    assert message in page.select_one("#resident_code-error").get_text()


def test_link_without_kinship_and_to_oneself_and_twice(client, world, sign_in):
    both = world.person(Role.RESIDENT, Role.FAMILY)
    both.phone = "13955550000"
    set_password(both, PASSWORD)
    db.session.commit()
    sign_in.password(both)
    page = html(client.post("/family/links/new", data={"resident_code": both.resident_code}))
    assert page.select_one("#kinship-error")
    page = html(
        client.post(
            "/family/links/new", data={"resident_code": both.resident_code, "kinship": "son"}
        )
    )
    assert "your own resident code" in page.select_one("#resident_code-error").get_text()
    other = world.person(Role.RESIDENT, name="赵凤英")
    client.post("/family/links/new", data={"resident_code": other.resident_code, "kinship": "son"})
    page = html(
        client.post(
            "/family/links/new", data={"resident_code": other.resident_code, "kinship": "son"}
        )
    )
    assert (
        "already asked to link to this resident"
        in page.select_one("#resident_code-error").get_text()
    )
    assert "赵凤英" not in page.get_text()


def test_asking_to_link_reveals_nothing_about_the_resident(client, world, sign_in):
    resident = world.person(Role.RESIDENT, name="周淑珍")
    sign_in.password(world.person(Role.FAMILY))
    response = client.post(
        "/family/links/new", data={"resident_code": resident.resident_code, "kinship": "son"}
    )
    page = html(client.get(response.headers["Location"]))
    assert "Your request has been sent" in page.get_text()
    assert "周淑珍" not in page.get_text()
    assert resident.resident_code in page.select_one(".card__title").get_text()


def test_strangers_cannot_end_or_decide_a_link(client, world, sign_in):
    family, resident = world.person(Role.FAMILY), world.person(Role.RESIDENT)
    link = request_link(family, resident.resident_code, "son")
    sign_in.password(world.person(Role.FAMILY))
    assert client.post(f"/family-links/{link.id}/end").status_code == 403
    assert (
        client.post(f"/family-links/{link.id}/decide", data={"decision": "approve"}).status_code
        == 403
    )
    assert client.post("/family-links/9999/end").status_code == 404


def test_family_ends_a_link(client, world, sign_in):
    family, resident = world.person(Role.FAMILY), world.person(Role.RESIDENT)
    link = request_link(family, resident.resident_code, "son")
    decide_link(link, resident, approve=True)
    sign_in.password(family)
    client.post(f"/family-links/{link.id}/end", data={"next": "/family"})
    assert "Ended" in text_of(client.get("/family"))


def test_admin_approves_pending_links(client, world, sign_in):
    family, resident = world.person(Role.FAMILY, name="孙磊"), world.person(Role.RESIDENT)
    link = request_link(family, resident.resident_code, "son")
    sign_in.password(world.person(Role.ADMIN))
    assert "孙磊" in text_of(client.get("/admin/family-links"))
    client.post(f"/family-links/{link.id}/decide", data={"decision": "approve"})
    db.session.refresh(link)
    assert link.status == LinkStatus.ACTIVE
    assert "No family links are waiting" in text_of(client.get("/admin/family-links"))


def test_admin_enrols_this_device_as_kiosk_and_revokes_it(client, world, sign_in):
    sign_in.password(world.person(Role.ADMIN))
    page = html(
        client.post("/admin/kiosks", data={"community": world.community.id, "location": ""})
    )
    assert "Say where the kiosk stands" in page.select_one("#location-error").get_text()
    response = client.post(
        "/admin/kiosks", data={"community": world.community.id, "location": "一楼大厅"}
    )
    cookie = client.get_cookie(KIOSK_COOKIE)
    assert cookie and cookie.http_only and cookie.max_age > 365 * 24 * 3600
    assert "一楼大厅" in text_of(client.get(response.headers["Location"]))
    from portal.accounts.models import Kiosk

    kiosk = db.session.query(Kiosk).one()
    client.post(f"/admin/kiosks/{kiosk.id}/revoke")
    db.session.refresh(kiosk)
    assert not kiosk.active
    assert client.post("/admin/kiosks/9999/revoke").status_code == 404


def test_audit_log_filters_by_person_and_date(client, world, sign_in):
    family, resident = world.person(Role.FAMILY, name="周婷"), world.person(Role.RESIDENT)
    request_link(family, resident.resident_code, "son")
    sign_in.password(world.person(Role.ADMIN))
    page = html(client.get("/admin/audit/", query_string={"person": "周婷"}))
    assert "周婷 asked to be linked to" in page.select_one("table").get_text()
    page = html(client.get("/admin/audit/", query_string={"person": "没有这个人"}))
    assert not page.select("table")
    page = html(client.get("/admin/audit/", query_string={"start": "2026-02-30"}))
    assert "Enter a date like" in page.select_one("#start-error").get_text()
    page = html(
        client.get("/admin/audit/", query_string={"start": "2026-03-02", "end": "2026-03-01"})
    )
    assert "on or after the start date" in page.select_one("#end-error").get_text()
    assert db.session.query(AuditEntry).count() >= 1


def test_the_audit_log_says_how_many_and_pages_through_them(client, world, sign_in):
    admin, resident = world.person(Role.ADMIN), world.person(Role.RESIDENT, name="李秀英")
    for number in range(120):
        audit.record(admin, f"resident.changed.{number}", resident)
    db.session.commit()
    sign_in.password(admin)
    page = html(client.get("/admin/audit/", query_string={"person": "李秀英"}))
    assert page.select_one(".pager__count").get_text() == "1 to 50 of 120"
    assert len(page.select("tbody tr")) == 50
    after = page.select_one("a[rel=next]")["href"]
    assert "person=" in after and "page=2" in after
    last = html(client.get("/admin/audit/", query_string={"person": "李秀英", "page": "99"}))
    assert last.select_one(".pager__count").get_text() == "101 to 120 of 120"
    assert "Page 3 of 3" in last.select_one("nav.pager").get_text()
    assert not last.select("a[rel=next]") and last.select_one("a[rel=prev]")
    odd = html(client.get("/admin/audit/", query_string={"page": "many"}))
    assert odd.select_one(".pager__count").get_text().startswith("1 to 50 of ")


def test_volunteer_and_grid_worker_homes(client, world, sign_in):
    sign_in.password(world.person(Role.VOLUNTEER, name="志愿者甲"))
    page = html(client.get("/volunteer"))
    assert "志愿者甲" in page.h1.get_text() and "第一网格" in page.get_text()
    sign_in.out()
    sign_in.password(world.person(Role.GRID_WORKER))
    assert client.get("/staff").status_code == 200
    assert client.get("/admin/kiosks").status_code == 403


def test_the_audit_log_narrows_to_a_kind_and_downloads_what_it_shows(client, world, sign_in):
    admin, resident = world.person(Role.ADMIN), world.person(Role.RESIDENT, name="李秀英")
    audit.record(admin, "resident.changed", resident, care_colour="yellow → red")
    audit.record(admin, "help.escalated", resident)
    db.session.commit()
    sign_in.password(admin)
    page = html(client.get("/admin/audit/", query_string={"area": "resident", "page": "1"}))
    rows = [row.get_text(" ", strip=True) for row in page.select("tbody tr")]
    assert len(rows) == 1
    # Each entry reads as a sentence, its details named in the reader's language.
    assert "changed 李秀英's details Residents' records" in rows[0]
    assert "Care colour: yellow → red" in rows[0]
    link = page.select_one("a[download]")
    assert link["href"] == "/admin/audit/entries.csv?area=resident"
    response = client.get(link["href"])
    assert response.headers["Content-Disposition"] == "attachment; filename=audit-log.csv"
    lines = response.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0] == "When,Who,Kind,What happened,Action,Whose data,Resident code,Details"
    assert len(lines) == 2 and "changed 李秀英's details,resident.changed,李秀英," in lines[1]
    assert f",{resident.resident_code},Care colour: yellow → red" in lines[1]
    # The download is recorded; a kind nobody named is refused.
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "audit.exported"))
    assert client.get("/admin/audit/entries.csv?area=rocket").status_code == 422
    refused = client.get("/admin/audit/", query_string={"area": "rocket"})
    assert refused.status_code == 422 and html(refused).select_one("#area-error")


def test_long_lists_of_messages_requests_and_links_come_a_page_at_a_time(client, world, sign_in):
    from portal.help import services as help_services
    from portal.help.models import HelpRequest
    from portal.notifications.services import notify

    resident = world.person(Role.RESIDENT, name="李秀英")
    for _ in range(25):
        notify(resident, "resident.returned", resident_id=resident.id)
        db.session.add(
            HelpRequest(
                resident=resident,
                raised_by=resident,
                grid=world.grid,
                community_id=world.community.id,
                category="errand",
            )
        )
    admin = world.person(Role.ADMIN)
    for number in range(55):
        family = world.person(Role.FAMILY, name=f"家属{number}")
        request_link(family, resident.resident_code, "son")
    db.session.commit()
    sign_in.resident(resident)
    for path, shown, label in (
        ("/inbox", "1 to 20 of 25", "Pages of messages"),
        (f"/help/residents/{resident.id}/requests", "1 to 20 of 25", "Pages of requests"),
    ):
        page = html(client.get(path))
        assert page.select_one(".pager__count").get_text() == shown, path
        assert page.select_one("nav.pager")["aria-label"] == label
        last = html(client.get(page.select_one("a[rel=next]")["href"]))
        assert last.select_one(".pager__count").get_text() == "21 to 25 of 25", path
    assert help_services.requests_page(resident, page=2).page == 2
    sign_in.out()
    sign_in.password(admin)
    assert "55 waiting" in html(client.get("/staff")).get_text()
    links = html(client.get("/admin/family-links"))
    assert links.select_one(".pager__count").get_text() == "1 to 50 of 55"
    assert len(links.select("tbody tr")) == 50
    second = html(client.get(links.select_one("a[rel=next]")["href"]))
    assert len(second.select("tbody tr")) == 5
