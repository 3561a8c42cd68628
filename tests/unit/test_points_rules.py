"""Earning by the other rules, each deed once, also when two staff record it at once: helping at
an activity, a kitchen shift, an award by hand (audited); every deed's hours join the permanent
record of service, which outlives points that expire."""

import threading
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from portal.accounts.models import Person, Role
from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.points import expiry, rules
from portal.points import services as points
from portal.points.models import (
    AccountKind,
    Movement,
    PointsSettings,
    PointsTransaction,
    ServiceRecord,
)

NOW = datetime(2026, 3, 2, 8, 0)  # 16:00 in Shanghai


@pytest.fixture
def helpers(world):
    return [world.person(Role.VOLUNTEER, name=name) for name in ("志愿者小张", "志愿者小李")]


def _hours(person) -> int:
    return db.session.scalar(
        select(func.coalesce(func.sum(ServiceRecord.minutes), 0)).where(
            ServiceRecord.person_id == person.id
        )
    )


def test_the_organiser_credits_every_helper_of_an_activity_in_one_action(world, helpers):
    event = world.event(datetime(2026, 3, 2, 1, 0), "太极拳", hours=2)
    assert rules.helped_at(event, helpers, event.organiser, now=NOW) == 2
    assert rules.helped_at(event, helpers, event.organiser, now=NOW) == 0
    for helper in helpers:
        assert points.balance(helper, world.community.id) == 10
        assert _hours(helper) == 120
    [record, _other] = db.session.scalars(select(ServiceRecord).order_by(ServiceRecord.id))
    assert record.on == date(2026, 3, 2) and record.detail["title"]["zh_Hans"] == "太极拳"
    assert points.unbalanced() == []


def test_a_kitchen_shift_pays_once_per_meal_even_pressed_by_two_staff_at_once(app, world, helpers):
    lunch = world.lunch(date(2026, 3, 2), {"name_zh_hans": "红烧肉套餐", "price_fen": 1500})
    place_id, helper_id = lunch.service.canteen_id, helpers[0].id
    staff_ids = [world.person(Role.CANTEEN_STAFF).id for _ in range(2)]
    barrier = threading.Barrier(len(staff_ids))
    outcomes = []

    def record(staff_id):
        from portal.canteen.models import Canteen

        with app.app_context():
            barrier.wait()
            try:
                done = rules.kitchen_shift(
                    db.session.get(Person, helper_id),
                    db.session.get(Canteen, place_id),
                    date(2026, 3, 2),
                    "lunch",
                    180,
                    db.session.get(Person, staff_id),
                    now=NOW,
                )
                outcomes.append(done.id)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=record, args=(staff,)) for staff in staff_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.session.expire_all()
    assert len(outcomes) == 2 and len(set(outcomes)) == 1
    assert points.balance(helpers[0], world.community.id) == 15
    assert _hours(helpers[0]) == 180
    assert points.unbalanced() == []


def test_staff_shifts_earn_nothing(world):
    lunch = world.lunch(date(2026, 3, 2), {"name_zh_hans": "红烧肉套餐", "price_fen": 1500})
    cook = world.person(Role.CANTEEN_STAFF)
    with pytest.raises(rules.NotForStaff):
        rules.kitchen_shift(cook, lunch.service.canteen, date(2026, 3, 2), "lunch", 60, cook)


def test_an_award_by_hand_is_audited_and_made_once_per_form(app, world, helpers):
    admin = world.person(Role.ADMIN)
    community, helper_id, admin_id = world.community.id, helpers[0].id, admin.id
    barrier = threading.Barrier(3)
    outcomes = []

    def press():
        with app.app_context():
            barrier.wait()
            try:
                outcomes.append(
                    rules.award(
                        db.session.get(Person, helper_id),
                        community,
                        30,
                        "春节慰问帮忙",
                        "form-1",
                        db.session.get(Person, admin_id),
                        now=NOW,
                    ).id
                )
            finally:
                db.session.remove()

    threads = [threading.Thread(target=press) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.session.expire_all()
    assert len(set(outcomes)) == 1
    assert points.balance(helpers[0], community) == 30
    awarded = db.session.get(PointsTransaction, outcomes[0])
    assert awarded.kind == Movement.AWARDED and awarded.reason == "春节慰问帮忙"
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "points.awarded")
        )
        == 1
    )
    with pytest.raises(points.BadMovement):
        rules.award(helpers[0], community, 0, "零分", "form-2", admin)
    with pytest.raises(points.BadMovement):
        rules.award(helpers[0], community, rules.AWARD_MAX + 1, "太多", "form-3", admin)


def test_points_expire_oldest_first_and_the_record_of_hours_stays(world, helpers):
    helper = helpers[0]
    community = world.community
    db.session.add(PointsSettings(community_id=community.id, expire_after_months=12))
    db.session.commit()
    event = world.event(datetime(2025, 1, 10, 1, 0), "义诊", hours=3)
    rules.helped_at(event, [helper], event.organiser, now=datetime(2025, 1, 10, 6, 0))
    rules.award(
        helper,
        community.id,
        50,
        "帮忙搬家",
        "f-1",
        event.organiser,
        now=datetime(2025, 1, 20, 6, 0),
    )
    rules.award(
        helper, community.id, 40, "帮忙打扫", "f-2", event.organiser, now=datetime(2025, 6, 1, 6, 0)
    )
    points.give(helper, community.id, 25, now=datetime(2025, 7, 1, 6, 0))  # spends the oldest
    assert points.balance(helper, community.id) == 75
    # 2026-01-15: what was earned before 2025-01-15 (10) is spent already: nothing expires.
    assert expiry.expire_points(now=datetime(2026, 1, 15, 2, 0)) == 0
    # 2026-01-25: the 60 earned before 2025-01-25, less the 25 spent, expire: 35.
    assert expiry.expire_points(now=datetime(2026, 1, 25, 2, 0)) == 1
    assert expiry.expire_points(now=datetime(2026, 1, 25, 3, 0)) == 0
    assert points.balance(helper, community.id) == 40
    # 2026-06-02: the rest, earned on 2025-06-01, expire too.
    assert expiry.expire_points(now=datetime(2026, 6, 2, 2, 0)) == 1
    assert points.balance(helper, community.id) == 0
    assert _hours(helper) == 180
    assert points.account(community.id, AccountKind.ISSUED).balance == -25
    assert points.unbalanced() == []


def test_months_before_keeps_to_the_months_last_day():
    assert expiry.months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert expiry.months_before(date(2026, 1, 15), 12) == date(2025, 1, 15)
    assert expiry.months_before(date(2026, 5, 31), 3) == date(2026, 2, 28)
