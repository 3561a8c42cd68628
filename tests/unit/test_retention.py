"""Residents who left are kept for their street office's retention period, then erased."""

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.accounts import services as accounts
from portal.accounts.models import FamilyLink, Leaving, LinkStatus, Role
from portal.accounts.services import decide_link, request_link
from portal.administration import residents, retention
from portal.administration.residents import Contact, Details
from portal.audit.models import AuditEntry
from portal.cli import retention_command
from portal.extensions import db
from portal.jobs import AlreadyRunning, run_alone

# Noon on 1 March 2026 in Shanghai.
NOW = datetime(2026, 3, 1, 4, 0)


@pytest.mark.parametrize(
    ("day", "months", "after"),
    [
        (date(2023, 3, 1), 36, date(2026, 3, 1)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2023, 12, 15), 2, date(2024, 2, 15)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
    ],
)
def test_months_after_keeps_the_day_or_takes_the_month_s_last(day, months, after):
    assert retention.months_after(day, months) == after


def _left(world, admin, reason, day, **fields):
    resident = residents.enrol(
        admin,
        Details(
            **{
                "name": "钱秀兰",
                "building_id": world.building.id,
                "birth_date": date(1938, 5, 2),
                "room": "302",
                "phone": "13712345678",
                "care_colour": "red",
                "care_colour_reason": "独居",
                "contacts": [Contact("张阿姨", "邻居", "+861085551234")],
                **fields,
            }
        ),
    )
    accounts.set_pin(resident, "482913")
    residents.record_leaving(admin, resident, reason, date(2026, 3, 1), now=NOW)
    resident.left_on = day  # recorded back then
    db.session.commit()
    return resident


def test_only_those_who_left_for_good_longer_ago_than_kept_are_due(world):
    admin = world.person(Role.ADMIN)
    long_gone = _left(world, admin, Leaving.MOVED_OUT, date(2025, 3, 1))
    world.street.retention_months = 12
    db.session.commit()
    recent = _left(world, admin, Leaving.DECEASED, date(2025, 3, 2), name="李", phone=None)
    _left(world, admin, Leaving.HOSPITAL, date(2025, 3, 2), name="赵", phone=None)
    assert retention.due(NOW) == [long_gone]
    assert retention.due(NOW + timedelta(days=1)) == [long_gone, recent]


def test_erasing_keeps_a_number_and_nothing_personal_and_is_done_once(world):
    admin = world.person(Role.ADMIN)
    gone = _left(world, admin, Leaving.DECEASED, date(2023, 1, 10))
    assert retention.run(NOW) == 1
    db.session.expire_all()
    assert gone.name == f"#{gone.id}" and "qian" not in gone.name_pinyin + gone.name_initials
    for erased in ("phone", "resident_code", "pin_hash", "birth_date", "room", "care_colour"):
        assert getattr(gone, erased) is None, erased
    assert gone.emergency_contacts == [] and gone.anonymised_at == NOW
    assert gone.building_id == world.building.id  # the community's own figures still add up
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "resident.anonymised"))
    assert entry.subject_id == gone.id and entry.actor_id is None
    assert retention.run(NOW) == 0


def test_erasing_ends_family_links(world):
    admin = world.person(Role.ADMIN)
    resident = residents.enrol(admin, Details(name="孙大爷", building_id=world.building.id))
    son = world.person(Role.FAMILY)
    decide_link(request_link(son, resident.resident_code, "son"), resident, approve=True)
    residents.record_leaving(admin, resident, Leaving.MOVED_OUT, date(2026, 2, 1), now=NOW)
    # Still linked while kept: the family may need to reach the office about them.
    assert db.session.scalar(select(FamilyLink.status)) == LinkStatus.ACTIVE
    resident.left_on = date(2022, 12, 1)
    db.session.commit()
    retention.run(NOW)
    link = db.session.scalar(select(FamilyLink).where(FamilyLink.family_id == son.id))
    assert link.status == LinkStatus.ENDED


def test_a_second_copy_of_the_job_does_nothing_while_the_first_runs(world, runner):
    with run_alone("retention", lease=timedelta(minutes=30)), pytest.raises(AlreadyRunning):
        retention.run()
    assert "residents anonymised: 0" in runner.invoke(retention_command).output
