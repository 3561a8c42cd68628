from datetime import timedelta

import pytest

from portal.accounts import services as accounts
from portal.accounts.models import LinkStatus, Role, SignInThrottle
from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.model_base import utcnow
from portal.notifications.models import Notification
from tests.helpers import PASSWORD, PIN

HOME = accounts.Device.at_address("203.0.113.7")
STRANGER = accounts.Device.at_address("198.51.100.66")
KIOSK = accounts.Device.at_kiosk(1)


def _fail_times(authenticate, times, *args, device=HOME, now=None):
    for _ in range(times):
        with pytest.raises(accounts.InvalidCredentials):
            authenticate(*args, device, now=now)


def test_password_sign_in_accepts_spaced_phone_number(world):
    person = world.person(Role.VOLUNTEER)
    spaced = f"{person.phone[:3]} {person.phone[3:7]} {person.phone[7:]}"
    assert accounts.authenticate_password(spaced, PASSWORD, HOME) == person


def test_after_five_wrong_passwords_the_device_waits_longer_each_time(world):
    person = world.person(Role.FAMILY)
    now = utcnow()
    _fail_times(accounts.authenticate_password, 4, person.phone, "wrong", now=now)
    with pytest.raises(accounts.MustWait) as waiting:
        accounts.authenticate_password(person.phone, "wrong", HOME, now=now)
    assert waiting.value.until == now + timedelta(seconds=30)
    # During the wait even the right password is refused unchecked, and the wait does not grow.
    with pytest.raises(accounts.MustWait):
        accounts.authenticate_password(
            person.phone, PASSWORD, HOME, now=now + timedelta(seconds=29)
        )
    later = now + timedelta(seconds=31)
    with pytest.raises(accounts.MustWait) as longer:
        accounts.authenticate_password(person.phone, "wrong", HOME, now=later)
    assert longer.value.until == later + timedelta(minutes=1)
    latest = later + timedelta(minutes=1, seconds=1)
    assert accounts.authenticate_password(person.phone, PASSWORD, HOME, now=latest) == person
    assert db.session.get(SignInThrottle, f"phone:{person.phone}|{HOME.key}") is None


def test_waits_stop_growing_at_fifteen_minutes(world):
    rules = accounts.ThrottleRules()
    assert [rules.wait_after(n, 5) for n in (4, 5, 6, 7)] == [
        None,
        timedelta(seconds=30),
        timedelta(minutes=1),
        timedelta(minutes=2),
    ]
    assert rules.wait_after(9, 5) == timedelta(minutes=8)
    assert rules.wait_after(10, 5) == rules.wait_after(500, 5) == timedelta(minutes=15)


def test_a_stranger_cannot_lock_a_resident_out(world):
    resident = world.person(Role.RESIDENT)
    now = utcnow()
    for minute in range(0, 200, 16):  # a stranger keeping at it, past every wait
        with pytest.raises((accounts.InvalidCredentials, accounts.MustWait)):
            accounts.authenticate_resident(
                resident.resident_code, "1111", STRANGER, now=now + timedelta(minutes=minute)
            )
    at = now + timedelta(minutes=201)
    assert accounts.authenticate_resident(resident.resident_code, PIN, HOME, now=at) == resident
    assert accounts.authenticate_resident(resident.resident_code, PIN, KIOSK, now=at) == resident


def test_one_pin_tried_on_many_codes_makes_that_device_wait(world):
    residents = [world.person(Role.RESIDENT) for _ in range(21)]
    now = utcnow()
    for resident in residents[:20]:
        with pytest.raises((accounts.InvalidCredentials, accounts.MustWait)):
            accounts.authenticate_resident(resident.resident_code, "0000", STRANGER, now=now)
    with pytest.raises(accounts.MustWait):
        accounts.authenticate_resident(residents[20].resident_code, PIN, STRANGER, now=now)
    assert (
        accounts.authenticate_resident(residents[20].resident_code, PIN, HOME, now=now)
        == residents[20]
    )


def test_staff_are_told_once_when_an_account_is_tried_from_everywhere(world):
    resident = world.person(Role.RESIDENT)
    told = []
    rules = accounts.ThrottleRules(alert_failures=6)

    def listen(person, **detail):
        told.append((person, detail["failures"]))

    now = utcnow()
    with accounts.repeated_failures.connected_to(listen):
        for number in range(8):
            device = accounts.Device.at_address(f"198.51.100.{number}")
            with pytest.raises((accounts.InvalidCredentials, accounts.MustWait)):
                accounts.authenticate_resident(
                    resident.resident_code, "1111", device, now=now, rules=rules
                )
    assert told == [(resident, 6)]
    entry = db.session.scalar(
        db.select(AuditEntry).where(AuditEntry.action == "sign_in.repeated_failures")
    )
    assert entry.subject_id == resident.id
    # Past the alert, devices on the internet wait too; the community's kiosk never does.
    with pytest.raises(accounts.MustWait):
        accounts.authenticate_resident(resident.resident_code, PIN, HOME, now=now, rules=rules)
    found = accounts.authenticate_resident(resident.resident_code, PIN, KIOSK, now=now, rules=rules)
    assert found == resident


def test_failures_are_forgotten_a_day_after_the_last(world):
    person = world.person(Role.FAMILY)
    now = utcnow()
    _fail_times(accounts.authenticate_password, 4, person.phone, "wrong", now=now)
    tomorrow = now + timedelta(days=1, seconds=1)
    _fail_times(accounts.authenticate_password, 4, person.phone, "wrong", now=tomorrow)


def test_unknown_phone_numbers_are_throttled_like_real_ones(world):
    _fail_times(accounts.authenticate_password, 4, "13912345678", "anything")
    with pytest.raises(accounts.MustWait):
        accounts.authenticate_password("13912345678", "anything", HOME)


def test_a_success_clears_earlier_failures(world):
    person = world.person(Role.FAMILY)
    _fail_times(accounts.authenticate_password, 4, person.phone, "wrong")
    accounts.authenticate_password(person.phone, PASSWORD, HOME)
    _fail_times(accounts.authenticate_password, 4, person.phone, "wrong")


def test_inactive_people_cannot_sign_in(world):
    person = world.person(Role.VOLUNTEER, active=False)
    with pytest.raises(accounts.InvalidCredentials):
        accounts.authenticate_password(person.phone, PASSWORD, HOME)


def test_resident_sign_in_does_not_say_whether_code_or_pin_was_wrong(world):
    resident = world.person(Role.RESIDENT)
    with pytest.raises(accounts.InvalidCredentials) as wrong_pin:
        accounts.authenticate_resident(resident.resident_code, "0000", HOME)
    with pytest.raises(accounts.InvalidCredentials) as wrong_code:
        accounts.authenticate_resident("999999", PIN, HOME)
    assert type(wrong_pin.value) is type(wrong_code.value)
    assert str(wrong_pin.value) == str(wrong_code.value)
    assert accounts.authenticate_resident(resident.resident_code, PIN, HOME) == resident


def test_a_sign_in_ends_on_its_own_with_a_new_pin_and_when_asked(world):
    resident = world.person(Role.RESIDENT)
    now = utcnow()
    home = accounts.start_sign_in(resident, lasts=timedelta(days=90), remembered=True, now=now)
    kiosk = accounts.start_sign_in(resident, lasts=timedelta(hours=1), now=now)
    user_id = f"{resident.id}.{home.id}"
    assert accounts.signed_in_person(user_id, now=now) == resident
    assert accounts.signed_in_person(user_id, now=now + timedelta(days=90, seconds=1)) is None
    for forged in ("", "1", f"{resident.id}", f"{resident.id}.", "x.1", f"{resident.id}.{10**30}"):
        assert accounts.signed_in_person(forged, now=now) is None
    assert accounts.signed_in_person(f"{resident.id + 1}.{home.id}", now=now) is None

    admin = world.person(Role.ADMIN)
    assert accounts.end_sign_ins(resident, admin, only_remembered=True) == 1
    assert accounts.signed_in_person(user_id, now=now) is None
    assert accounts.signed_in_person(f"{resident.id}.{kiosk.id}", now=now) == resident
    entry = db.session.scalar(
        db.select(AuditEntry).where(AuditEntry.action == "sign_in.ended_remembered")
    )
    assert (entry.actor_id, entry.subject_id) == (admin.id, resident.id)

    accounts.set_pin(resident, "1357")
    db.session.commit()
    assert accounts.signed_in_person(f"{resident.id}.{kiosk.id}", now=now) is None


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


def test_admins_of_the_community_and_the_street_get_the_alert(world):
    resident = world.person(Role.RESIDENT, name="吴秀兰")
    here = world.person(Role.ADMIN)
    street = world.person(Role.ADMIN)
    street.community_id = None
    db.session.commit()
    rules = accounts.ThrottleRules(alert_failures=3)
    now = utcnow()
    for number in range(3):
        device = accounts.Device.at_address(f"198.51.100.{number}")
        with pytest.raises((accounts.InvalidCredentials, accounts.MustWait)):
            accounts.authenticate_resident(
                resident.resident_code, "1111", device, now=now, rules=rules
            )
    told = db.session.scalars(
        db.select(Notification).where(Notification.kind == "account.repeated_failures")
    ).all()
    assert sorted(n.recipient_id for n in told) == sorted([here.id, street.id])
    assert told[0].params["name"] == "吴秀兰"
