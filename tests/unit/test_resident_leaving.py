"""A resident leaving home: what each feature gives back, who is told, and coming back from
hospital."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal.accounts import services as accounts
from portal.accounts.models import Leaving, Role
from portal.accounts.services import decide_link, request_link
from portal.activities import services as activities
from portal.activities.models import SignUpStatus
from portal.activities.schedule import birthday_residents
from portal.administration import residents
from portal.audit.models import AuditEntry
from portal.canteen import services as canteen
from portal.canteen.models import BookingStatus
from portal.delivery.models import EnrolmentStatus
from portal.extensions import db
from portal.notifications.models import Notification
from tests.unit.test_delivery_services import (
    MONDAY,
    NOW,
    SUNDAY,
    _elder,
    _enrolled,
    _meal,
    _standing,
    at,
)


@pytest.fixture
def place(world):
    return world.canteen_serving([SUNDAY + timedelta(days=offset) for offset in range(14)])


@pytest.fixture
def staff(world):
    return world.person(Role.CANTEEN_STAFF, name="食堂张姐")


@pytest.fixture
def held(world, place, staff):
    """A resident with a lunch booked to eat in on Tuesday, meal delivery on Mondays, Wednesdays
    and Fridays, a place at Wednesday's tai chi with someone waiting for it, and a daughter."""
    resident = _elder(world, birth_date=date(1944, 3, 20))
    daughter = world.person(Role.FAMILY, name="李娜")
    decide_link(request_link(daughter, resident.resident_code, "daughter"), resident, approve=True)
    tuesday = _meal(place, SUNDAY + timedelta(days=2))
    booking, _ = canteen.book(resident, tuesday.dishes[0], "dine_in", resident, now=NOW)
    enrolment = _enrolled(world, place, staff, resident=resident)
    tai_chi = world.event(at(SUNDAY + timedelta(days=3), 9), capacity=1)
    place_taken, _ = activities.join(resident, tai_chi, resident, now=NOW)
    waiting = world.person(Role.RESIDENT, name="赵大爷")
    next_in_line, _ = activities.join(waiting, tai_chi, waiting, now=NOW)
    accounts.start_sign_in(resident, lasts=timedelta(days=30), remembered=True, now=NOW)

    class Held:
        pass

    held = Held()
    held.__dict__.update(
        resident=resident,
        daughter=daughter,
        booking=booking,
        enrolment=enrolment,
        place=place_taken,
        next_in_line=next_in_line,
        tuesday=tuesday,
    )
    return held


def _told(person) -> list[str]:
    query = select(Notification.kind).where(Notification.recipient_id == person.id)
    return list(db.session.scalars(query.order_by(Notification.id)))


def test_moving_out_gives_everything_back_signs_out_and_tells_the_family(world, held):
    admin = world.person(Role.ADMIN)
    assert _standing(held.enrolment)
    given_back = residents.record_leaving(admin, held.resident, Leaving.MOVED_OUT, SUNDAY, now=NOW)
    assert given_back["meals"] == 1 and given_back["places"] == 1 and given_back["deliveries"] > 0
    db.session.expire_all()
    assert held.booking.status == BookingStatus.CANCELLED and held.tuesday.booked == 0
    assert held.enrolment.status == EnrolmentStatus.STOPPED and _standing(held.enrolment) == []
    assert held.place.status == SignUpStatus.LEFT
    assert held.next_in_line.status == SignUpStatus.GOING  # the waitlist moved up
    assert not held.resident.active and held.resident.left_on == SUNDAY
    assert accounts.open_sign_ins(held.resident, now=NOW) == []
    assert _told(held.daughter)[-1] == "resident.moved_out"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "resident.left"))
    assert entry.actor_id == admin.id and entry.detail == {
        "reason": "moved_out",
        "day": "2026-03-01",
    }
    # Recorded again, nothing more is given back, and nobody is told twice.
    again = residents.record_leaving(admin, held.resident, Leaving.MOVED_OUT, SUNDAY, now=NOW)
    assert sum(again.values()) == 0 and _told(held.daughter).count("resident.moved_out") == 1
    with pytest.raises(residents.AlreadyLeft):
        residents.record_leaving(admin, held.resident, Leaving.DECEASED, SUNDAY, now=NOW)


def test_meals_past_their_cut_off_stay_as_they_are(world, held, place):
    today_lunch = _meal(place, SUNDAY + timedelta(days=1))  # Monday's, booked at 09:30 Monday
    booked, _ = canteen.book(
        held.resident, today_lunch.dishes[0], "dine_in", held.resident, now=NOW
    )
    later = at(MONDAY, 10)  # past Monday lunch's cut-off
    residents.record_leaving(
        world.person(Role.ADMIN), held.resident, Leaving.DECEASED, MONDAY, now=later
    )
    db.session.expire_all()
    assert booked.status == BookingStatus.BOOKED
    assert held.booking.status == BookingStatus.CANCELLED
    assert _told(held.daughter)[-1] == "resident.deceased"


def test_a_hospital_stay_pauses_delivery_until_they_are_home(world, held):
    admin = world.person(Role.ADMIN)
    residents.record_leaving(admin, held.resident, Leaving.HOSPITAL, SUNDAY, now=NOW)
    db.session.expire_all()
    assert held.resident.active and held.resident.left_reason == Leaving.HOSPITAL
    assert held.enrolment.status == EnrolmentStatus.ACTIVE and _standing(held.enrolment) == []
    assert held.booking.status == BookingStatus.CANCELLED
    # Not invited to the month's birthday party while away; their sign-ins stay.
    assert held.resident not in birthday_residents(world.community.id, 3)
    assert accounts.open_sign_ins(held.resident, now=NOW)
    residents.record_return(admin, held.resident, now=NOW)
    db.session.expire_all()
    assert held.resident.left_reason is None
    assert _standing(held.enrolment)  # deliveries booked again
    assert held.place.status == SignUpStatus.LEFT  # what was given back stays given back
    assert held.resident in birthday_residents(world.community.id, 3)
    assert _told(held.daughter)[-2:] == ["resident.hospital", "resident.returned"]
    with pytest.raises(residents.NotAway):
        residents.record_return(admin, held.resident, now=NOW)


def test_a_leaving_day_is_today_or_in_the_past_year(world, held):
    admin = world.person(Role.ADMIN)
    for day in (MONDAY, SUNDAY - timedelta(days=400)):
        with pytest.raises(residents.LeavingDayOutOfRange):
            residents.record_leaving(admin, held.resident, Leaving.MOVED_OUT, day, now=NOW)
    db.session.expire_all()
    assert held.resident.left_reason is None and held.booking.status == BookingStatus.BOOKED
