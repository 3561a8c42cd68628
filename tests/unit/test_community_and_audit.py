from datetime import date, datetime

from sqlalchemy import update

from portal.accounts.models import FamilyLink, LinkStatus, Role
from portal.administration import services as administration
from portal.administration.services import AuditFilters
from portal.audit import services as audit
from portal.audit.models import AuditEntry
from portal.community.models import Building, Community, Grid
from portal.extensions import db
from portal.site.shell import help_contacts


def test_resident_help_strip_names_their_grid_worker(world):
    worker = world.person(Role.GRID_WORKER, name="王芳")
    resident = world.person(Role.RESIDENT)
    contacts = help_contacts(resident, None)
    assert (contacts.grid_worker_name, contacts.grid_worker_phone) == ("王芳", worker.phone)
    assert contacts.hotline == world.community.hotline and contacts.emergency == "120"


def test_signed_out_help_strip_still_has_hotline_and_120(world):
    contacts = help_contacts(None, None)
    assert contacts.grid_worker_phone is None
    assert contacts.hotline == world.community.hotline


def test_family_help_strip_has_their_resident_s_community_hotline(world):
    elsewhere = Community(name="别的社区", hotline="0871-62222222", street_office=world.street)
    building = Building(name="9号楼", grid=Grid(name="别的网格", community=elsewhere))
    resident = world.person(Role.RESIDENT, community=elsewhere, building=building)
    family = world.person(Role.FAMILY, community=None)
    # No resident yet: the first community's, as for someone signed out.
    assert help_contacts(family, None).hotline == world.community.hotline
    db.session.add(FamilyLink(family=family, resident=resident, kinship="son", status="pending"))
    db.session.commit()
    assert help_contacts(family, None).hotline == world.community.hotline
    db.session.execute(update(FamilyLink).values(status=LinkStatus.ACTIVE))
    db.session.commit()
    assert help_contacts(family, None).hotline == "0871-62222222"


def test_audit_search_by_person_and_local_days(world):
    admin, resident = world.person(Role.ADMIN), world.person(Role.RESIDENT)
    other = world.person(Role.FAMILY)
    # 2026-03-01 23:30 in Shanghai is 15:30 UTC the same day; 00:30 on the 2nd is 16:30 UTC on the 1st.
    for at in (datetime(2026, 3, 1, 15, 30), datetime(2026, 3, 1, 16, 30)):
        db.session.add(
            AuditEntry(
                at=at,
                actor_id=admin.id,
                subject_id=resident.id,
                community_id=resident.community_id,
                action="x",
            )
        )
    audit.record(other, "y")
    db.session.commit()

    first_of_march = administration.search(
        admin,
        AuditFilters([resident.id], date(2026, 3, 1), date(2026, 3, 1), zone="Asia/Shanghai"),
    )
    assert [e.at for e in first_of_march] == [datetime(2026, 3, 1, 15, 30)]
    assert administration.search(admin, AuditFilters([admin.id])).total == 2
    assert [e.action for e in administration.search(admin, AuditFilters([other.id]))] == ["y"]
    assert administration.find_people(admin, resident.resident_code) == [resident]


def test_audit_search_comes_a_page_at_a_time(world):
    admin = world.person(Role.ADMIN)
    for number in range(7):
        audit.record(admin, f"a{number}")
    db.session.commit()
    everything = AuditFilters()
    first = administration.search(admin, everything, per_page=3)
    assert (first.total, first.pages, [e.action for e in first]) == (7, 3, ["a6", "a5", "a4"])
    assert [e.action for e in administration.search(admin, everything, 3, per_page=3)] == ["a0"]
    # Past the last page, or before the first, the nearest one.
    assert administration.search(admin, everything, page=9, per_page=3).page == 3
    assert administration.search(admin, everything, page=-2, per_page=3).page == 1


def test_audit_entries_narrow_to_one_kind_and_export_whole_and_recorded(world):
    admin, resident = world.person(Role.ADMIN), world.person(Role.RESIDENT)
    for action in ("help.escalated", "helpdesk.x", "resident.changed", "resident.pin_issued"):
        audit.record(admin, action, resident)
    db.session.commit()
    kind = AuditFilters(area="resident")
    found = administration.search(admin, kind)
    assert [e.action for e in found] == ["resident.pin_issued", "resident.changed"]
    assert [e.action for e in administration.search(admin, AuditFilters(area="help"))] == [
        "help.escalated"
    ]
    exported = administration.export(admin, AuditFilters(area="resident", person_ids=[admin.id]))
    assert [e.action for e in exported] == ["resident.pin_issued", "resident.changed"]
    recorded = administration.search(admin, AuditFilters(area="audit"))
    assert [(e.action, e.detail) for e in recorded] == [
        ("audit.exported", {"entries": "2", "person_ids": f"[{admin.id}]", "area": "resident"})
    ]


def test_an_entry_belongs_to_its_subject_s_community_or_else_its_actor_s(world):
    admin, resident = world.person(Role.ADMIN), world.person(Role.RESIDENT)
    other = Community(name="另一社区", hotline="0871-62222222", street_office=world.street)
    db.session.add(other)
    elsewhere = world.person(Role.ADMIN, community=other)
    about = audit.record(admin, "care.read", resident)
    by_someone_elsewhere = audit.record(elsewhere, "help.settings")
    db.session.commit()
    assert about.community_id == resident.community_id
    assert by_someone_elsewhere.community_id == elsewhere.community_id != resident.community_id
    assert [e.action for e in administration.search(admin, AuditFilters())] == ["care.read"]
    assert [e.action for e in administration.search(elsewhere, AuditFilters())] == ["help.settings"]
