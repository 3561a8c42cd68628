"""An admin of one community manages that community only; an admin of the street office, who
belongs to no community, manages every one. Another community's things are not found."""

import pytest

from portal.accounts.models import FamilyLink, Kiosk, Role
from portal.audit import services as audit
from portal.canteen.models import Canteen
from portal.community.models import Building, Community, Grid
from portal.extensions import db
from tests.helpers import html, text_of


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("linli_lang", "en")


class Elsewhere:
    """A second community of the world's street office, with its own canteen, kiosk, resident,
    a family member waiting for a link, and an audit entry about the resident."""

    def __init__(self, world):
        self.community = Community(
            name="锦绣园社区", hotline="0871-62222222", street_office=world.street
        )
        building = Building(name="9号楼", grid=Grid(name="锦绣一网格", community=self.community))
        self.kiosk = Kiosk(community=self.community, location="锦绣园活动室", token_hash="x" * 64)
        db.session.add_all([self.community, building, self.kiosk])
        db.session.commit()
        self.canteen = world.canteen(self.community, name="锦绣食堂")
        self.resident = world.person(
            Role.RESIDENT, name="锦绣居民", community=self.community, building=building
        )
        self.family = world.person(Role.FAMILY, name="锦绣家属", community=None)
        self.link = FamilyLink(
            family=self.family, resident=self.resident, kinship="son", status="pending"
        )
        db.session.add(self.link)
        audit.record(self.family, "family_link.requested", self.resident, kinship="son")
        db.session.commit()


@pytest.fixture
def elsewhere(world):
    return Elsewhere(world)


@pytest.fixture
def community_admin(world, sign_in):
    admin = world.person(Role.ADMIN, name="幸福管理员")
    sign_in.password(admin)
    return admin


@pytest.fixture
def street_admin(world, sign_in):
    admin = world.person(Role.ADMIN, name="街道管理员", community=None)
    sign_in.password(admin)
    return admin


def test_a_community_admin_does_not_find_another_community_s_canteen(
    client, elsewhere, community_admin
):
    assert "锦绣食堂" not in text_of(client.get("/canteen/staff/"))
    assert client.get(f"/canteen/staff/{elsewhere.canteen.id}/settings").status_code == 404
    menu = client.get(f"/canteen/staff/{elsewhere.canteen.id}/services/1/menu")
    assert menu.status_code == 404
    choices = html(client.get("/canteen/staff/new")).select("#community option")
    assert "锦绣园社区" not in [option.get_text(strip=True) for option in choices]
    refused = client.post(
        "/canteen/staff/new", data={"community": elsewhere.community.id, "name": "别人的食堂"}
    )
    assert refused.status_code == 422
    assert db.session.query(Canteen).filter_by(name="别人的食堂").count() == 0


def test_a_community_admin_reads_only_their_community_s_audit_log(
    client, world, elsewhere, community_admin
):
    audit.record(community_admin, "kiosk.enrolled", location="幸福里活动室")
    db.session.commit()
    log = text_of(client.get("/admin/audit/"))
    assert "幸福里活动室" in log and "锦绣" not in log
    searched = text_of(client.get("/admin/audit/", query_string={"person": "锦绣"}))
    assert "锦绣居民" not in searched and "锦绣家属" not in searched


def test_a_community_admin_sees_and_decides_only_their_community_s_links(
    client, elsewhere, community_admin
):
    assert "锦绣" not in text_of(client.get("/admin/family-links"))
    assert "锦绣" not in text_of(client.get("/staff"))
    decided = client.post(f"/family-links/{elsewhere.link.id}/decide", data={"decision": "approve"})
    assert decided.status_code == 403
    db.session.refresh(elsewhere.link)
    assert elsewhere.link.status == "pending"


def test_a_community_admin_cannot_sign_out_another_community_s_resident(
    client, elsewhere, community_admin
):
    found = text_of(
        client.get("/admin/sign-ins", query_string={"person": elsewhere.resident.resident_code})
    )
    assert "Nobody has this resident code or mobile number." in found
    ended = client.post(f"/admin/people/{elsewhere.resident.id}/sign-ins/end")
    assert ended.status_code == 404


def test_a_community_admin_manages_only_their_community_s_kiosks(
    client, elsewhere, community_admin
):
    page = html(client.get("/admin/kiosks"))
    assert "锦绣园活动室" not in page.get_text()
    assert "锦绣园社区" not in [o.get_text(strip=True) for o in page.select("#community option")]
    assert client.post(f"/admin/kiosks/{elsewhere.kiosk.id}/revoke").status_code == 404
    db.session.refresh(elsewhere.kiosk)
    assert elsewhere.kiosk.revoked_at is None


def test_a_community_admin_organises_only_their_community_s_calendar(
    client, world, elsewhere, community_admin
):
    assert client.get(f"/activities/organise/{elsewhere.community.id}/").status_code in (403, 404)
    assert client.get(f"/activities/organise/{world.community.id}/").status_code == 200


def test_a_street_office_admin_manages_every_community(client, elsewhere, street_admin):
    assert "锦绣食堂" in text_of(client.get("/canteen/staff/"))
    assert client.get(f"/canteen/staff/{elsewhere.canteen.id}/settings").status_code == 200
    assert "锦绣家属" in text_of(client.get("/admin/family-links"))
    assert "锦绣" in text_of(client.get("/admin/audit/"))
    assert "锦绣园活动室" in text_of(client.get("/admin/kiosks"))
    found = text_of(
        client.get("/admin/sign-ins", query_string={"person": elsewhere.resident.resident_code})
    )
    assert "锦绣居民" in found
    assert client.get(f"/activities/organise/{elsewhere.community.id}/").status_code == 200
