"""A resident's data: a copy for them, their family and the office; a request to delete it; and
the deletion the office carries out."""

import json

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.help import services as help
from portal.help.models import Category
from tests.helpers import html


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("linli_lang", "en")


def test_family_read_and_download_everything_held_about_their_parent(client, people, sign_in):
    help.raise_request(people.resident, Category.ERRAND, people.family, note="买药")
    sign_in.password(people.family)
    home = html(client.get("/family"))
    link = home.select_one(f"a[href='/residents/{people.resident.id}/data']")
    assert link is not None
    page = html(client.get(link["href"]))
    assert "Everything Linli holds about 王桂兰" in page.h1.text
    headings = [h.text for h in page.select("main h2")]
    assert "Details on record" in headings and "Help requests" in headings
    assert "买药" in page.get_text()
    copy = client.get(f"/residents/{people.resident.id}/data.json")
    assert copy.headers["Cache-Control"] == "no-store"
    data = json.loads(copy.data)
    assert data["details"][0]["name"] == "王桂兰"
    assert data["help_requests"][0]["what"] == "errand"
    assert data["family_links"][0]["family"] == "李娜"
    assert {"meals", "meal_delivery", "activities", "messages"} <= set(data)
    # Someone else's parent is not theirs to read.
    other = people.worker
    assert client.get(f"/residents/{other.id}/data").status_code in (403, 404)

    asked = client.post(f"/residents/{people.resident.id}/deletion-request")
    assert (
        "will call you before deleting anything"
        in html(client.get(asked.headers["Location"])).get_text()
    )
    db.session.refresh(people.resident)
    assert people.resident.deletion_requested_at is not None


def test_the_office_copies_and_on_request_deletes_a_residents_details(client, people, sign_in):
    people.resident.deletion_requested_at = people.resident.created_at
    db.session.commit()
    sign_in.password(people.admin)
    profile = html(client.get(f"/admin/residents/{people.resident.id}"))
    assert "asked on" in profile.get_text()
    copy = html(client.get(f"/admin/residents/{people.resident.id}/data"))
    assert "Everything Linli holds about 王桂兰" in copy.h1.text
    read = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "resident.data_exported")
    )
    assert read.actor_id == people.admin.id and read.subject_id == people.resident.id
    asked = html(client.get(f"/admin/residents/{people.resident.id}/erase"))
    assert "Delete 王桂兰's personal details?" in asked.h1.text
    done = client.post(f"/admin/residents/{people.resident.id}/erase")
    assert (
        "王桂兰's personal details are deleted."
        in html(client.get(done.headers["Location"])).get_text()
    )
    db.session.refresh(people.resident)
    assert people.resident.name == f"#{people.resident.id}"
    assert people.resident.left_reason == "moved_out" and not people.resident.active
    assert client.get(f"/admin/residents/{people.resident.id}/erase").status_code == 404
