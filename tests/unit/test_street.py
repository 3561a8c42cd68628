"""`python -m bench.street --scale block`: the street generator's small preset, its counts, its invariants,
its determinism, and an app that still works on top of it."""

import hashlib
from collections import defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import DateTime, func, select

from bench.street import SCALES, street_command
from portal.accounts.models import FamilyLink, Person, Role, RoleGrant
from portal.activities.models import Event, SignUp, SignUpStatus
from portal.activities.schedule import extend_series
from portal.canteen import services as canteen
from portal.canteen.models import Booking, BookingStatus, Canteen, Dish, MealDay, MealService
from portal.community.models import Building, Community, Grid, StreetOffice
from portal.delivery.bookings import book_deliveries
from portal.delivery.models import Delivery, DeliveryEnrolment
from portal.extensions import db
from portal.help.models import HelpEvent, HelpRequest, Status
from portal.help.services import escalate_overdue, raise_request
from portal.points import services as points
from portal.points.expiry import expire_points, expire_vouchers
from portal.points.models import (
    AccountKind,
    Movement,
    PointsAccount,
    PointsEntry,
    PointsSettings,
    PointsTransaction,
    ServiceRecord,
    Voucher,
    VoucherKind,
    VoucherStatus,
)
from portal.site.demo import DEMO_PIN
from tests.conftest import SignIn
from tests.helpers import empty_tables

BLOCK = SCALES["block"]


def _build(runner, *args: str):
    result = runner.invoke(street_command, ["--scale", "block", *args])
    assert result.exit_code == 0, result.output
    return result


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _fingerprint() -> str:
    """A hash of every generated row without its timestamps, which move with the clock, and
    the password and PIN hashes, which are salted afresh each time."""
    digest = hashlib.sha256()
    for table in db.metadata.sorted_tables:
        columns = [
            c
            for c in table.c
            if not isinstance(c.type, DateTime) and c.name not in ("password_hash", "pin_hash")
        ]
        for row in db.session.execute(select(*columns).order_by(*table.primary_key.columns)):
            digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


@pytest.fixture
def block(runner):
    """The block preset, built through the command line."""
    return _build(runner)


def test_block_has_the_preset_counts(block):
    assert "booking" in block.output and "Built in" in block.output
    counts = {
        StreetOffice: 1,
        Community: BLOCK.communities,
        Grid: BLOCK.communities * BLOCK.grids_per_community,
        Building: BLOCK.buildings,
        Person: BLOCK.people,
        FamilyLink: BLOCK.family,
        Canteen: BLOCK.canteens,
        MealService: BLOCK.canteens * 2,
        MealDay: BLOCK.meal_days,
        Booking: BLOCK.bookings,
        DeliveryEnrolment: BLOCK.enrolments,
        Event: BLOCK.events,
        HelpRequest: BLOCK.help_requests,
    }
    assert {model: _count(model) for model in counts} == counts
    roles = dict(
        db.session.execute(
            select(RoleGrant.role, func.count(func.distinct(RoleGrant.person_id))).group_by(
                RoleGrant.role
            )
        ).all()
    )
    assert roles[Role.RESIDENT] == BLOCK.residents
    assert roles[Role.FAMILY] == BLOCK.family
    assert roles[Role.VOLUNTEER] == BLOCK.volunteers
    assert roles[Role.GRID_WORKER] == BLOCK.grid_workers
    assert roles[Role.ADMIN] == roles[Role.ORGANISER] == BLOCK.communities


def test_block_residents_are_elders_of_the_grids(block):
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    residents = db.session.scalars(select(Person).where(Person.resident_code.is_not(None))).all()
    ages = [r.age_on(today) for r in residents]
    assert min(ages) >= 60 and max(ages) <= 100
    assert all(r.building_id and r.pin_hash for r in residents)
    assert min(int(r.resident_code) for r in residents) == 300001
    phones = db.session.scalars(select(Person.phone).where(Person.phone.is_not(None))).all()
    assert all(phone.startswith("139") and len(phone) == 11 for phone in phones)
    for grid_id in db.session.scalars(select(Grid.id)):
        assert _count(RoleGrant, RoleGrant.grid_id == grid_id, RoleGrant.role == Role.GRID_WORKER)
        assert (
            _count(RoleGrant, RoleGrant.grid_id == grid_id, RoleGrant.role == Role.VOLUNTEER) >= 3
        )


def test_block_meals_count_their_bookings(block):
    standing = Booking.status != BookingStatus.CANCELLED
    by_meal = dict(
        db.session.execute(
            select(Booking.meal_day_id, func.count()).where(standing).group_by(Booking.meal_day_id)
        ).all()
    )
    for meal_day in db.session.scalars(select(MealDay)):
        assert meal_day.booked == by_meal.get(meal_day.id, 0) <= meal_day.capacity
    by_dish = dict(
        db.session.execute(
            select(Booking.dish_id, func.count()).where(standing).group_by(Booking.dish_id)
        ).all()
    )
    for dish in db.session.scalars(select(Dish)):
        assert dish.booked == by_dish.get(dish.id, 0)
        assert dish.portions is None or dish.booked <= dish.portions
    for booking in db.session.scalars(select(Booking)):
        key = None if booking.status == BookingStatus.CANCELLED else booking.active_key
        assert booking.active_key == key
        assert key is None or key == f"{booking.resident_id}:{booking.meal_day_id}"


def test_block_prices_follow_the_canteen_rule(block):
    for booking in db.session.scalars(select(Booking).limit(300)):
        meal_day = booking.meal_day
        expected = meal_day.service.canteen.price_for(booking.resident, booking.dish, meal_day.day)
        assert booking.price_fen == expected


def test_block_agrees_with_the_daily_jobs_and_timers(block):
    """Deliveries, weekly activities and help timers are where the periodic jobs would have
    left them: running them now changes nothing."""
    assert _count(Delivery) > 0
    assert book_deliveries() == {"booked": 0, "full": 0, "withdrawn": 0}
    assert extend_series() == 0
    assert escalate_overdue() == {"community": 0, "street": 0, "closed": 0}
    open_keys = db.session.execute(
        select(DeliveryEnrolment.resident_id, DeliveryEnrolment.lunch_key).where(
            DeliveryEnrolment.lunch_key.is_not(None)
        )
    ).all()
    assert all(key == str(resident_id) for resident_id, key in open_keys)


def test_block_events_count_their_places(block):
    going = dict(
        db.session.execute(
            select(SignUp.event_id, func.count())
            .where(SignUp.status == SignUpStatus.GOING)
            .group_by(SignUp.event_id)
        ).all()
    )
    for event in db.session.scalars(select(Event)):
        assert event.going == going.get(event.id, 0)
        assert event.capacity is None or event.going <= event.capacity
    for signup in db.session.scalars(select(SignUp)):
        held = signup.status in (SignUpStatus.GOING, SignUpStatus.WAITING)
        assert signup.active_key == (f"{signup.resident_id}:{signup.event_id}" if held else None)


def test_block_help_requests_have_their_histories(block):
    kinds = set(db.session.scalars(select(HelpEvent.kind).distinct()))
    assert {"created", "taken", "resolved", "confirmed", "auto_closed", "escalated"} <= kinds
    assert _count(HelpRequest, HelpRequest.status == Status.CLOSED) > BLOCK.help_requests * 0.9
    first_ids = select(func.min(HelpEvent.id)).group_by(HelpEvent.request_id)
    first_kinds = db.session.scalars(select(HelpEvent.kind).where(HelpEvent.id.in_(first_ids)))
    assert set(first_kinds) == {"created"}
    late = _count(
        HelpEvent, HelpEvent.request_id == HelpRequest.id, HelpEvent.at < HelpRequest.created_at
    )
    assert late == 0


def test_block_has_a_year_of_points_that_add_up(block):
    """Deeds of every rule with their hours, vouchers got, used and expired: the ledger balances,
    no one ever spent points they did not have, and the daily expiry has nothing left to do."""
    assert "Points history" in block.output
    assert points.unbalanced() == []
    running: dict[int, int] = defaultdict(int)
    for account_id, kind, amount in db.session.execute(
        select(PointsEntry.account_id, PointsAccount.kind, PointsEntry.amount)
        .join(PointsAccount, PointsAccount.id == PointsEntry.account_id)
        .join(PointsTransaction, PointsTransaction.id == PointsEntry.transaction_id)
        .order_by(PointsTransaction.at, PointsTransaction.id, PointsEntry.id)
    ):
        running[account_id] += amount
        assert kind == AccountKind.ISSUED or running[account_id] >= 0
    for account in db.session.scalars(select(PointsAccount)):
        person = "-" if account.person_id is None else account.person_id
        assert account.key == f"{account.community_id}:{account.kind}:{person}"
    kinds = set(db.session.scalars(select(PointsAccount.kind).distinct()))
    assert kinds == set(AccountKind)
    assert _count(PointsSettings) >= 1

    earned = dict(
        db.session.execute(
            select(PointsTransaction.deed_key, PointsTransaction.kind).where(
                PointsTransaction.kind.in_((Movement.EARNED, Movement.AWARDED))
            )
        ).all()
    )
    records = db.session.scalars(select(ServiceRecord)).all()
    assert all(earned.get(record.deed_key) == Movement.EARNED for record in records)
    assert {"round", "help", "activity", "kitchen"} == {record.rule for record in records}
    assert Movement.AWARDED in earned.values()
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    assert min(r.on for r in records) >= today - timedelta(days=BLOCK.points_days)
    assert max(r.on for r in records) <= today
    for record in records:
        assert record.deed_key.startswith(f"{record.rule}:")
        assert record.deed_key.endswith(f":person:{record.person_id}")
        if record.rule == "help":
            request = db.session.get(HelpRequest, int(record.detail["reference"][1:]))
            assert record.deed_key == f"help:{request.id}:person:{record.person_id}"
            assert request.status in (Status.RESOLVED, Status.CLOSED)

    got = dict(
        db.session.execute(select(Voucher.kind_id, func.count()).group_by(Voucher.kind_id)).all()
    )
    for kind in db.session.scalars(select(VoucherKind)):
        assert kind.issued == got.get(kind.id, 0) <= kind.stock
    vouchers = db.session.scalars(select(Voucher)).all()
    assert _count(PointsTransaction, PointsTransaction.kind == Movement.REDEEMED) == len(vouchers)
    assert {v.status for v in vouchers} == set(VoucherStatus)
    used = {
        transaction.detail["voucher"]
        for transaction in db.session.scalars(
            select(PointsTransaction).where(PointsTransaction.kind == Movement.USED)
        )
    }
    for voucher in vouchers:
        assert voucher.transaction_id and voucher.bought_at
        assert (voucher.reference in used) == (voucher.status == VoucherStatus.USED)
        if voucher.status != VoucherStatus.USED:
            continue
        assert voucher.kind.for_meals and voucher.used_at > voucher.bought_at
        assert (voucher.booking_id is None) != (voucher.dish_id is None)
        if voucher.booking is not None:
            assert voucher.booking.resident_id == voucher.holder_id
            assert voucher.booking.paid_with == voucher.reference
            assert voucher.booking.paid_with_fen == voucher.covered_fen > 0
    meals = [v for v in vouchers if v.kind.for_meals]
    assert sum(v.status == VoucherStatus.USED for v in meals) > len(meals) / 2
    assert expire_vouchers() == 0
    assert expire_points() == 0


def _rebuild(runner, *args: str) -> None:
    """Empty the database and build again; the test's own reads end first, or PostgreSQL's
    TRUNCATE would wait for them."""
    db.session.remove()
    empty_tables()
    _build(runner, *args)


def test_the_same_seed_builds_the_same_street(runner):
    _build(runner)
    first = _fingerprint()
    _rebuild(runner)
    assert _fingerprint() == first
    _rebuild(runner, "--seed", "7")
    assert _fingerprint() != first


def test_a_second_build_is_refused(runner, block):
    again = runner.invoke(street_command, ["--scale", "block"])
    assert again.exit_code != 0
    assert "already holds people" in again.output
    assert _count(Person) == BLOCK.people


def test_the_portal_works_on_the_block(block, client):
    resident = db.session.scalar(select(Person).where(Person.resident_code == "300001"))
    SignIn(client).resident(resident, pin=DEMO_PIN)
    home = client.get("/", follow_redirects=True)
    assert home.status_code == 200 and resident.name in home.get_data(as_text=True)

    tomorrow = datetime.now(ZoneInfo("Asia/Shanghai")).date() + timedelta(days=1)
    meal_day = db.session.scalar(
        select(MealDay)
        .join(MealService)
        .where(MealDay.day == tomorrow, MealService.kind == "lunch")
    )
    diner = db.session.scalar(
        select(Person)
        .where(
            Person.resident_code.is_not(None),
            Person.community_id == meal_day.service.canteen.community_id,
            ~Person.id.in_(select(Booking.resident_id).where(Booking.meal_day_id == meal_day.id)),
        )
        .limit(1)
    )
    dish = next(d for d in meal_day.dishes if d.portions is None)
    booking, created = canteen.book(diner, dish, "dine_in", diner)
    assert created and booking.id == BLOCK.bookings + 1
    request, created = raise_request(diner, "repair", diner)
    assert created and request.id == BLOCK.help_requests + 1
