"""The street office sets how long residents who left are kept."""

import pytest
from sqlalchemy import select

from portal.accounts.models import Role
from portal.audit.models import AuditEntry
from portal.extensions import db
from tests.helpers import html


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("linli_lang", "en")


def test_a_street_office_admin_sets_how_long_residents_who_left_are_kept(client, world, sign_in):
    street_admin = world.person(Role.ADMIN, community=None)
    sign_in.password(street_admin)
    home = html(client.get("/staff"))
    assert home.select_one("a[href='/admin/retention']")
    page = html(client.get("/admin/retention"))
    field = page.select_one(f"#office-{world.street.id}-months")
    assert field["value"] == "36"
    name = field["name"]
    for typed, message in (("", "Enter a number"), ("0", "from 1 to 120"), ("x", "Enter a number")):
        refused = client.post("/admin/retention", data={"office": world.street.id, name: typed})
        assert refused.status_code == 422
        assert message in html(refused).select_one(f"#office-{world.street.id}-months-error").text
    done = client.post("/admin/retention", data={"office": world.street.id, name: "24"})
    assert (
        "keeps residents who left for 24 months"
        in html(client.get(done.headers["Location"])).get_text()
    )
    db.session.expire_all()
    assert world.street.retention_months == 24
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "resident.retention_set")
    )
    assert entry.detail["retention_months"] == "36 → 24"


def test_a_community_s_admin_cannot_set_it(client, world, sign_in):
    sign_in.password(world.person(Role.ADMIN))
    assert not html(client.get("/staff")).select_one("a[href='/admin/retention']")
    assert client.get("/admin/retention").status_code == 403
    assert client.post("/admin/retention", data={"office": world.street.id}).status_code == 403
