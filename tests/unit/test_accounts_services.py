from datetime import timedelta

import pytest

from portal.accounts import services as accounts
from portal.accounts.models import LinkStatus, Role, SignInThrottle
from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.model_base import utcnow
from tests.helpers import PASSWORD, PIN


def _fail_times(authenticate, times, *args, now=None):
    for _ in range(times):
        with pytest.raises(accounts.InvalidCredentials):
            authenticate(*args, now=now)


def test_password_sign_in_accepts_spaced_phone_number(world):
    person = world.person(Role.VOLUNTEER)
    spaced = f"{person.phone[:3]} {person.phone[3:7]} {person.phone[7:]}"
    assert accounts.authenticate_password(spaced, PASSWORD) == person


def test_five_wrong_passwords_lock_the_account_for_fifteen_minutes(world):
    person = world.person(Role.FAMILY)
    now = utcnow()
    _fail_times(accounts.authenticate_password, 4, person.phone, "wrong", now=now)
    with pytest.raises(accounts.AccountLocked) as locked:
        accounts.authenticate_password(person.phone, "wrong", now=now)
    assert locked.value.until == now + timedelta(minutes=15)
    with pytest.raises(accounts.AccountLocked):
        accounts.authenticate_password(person.phone, PASSWORD, now=now + timedelta(minutes=14))
    later = now + timedelta(minutes=15, seconds=1)
    assert accounts.authenticate_password(person.phone, PASSWORD, now=later) == person
    assert db.session.get(SignInThrottle, f"phone:{person.phone}") is None


def test_unknown_phone_numbers_lock_like_real_ones(world):
    _fail_times(accounts.authenticate_password, 4, "13912345678", "anything")
    with pytest.raises(accounts.AccountLocked):
        accounts.authenticate_password("13912345678", "anything")


def test_a_success_clears_earlier_failures(world):
    person = world.person(Role.FAMILY)
    _fail_times(accounts.authenticate_password, 4, person.phone, "wrong")
    accounts.authenticate_password(person.phone, PASSWORD)
    _fail_times(accounts.authenticate_password, 4, person.phone, "wrong")


def test_inactive_people_cannot_sign_in(world):
    person = world.person(Role.VOLUNTEER, active=False)
    with pytest.raises(accounts.InvalidCredentials):
        accounts.authenticate_password(person.phone, PASSWORD)


def test_resident_sign_in_does_not_say_whether_code_or_pin_was_wrong(world):
    resident = world.person(Role.RESIDENT)
    with pytest.raises(accounts.InvalidCredentials) as wrong_pin:
        accounts.authenticate_resident(resident.resident_code, "0000")
    with pytest.raises(accounts.InvalidCredentials) as wrong_code:
        accounts.authenticate_resident("999999", PIN)
    assert type(wrong_pin.value) is type(wrong_code.value)
    assert str(wrong_pin.value) == str(wrong_code.value)
    assert accounts.authenticate_resident(resident.resident_code, PIN) == resident


def test_repeated_wrong_pins_lock_the_resident_code(world):
    resident = world.person(Role.RESIDENT)
    _fail_times(accounts.authenticate_resident, 4, resident.resident_code, "1111")
    with pytest.raises(accounts.AccountLocked):
        accounts.authenticate_resident(resident.resident_code, "1111")
    with pytest.raises(accounts.AccountLocked):
        accounts.authenticate_resident(resident.resident_code, PIN)


def test_register_family_member_refuses_a_taken_number(world):
    person = accounts.register_family_member(" 李娜 ", "138 0013 8000", "a long password")
    assert person.name == "李娜" and person.phone == "13800138000"
    assert person.roles == {Role.FAMILY}
    with pytest.raises(accounts.PhoneTaken):
        accounts.register_family_member("别人", "13800138000", "another password")


def test_link_request_needs_an_existing_resident(world):
    family = world.person(Role.FAMILY)
    with pytest.raises(accounts.NoSuchResident):
        accounts.request_link(family, "999999", "daughter")
    volunteer = world.person(Role.VOLUNTEER)
    volunteer.resident_code = "777777"
    db.session.commit()
    with pytest.raises(accounts.NoSuchResident):
        accounts.request_link(family, "777777", "daughter")


def test_link_to_oneself_is_refused(world):
    resident = world.person(Role.RESIDENT, Role.FAMILY)
    with pytest.raises(accounts.LinkToSelf):
        accounts.request_link(resident, resident.resident_code, "son")


def test_a_second_request_for_the_same_resident_is_a_duplicate(world):
    family, resident = world.person(Role.FAMILY), world.person(Role.RESIDENT)
    link = accounts.request_link(family, resident.resident_code, "daughter")
    with pytest.raises(accounts.DuplicateLink) as pending:
        accounts.request_link(family, resident.resident_code, "son")
    assert pending.value.link == link
    accounts.decide_link(link, resident, approve=True)
    with pytest.raises(accounts.DuplicateLink):
        accounts.request_link(family, resident.resident_code, "daughter")


def test_an_ended_link_can_be_asked_for_again(world):
    family, resident = world.person(Role.FAMILY), world.person(Role.RESIDENT)
    link = accounts.request_link(family, resident.resident_code, "daughter")
    accounts.end_link(link, family)
    again = accounts.request_link(family, resident.resident_code, "daughter")
    assert again.id == link.id and again.status == LinkStatus.PENDING


def test_only_the_resident_or_an_admin_decides(world):
    family, resident = world.person(Role.FAMILY), world.person(Role.RESIDENT)
    other_resident, admin = world.person(Role.RESIDENT), world.person(Role.ADMIN)
    link = accounts.request_link(family, resident.resident_code, "son")
    for outsider in (family, other_resident):
        with pytest.raises(accounts.NotAllowed):
            accounts.decide_link(link, outsider, approve=True)
    accounts.decide_link(link, admin, approve=True)
    assert link.status == LinkStatus.ACTIVE and link.decided_by == admin
    assert accounts.is_linked(family, resident)
    with pytest.raises(accounts.NotAllowed):
        accounts.decide_link(link, admin, approve=False)


def test_either_side_ends_a_link_but_strangers_cannot(world):
    family, resident = world.person(Role.FAMILY), world.person(Role.RESIDENT)
    stranger = world.person(Role.FAMILY)
    link = accounts.request_link(family, resident.resident_code, "son")
    accounts.decide_link(link, resident, approve=True)
    with pytest.raises(accounts.NotAllowed):
        accounts.end_link(link, stranger)
    accounts.end_link(link, resident)
    assert link.status == LinkStatus.ENDED and not accounts.is_linked(family, resident)
    with pytest.raises(accounts.NotAllowed):
        accounts.end_link(link, family)


def test_link_changes_are_audited(world):
    family, resident = world.person(Role.FAMILY), world.person(Role.RESIDENT)
    link = accounts.request_link(family, resident.resident_code, "son")
    accounts.decide_link(link, resident, approve=False)
    actions = [(e.action, e.actor_id, e.subject_id) for e in db.session.query(AuditEntry)]
    assert ("family_link.requested", family.id, resident.id) in actions
    assert ("family_link.declined", resident.id, resident.id) in actions


def test_kiosk_token_is_stored_only_as_a_hash_and_revocation_sticks(world):
    admin = world.person(Role.ADMIN)
    kiosk, token = accounts.enrol_kiosk(world.community, " 活动室 ", admin)
    assert kiosk.location == "活动室" and token not in kiosk.token_hash
    assert accounts.kiosk_for_token(token) == kiosk and kiosk.active
    accounts.revoke_kiosk(kiosk, admin)
    assert accounts.kiosk_for_token(token) == kiosk and not kiosk.active
    assert accounts.kiosk_for_token("not-a-token") is None
    assert accounts.kiosk_for_token(None) is None


def test_a_process_hashes_one_secret_at_a_time(monkeypatch):
    """Each scrypt hash holds 32 MiB: many people signing in at once wait their turn rather than
    push a web worker's memory up by 32 MiB each."""
    import threading
    import time

    running, most = [], []
    guard = threading.Lock()

    def slow_check(_hash, _secret):
        with guard:
            running.append(1)
            most.append(len(running))
        time.sleep(0.02)
        with guard:
            running.pop()
        return True

    monkeypatch.setattr(accounts, "check_password_hash", slow_check)
    threads = [
        threading.Thread(target=accounts._matches, args=("hash", "secret")) for _ in range(6)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(most) == 6 and max(most) == 1
