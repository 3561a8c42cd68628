"""Enrolling and changing residents: the rules the office's records keep, and their audit."""

from datetime import date

import pytest
from sqlalchemy import select

from portal.accounts.models import Person, Role
from portal.administration import residents
from portal.administration.residents import Contact, Details
from portal.audit.models import AuditEntry
from portal.community.models import Building, Community, Grid
from portal.extensions import db
from portal.web.phones import international_phone, shown_phone


def _details(world, **fields) -> Details:
    return Details(**{"name": "赵淑芬", "building_id": world.building.id, **fields})


def _entries(subject, action):
    query = select(AuditEntry).where(
        AuditEntry.subject_id == subject.id, AuditEntry.action == action
    )
    return list(db.session.scalars(query))


def test_an_enrolled_resident_has_a_code_of_their_own_and_no_pin(world):
    admin = world.person(Role.ADMIN)
    first = residents.enrol(admin, _details(world, birth_date=date(1941, 3, 5)))
    second = residents.enrol(admin, _details(world, name="钱大爷"))
    assert first.has_role(Role.RESIDENT) and first.community_id == world.community.id
    assert len(first.resident_code) == 6 and first.resident_code[0] != "0"
    assert first.resident_code != second.resident_code
    assert first.pin_hash is None
    assert first.name_pinyin == "zhaoshufen"
    assert _entries(first, "resident.enrolled")[0].detail == {"code": first.resident_code}


def test_the_same_name_and_birth_date_in_a_community_is_refused_as_already_enrolled(world):
    admin = world.person(Role.ADMIN)
    there = residents.enrol(admin, _details(world, birth_date=date(1941, 3, 5)))
    with pytest.raises(residents.AlreadyEnrolled) as refused:
        residents.enrol(admin, _details(world, birth_date=date(1941, 3, 5)))
    assert refused.value.resident is there
    # Namesakes born on other days are other people.
    residents.enrol(admin, _details(world, birth_date=date(1944, 1, 1)))


def test_a_mobile_number_belongs_to_one_account(world):
    admin = world.person(Role.ADMIN)
    family = world.person(Role.FAMILY, phone="13812345678")
    with pytest.raises(residents.PhoneTaken) as refused:
        residents.enrol(admin, _details(world, phone="13812345678"))
    assert refused.value.holder is family
    assert db.session.scalar(select(Person).where(Person.name == "赵淑芬")) is None


def test_a_care_colour_needs_a_reason_when_it_is_set_or_changed(world):
    admin = world.person(Role.ADMIN)
    with pytest.raises(residents.ReasonNeeded):
        residents.enrol(admin, _details(world, care_colour="red"))
    resident = residents.enrol(
        admin, _details(world, care_colour="yellow", care_colour_reason="独居")
    )
    # Changing something else keeps the colour without asking again.
    residents.change(
        admin,
        resident,
        _details(world, care_colour="yellow", care_colour_reason="独居", room="302"),
    )
    with pytest.raises(residents.ReasonNeeded):
        residents.change(admin, resident, _details(world, care_colour="red"))


def test_a_building_of_another_community_is_refused(world):
    other = Community(name="锦绣园社区", hotline="1", street_office=world.street)
    elsewhere = Building(name="9号楼", grid=Grid(name="第一网格", community=other))
    db.session.add(elsewhere)
    db.session.commit()
    with pytest.raises(residents.NotAdministered):
        residents.enrol(world.person(Role.ADMIN), _details(world, building_id=elsewhere.id))
    # The street office's admin runs both.
    street_admin = world.person(Role.ADMIN, community=None)
    moved = residents.enrol(street_admin, _details(world, building_id=elsewhere.id))
    assert moved.community_id == other.id


def test_every_change_is_audited_as_old_and_new_and_nothing_changed_records_nothing(world):
    admin = world.person(Role.ADMIN)
    resident = residents.enrol(admin, _details(world, room="302", floor=3))
    changed = residents.change(
        admin,
        resident,
        _details(
            world,
            room="502",
            floor=5,
            care_colour="red",
            care_colour_reason="独居，三月起",
            contacts=[Contact("张阿姨", "邻居", "+861085551234")],
        ),
    )
    assert changed["room"] == "302 → 502" and changed["floor"] == "3 → 5"
    assert changed["care_colour"] == " → red"
    assert changed["emergency_contacts"] == " → 张阿姨 (邻居) +861085551234"
    entry = _entries(resident, "resident.changed")[0]
    assert entry.actor_id == admin.id and entry.detail == changed
    assert [c.name for c in resident.emergency_contacts] == ["张阿姨"]
    again = _details(
        world,
        room="502",
        floor=5,
        care_colour="red",
        care_colour_reason="独居，三月起",
        contacts=[Contact("张阿姨", "邻居", "+861085551234")],
    )
    assert residents.change(admin, resident, again) == {}
    assert len(_entries(resident, "resident.changed")) == 1


def test_removing_the_care_colour_drops_its_reason(world):
    admin = world.person(Role.ADMIN)
    resident = residents.enrol(admin, _details(world, care_colour="red", care_colour_reason="病后"))
    residents.change(admin, resident, _details(world, care_colour_reason="病后"))
    assert resident.care_colour is None and resident.care_colour_reason is None


@pytest.mark.parametrize(
    ("typed", "stored", "shown"),
    [
        ("010-85551234", "+861085551234", "010 8555 1234"),
        ("（021）6234 5678", "+862162345678", "021 6234 5678"),
        ("０１０－８５５５１２３４", "+861085551234", "010 8555 1234"),
        ("138 0013 8000", "+8613800138000", "138 0013 8000"),
        ("+852 9123 4567", "+85291234567", "+852 9123 4567"),
        ("00853 6612 3456", "+85366123456", "+853 6612 3456"),
        ("+886 912 345 678", "+886912345678", "+886 912 345 678"),
        ("+1 415 555 0132", "+14155550132", "+1 415-555-0132"),
        ("8555 1234", None, ""),
        ("12345", None, ""),
        ("call me", None, ""),
    ],
)
def test_phone_numbers_from_anywhere_are_stored_whole_and_shown_as_dialled(typed, stored, shown):
    assert international_phone(typed) == stored
    assert shown_phone(stored) == shown
