"""Paperwork pages: the paperwork button leads to the kinds, each with what to have ready and one
button that asks; the worker ticks documents on the request's page and the resident confirms on
theirs; how it went on a page of its own; due dates; the admins' kinds."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.accounts.models import Role
from portal.extensions import db
from portal.help import services as help
from portal.help.models import HelpRequest
from portal.paperwork import services as paperwork
from portal.paperwork.models import CaseDocument, PaperworkDue
from tests.helpers import html, text_of


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("linli_lang", "en")


def _pension(world):
    return paperwork.kind_by_code(world.community.id, "pension")


def test_the_paperwork_button_leads_to_the_kinds_and_their_checklists(client, people, sign_in):
    sign_in.as_(people.resident)
    home = html(client.get("/resident"))
    button = home.select_one(".help-buttons a[href^='/paperwork/ask']")
    assert button["href"] == "/paperwork/ask?service=paperwork"
    kinds = html(client.get(button["href"]))
    links = [a["href"] for a in kinds.select("main .help-buttons a")]
    assert links[0] == "/paperwork/ask/pension" and len(links) == 6
    assert kinds.select_one("main form input[name=service]")["value"] == "paperwork"
    page = client.get(links[0])
    assert [li.get_text(strip=True) for li in html(page).select(".checklist li")] == [
        "ID card",
        "Social security card",
        "Bank card",
    ]
    sent = client.post(links[0])
    assert sent.status_code == 303 and "/sent" in sent.location
    assert client.post(links[0]).location == sent.location  # a double tap: the same request
    confirmation = text_of(client.get(sent.location))
    assert "Pension authentication" in confirmation and "Have these ready" in confirmation
    assert "Social security card" in confirmation
    assert len(db.session.scalars(select(HelpRequest)).all()) == 1
    # Other paperwork is sent in one tap, as the button was before.
    other = client.post("/help/requests", data={"service": "paperwork", "category": "paperwork"})
    assert other.status_code == 303
    assert len(db.session.scalars(select(HelpRequest)).all()) == 2
    assert client.get("/paperwork/ask/rocket").status_code == 404


def test_family_ask_for_their_parent_and_nobody_else(client, people, world, sign_in):
    stranger = world.person(Role.RESIDENT)
    sign_in.as_(people.family)
    listed = html(client.get(f"/paperwork/ask?resident_id={people.resident.id}"))
    assert f"resident_id={people.resident.id}" in listed.select("main .help-buttons a")[0]["href"]
    sent = client.post("/paperwork/ask/pension", data={"resident_id": people.resident.id})
    assert sent.status_code == 303
    found = db.session.scalars(select(HelpRequest)).one()
    assert (found.resident_id, found.raised_by_id) == (people.resident.id, people.family.id)
    assert client.get(f"/paperwork/ask?resident_id={stranger.id}").status_code == 403
    refused = client.post("/paperwork/ask/pension", data={"resident_id": stranger.id})
    assert refused.status_code == 403
    assert client.get("/paperwork/ask?resident_id=x").status_code == 404
    assert client.get("/paperwork/ask").status_code == 404  # whom for?


def test_documents_ticked_by_the_worker_are_confirmed_by_the_resident(
    client, people, world, sign_in
):
    request, _created = paperwork.ask(people.resident, _pension(world), people.resident)
    help.take(request, people.worker)
    documents = paperwork.case_of(request).documents
    sign_in.as_(people.worker)
    page = html(client.get(f"/help/requests/{request.id}"))
    section = page.select_one("section.paperwork")
    assert "Paperwork: Pension authentication" in section.h2.get_text()
    took = [f["action"] for f in section.select("form") if f["action"].endswith("/taken")]
    assert len(took) == 3
    for action in took[:2]:
        assert client.post(action).status_code == 303
    assert "already" in text_of(client.post(took[0], follow_redirects=True))
    # Once a document is taken, the kind stays.
    page = html(client.get(f"/help/requests/{request.id}"))
    assert page.select_one("form[action$='/kind']") is None
    assert (
        text_of(client.get(f"/help/requests/{request.id}")).count(
            "not confirmed by the resident yet"
        )
        == 2
    )
    sign_in.out()
    sign_in.as_(people.resident)
    mine = html(client.get(f"/help/residents/{people.resident.id}/requests"))
    assert "王芳 wrote down that you handed over: ID card, Social security card." in mine.get_text(
        " ", strip=True
    )
    confirm = mine.select_one("form[action$='/confirm'] input[name=stage]")
    assert confirm["value"] == "given"
    assert (
        client.post(
            f"/paperwork/requests/{request.id}/confirm", data={"stage": "given"}
        ).status_code
        == 303
    )
    again = client.post(
        f"/paperwork/requests/{request.id}/confirm", data={"stage": "given"}, follow_redirects=True
    )
    assert "That was already recorded." in text_of(again)
    assert (
        client.post(f"/paperwork/requests/{request.id}/confirm", data={"stage": "x"}).status_code
        == 400
    )
    db.session.expire_all()
    assert all(
        d.received_confirmed_by_id == people.resident.id
        for d in db.session.scalars(
            select(CaseDocument).where(CaseDocument.received_at.is_not(None))
        )
    )
    assert (
        client.post(
            f"/paperwork/requests/{request.id}/documents/{documents[2].id}/taken"
        ).status_code
        == 403
    )
    sign_in.out()
    sign_in.as_(people.worker)
    assert text_of(client.get(f"/help/requests/{request.id}")).count("confirmed by 王桂兰") == 2
    back = client.post(f"/paperwork/requests/{request.id}/documents/{documents[0].id}/returned")
    assert back.status_code == 303
    never = client.post(
        f"/paperwork/requests/{request.id}/documents/{documents[2].id}/returned",
        follow_redirects=True,
    )
    assert "This cannot be done now" in text_of(never)
    assert (
        client.post(f"/paperwork/requests/{request.id}/documents/999999/taken").status_code == 403
    )
    added = client.post(f"/paperwork/requests/{request.id}/documents", data={"name": "存折"})
    assert added.status_code == 303
    empty = client.post(f"/paperwork/requests/{request.id}/documents", data={"name": " "})
    assert empty.status_code == 422 and "Name the document." in text_of(empty)


def test_how_it_went_is_recorded_on_its_own_page_and_sets_next_years_date(
    client, people, world, sign_in
):
    request, _created = paperwork.ask(people.resident, _pension(world), people.resident)
    help.take(request, people.worker)
    sign_in.as_(people.worker)
    url = f"/paperwork/requests/{request.id}/outcome"
    form = html(client.get(url))
    assert form.select_one("input[name=next_due_on][type=date]") is not None
    for data, message in (
        ({}, "Choose how it went."),
        ({"outcome": "maybe"}, "Not a valid choice"),
        ({"outcome": "submitted"}, "Enter when the office's answer is due."),
        ({"outcome": "done", "next_due_on": "soon"}, "Enter a date like 2026-03-01."),
    ):
        refused = client.post(url, data=data)
        assert refused.status_code == 422 and message in text_of(refused), data
    today = people.resident.today()
    far = (today + timedelta(days=4 * 365)).isoformat()
    refused = client.post(url, data={"outcome": "done", "next_due_on": far})
    assert refused.status_code == 422
    assert "Enter a date within three years of today." in text_of(refused)
    assert db.session.scalars(select(PaperworkDue)).all() == []
    done = client.post(url, data={"outcome": "done", "note": "已人脸识别认证"})
    assert done.status_code == 303
    due = db.session.scalars(select(PaperworkDue)).one()
    assert due.due_on == paperwork.add_months(today, 12)
    worker_page = text_of(client.get(f"/help/requests/{request.id}"))
    assert "How it went Done" in worker_page and "Next due" in worker_page
    sign_in.out()
    sign_in.as_(people.resident)
    mine = text_of(client.get(f"/help/residents/{people.resident.id}/requests"))
    assert "已人脸识别认证" in mine
    assert "You and your family are reminded a month and a week before." in mine


def test_staff_pages_refuse_everyone_else(client, people, world, sign_in):
    request, _created = paperwork.ask(people.resident, _pension(world), people.resident)
    document = paperwork.case_of(request).documents[0]
    base = f"/paperwork/requests/{request.id}"
    posts = [
        f"{base}/kind",
        f"{base}/documents",
        f"{base}/documents/{document.id}/taken",
        f"{base}/documents/{document.id}/returned",
        f"{base}/outcome",
        f"/paperwork/residents/{people.resident.id}/due",
    ]
    for person in (people.resident, people.family, people.volunteer):
        sign_in.as_(person)
        for url in posts:
            assert client.post(url, data={"kind": 1, "name": "x"}).status_code == 403, (person, url)
        assert client.get("/paperwork/kinds").status_code == 403
        sign_in.out()
    sign_in.as_(people.worker)
    assert client.get("/paperwork/requests/999999/outcome").status_code == 404
    assert client.post(f"{base}/kind", data={"kind": "x"}).status_code == 303
    assert client.get("/paperwork/kinds").status_code == 403
    assert document.received_at is None


def test_due_dates_are_set_by_staff_and_listed_for_the_grid_worker(client, people, world, sign_in):
    sign_in.as_(people.worker)
    url = f"/paperwork/residents/{people.resident.id}/due"
    page = html(client.get(url))
    kinds = [o.get_text() for o in page.select("select[name=kind] option")]
    assert kinds == ["Pension authentication", "Medical insurance payment"]  # the yearly ones
    pension = _pension(world)
    soon = people.resident.today() + timedelta(days=5)
    for data, message in (
        ({"kind": pension.id}, "Enter the day it is due."),
        ({"kind": pension.id, "due_on": "2026-02-30"}, "Enter a date like 2026-03-01."),
        ({"due_on": soon.isoformat()}, "Choose the paperwork."),
    ):
        refused = client.post(url, data=data)
        assert refused.status_code == 422 and message in text_of(refused), data
    assert (
        client.post(url, data={"kind": pension.id, "due_on": soon.isoformat()}).status_code == 303
    )
    due_page = html(client.get("/paperwork/due"))
    assert "Pension authentication · 王桂兰" in due_page.select_one(".card__title").get_text()
    assert "Due in 5 days" in due_page.get_text()
    day = text_of(client.get("/day"))
    assert "Pension authentication · 王桂兰" in day
    due = db.session.scalars(select(PaperworkDue)).one()
    assert client.post(f"{url}/{due.id}/remove").status_code == 303
    assert db.session.scalars(select(PaperworkDue)).all() == []
    assert client.post(f"{url}/{due.id}/remove").status_code == 404


def test_admins_keep_the_kinds_of_paperwork(client, people, world, sign_in):
    sign_in.as_(people.admin)
    listed = html(client.get("/paperwork/kinds"))
    assert len(listed.select(".card")) == 6
    mismatched = client.post(
        "/paperwork/kinds/new",
        data={
            "name_zh_hans": "老年优待证",
            "name_en": "Senior card",
            "documents_zh_hans": "身份证\n一寸照片",
            "documents_en": "ID card",
            "every": "once",
        },
    )
    assert mismatched.status_code == 422
    assert "List as many documents as in Simplified Chinese" in text_of(mismatched)
    assert client.post("/paperwork/kinds/new", data={"every": "once"}).status_code == 422
    saved = client.post(
        "/paperwork/kinds/new",
        data={
            "name_zh_hans": "老年优待证",
            "name_en": "Senior card",
            "documents_zh_hans": "身份证\n\n一寸照片\n",
            "documents_en": "ID card\nA small photo",
            "every": "once",
        },
    )
    assert saved.status_code == 303
    added = paperwork.kinds_of(world.community.id)[-1]
    assert added.document_names("en") == ["ID card", "A small photo"]
    edit = html(client.get(f"/paperwork/kinds/{added.id}"))
    assert (
        edit.select_one("textarea[name=documents_en]").get_text().strip()
        == "ID card\nA small photo"
    )
    assert client.post(f"/paperwork/kinds/{added.id}/withdraw").status_code == 303
    assert added not in paperwork.kinds_of(world.community.id)
    assert client.get("/paperwork/kinds/999999").status_code == 404
