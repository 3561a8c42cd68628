"""Staff accounts: one-time codes, roles and grids, backups between two dates, and closing an
account, which signs it out and hands its help requests back."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from portal.accounts import services as accounts
from portal.accounts.models import Role, SignIn
from portal.administration import staff
from portal.administration.staff import Staffing
from portal.audit.models import AuditEntry
from portal.community.models import Grid
from portal.extensions import db
from portal.help import services as help
from portal.help.models import Category, Status
from tests.helpers import PASSWORD

DEVICE = accounts.Device("ip:127.0.0.1")


def _entry(action, subject):
    return db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == action, AuditEntry.subject_id == subject.id)
    )


@pytest.fixture
def second_grid(world):
    grid = Grid(name="第二网格", community=world.community)
    db.session.add(grid)
    db.session.commit()
    return grid


def test_a_new_account_signs_in_once_with_its_code_then_sets_its_own_password(world):
    admin = world.person(Role.ADMIN)
    person, code = staff.add(
        admin,
        world.community,
        "刘志强",
        "13600000001",
        Staffing(
            {Role.GRID_WORKER, Role.VOLUNTEER},
            {Role.GRID_WORKER: {world.grid.id}, Role.VOLUNTEER: {world.grid.id}},
        ),
    )
    assert len(code) == 9 and code[4] == "-"
    assert person.must_set_password and person.roles == {Role.GRID_WORKER, Role.VOLUNTEER}
    assert (
        _entry("account.created", person).detail["roles"]
        == "grid_worker:第一网格, volunteer:第一网格"
    )
    # The code is typed in any case, with or without its dash.
    assert (
        accounts.authenticate_password("13600000001", code.lower().replace("-", " "), DEVICE)
        is person
    )
    accounts.set_own_password(person, "my own password")
    assert not person.must_set_password and person.code_expires_at is None
    with pytest.raises(accounts.InvalidCredentials):
        accounts.authenticate_password("13600000001", code, DEVICE)
    assert accounts.authenticate_password("13600000001", "my own password", DEVICE) is person


def test_a_one_time_code_stops_working_after_its_days(world):
    admin = world.person(Role.ADMIN)
    person, code = staff.add(
        admin, world.community, "刘志强", "13600000001", Staffing({Role.CANTEEN_STAFF})
    )
    later = datetime.now() + timedelta(days=accounts.ONE_TIME_CODE_DAYS, hours=1)
    with pytest.raises(accounts.InvalidCredentials):
        accounts.authenticate_password("13600000001", code, DEVICE, now=later)


def test_staffing_is_checked_and_changes_are_audited(world, second_grid):
    admin = world.person(Role.ADMIN)
    taken = world.person(Role.FAMILY, phone="13600000009")
    with pytest.raises(staff.PhoneTaken) as refused:
        staff.add(admin, world.community, "某人", taken.phone, Staffing({Role.ORGANISER}))
    assert refused.value.holder is taken
    with pytest.raises(staff.GridNeeded):
        staff.add(admin, world.community, "某人", "13600000002", Staffing({Role.GRID_WORKER}))
    with pytest.raises(staff.NoRole):
        staff.add(admin, world.community, "某人", "13600000002", Staffing(set()))
    person, _code = staff.add(
        admin,
        world.community,
        "某人",
        "13600000002",
        Staffing({Role.GRID_WORKER}, {Role.GRID_WORKER: {world.grid.id}}),
    )
    changed = staff.change(
        admin,
        person,
        Staffing({Role.GRID_WORKER, Role.ORGANISER}, {Role.GRID_WORKER: {second_grid.id}}),
    )
    assert changed == "grid_worker:第一网格 → grid_worker:第二网格, organiser"
    assert (
        staff.change(
            admin,
            person,
            Staffing({Role.GRID_WORKER, Role.ORGANISER}, {Role.GRID_WORKER: {second_grid.id}}),
        )
        is None
    )
    with pytest.raises(staff.OwnAccount):
        staff.change(admin, admin, Staffing({Role.ORGANISER}))


def test_a_backup_worker_gets_the_grids_queue_only_between_its_dates(world, second_grid):
    admin = world.person(Role.ADMIN)
    backup = world.person(Role.GRID_WORKER, name="替班", grid=second_grid)
    resident = world.person(Role.RESIDENT)
    request, _new = help.raise_request(resident, Category.ERRAND, resident)
    today = resident.today()
    tomorrow = today + timedelta(days=1)
    with pytest.raises(staff.BadDates):
        staff.add_backup(admin, backup, world.grid, today, today - timedelta(days=1), today)
    grant = staff.add_backup(
        admin, backup, world.grid, tomorrow, tomorrow + timedelta(days=6), today
    )
    assert _entry("account.backup_added", backup).detail["grid"] == "第一网格"
    assert not help.can_see(backup, request)
    assert backup not in [g.person for g in help.grid_worker_grants(world.grid.id)]
    grant.starts_on = today
    db.session.commit()
    assert help.can_see(backup, request)
    assert backup in [g.person for g in help.grid_worker_grants(world.grid.id)]
    with pytest.raises(staff.BadDates):  # a grid they stand in for already
        staff.add_backup(admin, backup, world.grid, today, today, today)
    staff.end_backup(admin, grant)
    db.session.refresh(backup)
    assert not help.can_see(backup, request)


def test_closing_an_account_signs_it_out_and_hands_its_requests_back(world):
    admin = world.person(Role.ADMIN)
    worker = world.person(Role.GRID_WORKER, name="王芳")
    resident = world.person(Role.RESIDENT)
    request, _new = help.raise_request(resident, Category.ERRAND, resident)
    help.take(request, worker)
    accounts.start_sign_in(worker, lasts=timedelta(hours=8))
    with pytest.raises(staff.OwnAccount):
        staff.close(admin, admin)
    assert staff.close(admin, worker) == {"help requests": 1}
    db.session.expire_all()
    assert not worker.active
    assert request.holder_id is None and request.status == Status.NEW
    assert db.session.scalar(select(SignIn).where(SignIn.person_id == worker.id)).ended_at
    assert _entry("account.closed", worker).detail == {"help requests": "1"}
    with pytest.raises(accounts.InvalidCredentials):
        accounts.authenticate_password(worker.phone, PASSWORD, DEVICE)
    staff.reopen(admin, worker)
    assert worker.active


def test_a_family_member_gets_a_code_only_from_an_admin_of_their_residents_community(world, people):
    code = staff.issue_code(people.admin, people.family)
    assert people.family.must_set_password and _entry("account.code_issued", people.family)
    assert accounts.authenticate_password(people.family.phone, code, DEVICE) is people.family
    stranger = accounts.register_family_member("陌生人", "13600000077", "a family password")
    with pytest.raises(staff.NotAdministered):
        staff.issue_code(people.admin, stranger)
    # Once they asked to be linked to a resident of the admin's community, the admin may.
    accounts.request_link(stranger, people.resident.resident_code, "son")
    assert staff.issue_code(people.admin, stranger)
    # The staff list holds the two grid workers, the volunteer and the admin; no family.
    assert sorted(p.name for p in staff.staff_of(people.admin)) == sorted(
        ["王芳", "李强", "志愿者小张", "周海燕"]
    )
