"""A grid worker's care pages: the due list as a walk with numbers to call first, a resident's
visit page (audited), recording a visit in one form, and the colour set with its reason."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal.accounts.models import Role
from portal.audit.models import AuditEntry
from portal.care import services as care
from portal.care.models import CareVisit
from portal.extensions import db
from portal.help.models import HelpRequest
from tests.helpers import html


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("linli_lang", "en")


@pytest.fixture
def red(world, people):
    resident = world.person(
        Role.RESIDENT, name="王秀英", birth_date=date(1940, 5, 1), phone="13700001111"
    )
    care.set_colour(people.worker, resident, "red", "独居")
    return resident


def test_the_due_list_shows_whom_to_visit_and_whom_to_call_first(client, people, red, sign_in):
    sign_in.password(people.worker)
    page = html(client.get("/care/"))
    assert page.select_one("h1").get_text() == "Visits due"
    [item] = page.select("main .care-due > li")
    assert "王秀英" in item.get_text() and "Due today" in item.get_text()
    assert item.select_one("a.call-link")["href"] == "tel:13700001111"
    assert item.select_one("a.queue__link")["href"] == f"/care/residents/{red.id}"
    assert page.select_one("nav.staff-nav a[href='/care/']")


def test_a_visit_is_recorded_in_one_form(client, people, red, sign_in):
    sign_in.password(people.worker)
    page = html(client.get(f"/care/residents/{red.id}"))
    assert [i["value"] for i in page.select("input[name=outcome]")] == [
        "well", "concerns", "not_home", "in_hospital", "by_phone",
    ]  # fmt: skip
    read = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "care.read"))
    assert read.subject_id == red.id and read.actor_id == people.worker.id
    refused = client.post(f"/care/residents/{red.id}/visits", data={"note": "x"})
    assert refused.status_code == 422
    assert html(refused).select_one(".error-summary a[href='#outcome']")
    assert db.session.scalars(select(CareVisit)).all() == []
    done = client.post(
        f"/care/residents/{red.id}/visits",
        data={"outcome": "not_home", "note": "敲门三次", "needs_help": ""},
        follow_redirects=True,
    )
    assert "a welfare check is now in the help queue" in done.text
    assert html(done).select("main .care-due > li")  # still due: nobody was seen
    (check,) = db.session.scalars(select(HelpRequest)).all()
    assert check.category == "welfare_check"


def test_needs_help_raises_a_request(client, people, red, sign_in):
    sign_in.password(people.worker)
    done = client.post(
        f"/care/residents/{red.id}/visits",
        data={"outcome": "concerns", "needs_help": "errand"},
        follow_redirects=True,
    )
    assert "A help request was raised for them." in done.text
    assert "Nobody is due a visit today." in done.text
    (request,) = db.session.scalars(select(HelpRequest)).all()
    assert request.category == "errand"


def test_the_colour_is_changed_with_a_reason(client, people, red, sign_in):
    sign_in.password(people.worker)
    page = html(client.get(f"/care/residents/{red.id}"))
    assert "Linli suggests" in page.get_text() or "it suggests" in page.get_text()
    refused = client.post(f"/care/residents/{red.id}/colour", data={"colour": "yellow"})
    assert refused.status_code == 422 and "Say why" in refused.text
    saved = client.post(
        f"/care/residents/{red.id}/colour", data={"colour": "yellow", "reason": "女儿搬回来住"}
    )
    assert saved.status_code == 303
    db.session.expire_all()
    assert red.care_colour == "yellow"
    page = html(client.get(f"/care/residents/{red.id}"))
    assert "女儿搬回来住" in page.select_one("main").get_text()


def test_only_those_who_serve_the_resident(client, people, red, sign_in, world):
    sign_in.password(people.volunteer)
    assert client.get("/care/").status_code == 403
    assert client.get(f"/care/residents/{red.id}").status_code == 403
    sign_in.password(people.family)
    assert (
        client.post(f"/care/residents/{red.id}/visits", data={"outcome": "well"}).status_code == 403
    )
    sign_in.password(people.worker)
    assert client.get("/care/residents/99999").status_code == 404
    assert client.get(f"/care/residents/{people.family.id}").status_code == 404


def test_an_admin_sets_how_often_each_colour_is_visited(client, people, world, sign_in):
    sign_in.password(people.admin)
    page = html(client.get("/care/cadence"))
    assert [page.select_one(f"input#{c}")["value"] for c in ("red", "yellow", "green")] == [
        "1", "7", "30",
    ]  # fmt: skip
    refused = client.post("/care/cadence", data={"red": "0", "yellow": "7", "green": "x"})
    assert refused.status_code == 422
    assert care.cadence(world.community.id)["red"] == 1
    saved = client.post("/care/cadence", data={"red": "2", "yellow": "14", "green": "30"})
    assert saved.status_code == 303
    assert care.cadence(world.community.id) == {"red": 2, "yellow": 14, "green": 30}
    sign_in.password(people.worker)
    assert client.get("/care/cadence").status_code == 403


def test_a_resident_taps_i_m_fine_today_on_their_home(client, people, sign_in):
    sign_in.resident(people.resident)
    home = html(client.get("/resident"))
    button = home.select_one("form.check-in button")
    assert button.get_text(strip=True) == "I'm fine today"
    done = client.post(home.select_one("form.check-in")["action"], follow_redirects=True)
    assert "We have noted that you are fine today." in done.text
    assert html(done).select_one("form.check-in") is None
    assert html(done).select_one(".check-in-done")
    assert care.todays_check_in(people.resident) is not None


def test_family_see_the_last_check_in_and_set_daily_check_ins(client, people, sign_in):
    care.check_in(people.resident, people.resident)
    sign_in.password(people.family)
    home = html(client.get("/family"))
    assert "Last said they were fine:" in home.get_text()
    plan = home.select_one(f"a[href='/care/check-ins/{people.resident.id}']")
    page = html(client.get(plan["href"]))
    assert page.select_one("input[name=deadline][value='']").has_attr("checked")
    saved = client.post(plan["href"], data={"deadline": "09:00"})
    assert saved.status_code == 303
    assert care.check_in_plan(people.resident).deadline.strftime("%H:%M") == "09:00"
    refused = client.post(plan["href"], data={"deadline": "03:00"})
    assert refused.status_code == 422
    sign_in.password(people.volunteer)
    assert client.get(plan["href"]).status_code == 403


def test_a_kiosk_sign_in_is_a_sign_the_resident_was_well(client, people, world, sign_in):
    from portal.accounts.seams import latest_contacts
    from portal.accounts.services import enrol_kiosk

    _kiosk, token = enrol_kiosk(world.community, "活动室", people.admin)
    assert latest_contacts([people.resident.id]) == {}
    sign_in.resident(people.resident, kiosk_token=token)
    assert people.resident.id in latest_contacts([people.resident.id])


def test_family_see_visits_only_when_the_resident_agreed(client, people, sign_in):
    care.set_colour(people.worker, people.resident, "yellow", "独居")
    care.record_visit(people.worker, people.resident, "well", "血压有点高")
    sign_in.password(people.family)
    home = client.get("/family").text
    assert "Visited" not in home
    page = f"/care/check-ins/{people.resident.id}"
    assert "do not see the care visits" in client.get(page).text
    assert html(client.get(page)).select_one("form[action^='/care/sharing/']") is None
    assert (
        client.post(f"/care/sharing/{people.resident.id}", data={"shared": "1"}).status_code == 403
    )

    sign_in.resident(people.resident)
    shared = client.post(f"/care/sharing/{people.resident.id}", data={"shared": "1"})
    assert shared.status_code == 303

    sign_in.password(people.family)
    home = client.get("/family").text
    assert "by 王芳: Seen, and well." in home and "血压有点高" not in home


def test_visits_are_paused_until_a_day(client, people, red, sign_in):
    sign_in.password(people.worker)
    refused = client.post(
        f"/care/residents/{red.id}/pause", data={"pause-resumes_on": "", "pause-reason": ""}
    )
    assert refused.status_code == 422
    assert html(refused).select_one(".error-summary a[href='#pause-resumes_on']")
    today = red.today()
    past = client.post(
        f"/care/residents/{red.id}/pause",
        data={"pause-resumes_on": today.isoformat(), "pause-reason": "住院"},
    )
    assert past.status_code == 422 and "Enter a day after today." in past.text
    later = (today + timedelta(days=5)).isoformat()
    paused = client.post(
        f"/care/residents/{red.id}/pause", data={"pause-resumes_on": later, "pause-reason": "住院"}
    )
    assert paused.status_code == 303
    assert "Nobody is due a visit today." in client.get("/care/").text
    assert "住院" in client.get(f"/care/residents/{red.id}").text
