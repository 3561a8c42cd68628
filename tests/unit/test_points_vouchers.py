"""Vouchers: getting one takes its points once per confirmation, within its stock, its dates and
the limit per person, never beyond the balance, also when asked for from several places at once;
a meal voucher pays at booking (after the age tier) and at the counter, and comes back when the
booking is cancelled in time; vouchers not used by their last day expire."""

import threading
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from portal.accounts.models import Person, Role
from portal.audit.models import AuditEntry
from portal.canteen import seams as canteen_seams
from portal.canteen import services as canteen
from portal.canteen.models import Booking, BookingStatus
from portal.extensions import db
from portal.points import expiry, vouchers
from portal.points import services as points
from portal.points.models import (
    AccountKind,
    Movement,
    PointsTransaction,
    Voucher,
    VoucherKind,
    VoucherStatus,
)

DAY = date(2026, 3, 2)  # a Monday; lunch books until 09:30 in Shanghai, 01:30 UTC
NOW = datetime(2026, 3, 1, 2, 0)
BEFORE_CUTOFF = datetime(2026, 3, 2, 1, 0)
AT_CUTOFF = datetime(2026, 3, 2, 1, 30)


@pytest.fixture
def lunch(world):
    return world.lunch(
        DAY,
        {"name_zh_hans": "红烧肉套餐", "price_fen": 1500},
        {"name_zh_hans": "清蒸鱼", "price_fen": 2500},
        capacity=20,
        senior_discount_percent=20,
    )


@pytest.fixture
def resident(world):
    return world.person(Role.RESIDENT, name="王秀英", birth_date=date(1950, 5, 1))


def _kind(world, **values) -> VoucherKind:
    kind = VoucherKind(
        community_id=world.community.id,
        name=values.pop("name", "午餐券"),
        use=values.pop("use", "meal"),
        value_fen=values.pop("value_fen", 1500),
        points=values.pop("points", 50),
        valid_from=values.pop("valid_from", date(2026, 1, 1)),
        valid_until=values.pop("valid_until", date(2026, 12, 31)),
        **values,
    )
    db.session.add(kind)
    db.session.commit()
    return kind


def _earn(person, community_id, amount, key="shift:1"):
    points.earn(person, community_id, amount, f"{key}:person:{person.id}", now=NOW)


def test_a_voucher_costs_its_points_once_per_confirmation(world, resident):
    kind = _kind(world)
    _earn(resident, world.community.id, 120)
    voucher = vouchers.redeem(resident, kind, "confirm-1", now=NOW)
    again = vouchers.redeem(resident, kind, "confirm-1", now=NOW)
    assert again.id == voucher.id and voucher.reference == f"Q{voucher.id:06d}"
    assert points.balance(resident, world.community.id) == 70
    assert points.account(world.community.id, AccountKind.VOUCHERS).balance == 50
    assert db.session.get(VoucherKind, kind.id).issued == 1
    assert points.unbalanced() == []


@pytest.mark.parametrize(
    ("values", "refused"),
    [
        ({"valid_until": date(2026, 2, 28)}, vouchers.NotOnOffer),
        ({"withdrawn_at": NOW}, vouchers.NotOnOffer),
        ({"stock": 1, "issued": 1}, vouchers.SoldOut),
        ({"points": 200}, points.NotEnoughPoints),
    ],
)
def test_a_voucher_off_offer_out_of_stock_or_too_dear_is_refused(world, resident, values, refused):
    kind = _kind(world, **values)
    _earn(resident, world.community.id, 120)
    with pytest.raises(refused):
        vouchers.redeem(resident, kind, "confirm-1", now=NOW)
    assert points.balance(resident, world.community.id) == 120
    assert db.session.scalar(select(func.count()).select_from(Voucher)) == 0


def test_the_limit_per_person_counts_used_vouchers_too(world, resident):
    kind = _kind(world, per_person=2, points=10)
    _earn(resident, world.community.id, 100)
    vouchers.redeem(resident, kind, "a", now=NOW)
    vouchers.redeem(resident, kind, "b", now=NOW)
    with pytest.raises(vouchers.LimitReached) as refused:
        vouchers.redeem(resident, kind, "c", now=NOW)
    assert refused.value.limit == 2
    assert points.balance(resident, world.community.id) == 80


def _race(app, person_id: int, kind_id: int, keys: list[str]) -> list[str]:
    barrier = threading.Barrier(len(keys))
    outcomes = []

    def run(key):
        with app.app_context():
            person = db.session.get(Person, person_id)
            kind = db.session.get(VoucherKind, kind_id)
            barrier.wait()
            try:
                vouchers.redeem(person, kind, key, now=NOW)
                outcomes.append("got")
            except vouchers.VoucherError as refused:
                outcomes.append(type(refused).__name__)
            except points.NotEnoughPoints:
                outcomes.append("NotEnoughPoints")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(key,)) for key in keys]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.session.expire_all()
    return outcomes


def test_spending_the_same_points_at_once_never_goes_below_zero(app, world, resident):
    kind = _kind(world, points=40)
    _earn(resident, world.community.id, 100)
    outcomes = _race(app, resident.id, kind.id, [f"key-{n}" for n in range(6)])
    assert outcomes.count("got") == 2
    assert points.balance(resident, world.community.id) == 20
    assert db.session.scalar(select(func.count()).select_from(Voucher)) == 2
    assert points.unbalanced() == []


def test_the_last_voucher_in_stock_and_within_the_limit_goes_once(app, world, resident):
    stocked = _kind(world, points=5, stock=1)
    limited = _kind(world, points=5, per_person=1, name="体验券", use="experience")
    _earn(resident, world.community.id, 100)
    assert _race(app, resident.id, stocked.id, [f"s-{n}" for n in range(5)]).count("got") == 1
    assert _race(app, resident.id, limited.id, [f"l-{n}" for n in range(5)]).count("got") == 1
    assert points.balance(resident, world.community.id) == 90
    assert db.session.get(VoucherKind, stocked.id).issued == 1
    assert points.unbalanced() == []


def test_a_double_tap_of_one_confirmation_gets_one_voucher(app, world, resident):
    kind = _kind(world, points=10)
    _earn(resident, world.community.id, 100)
    assert _race(app, resident.id, kind.id, ["same"] * 4) == ["got"] * 4
    assert points.balance(resident, world.community.id) == 90
    assert db.session.scalar(select(func.count()).select_from(Voucher)) == 1


def test_a_meal_voucher_pays_at_booking_after_the_age_tier(world, lunch, resident):
    kind = _kind(world, value_fen=1500)
    _earn(resident, world.community.id, 100)
    voucher = vouchers.redeem(resident, kind, "k", now=NOW)
    # Aged 75 on the day: 20 % off, so the ¥15.00 set meal costs ¥12.00 and the voucher pays it all.
    [offer] = canteen_seams.offers(resident, lunch, 1200)
    assert offer.covers_fen == 1200 and offer.reference == voucher.reference
    booking, created = canteen.book(
        resident, lunch.dishes[0], "dine_in", resident, now=BEFORE_CUTOFF, pay_with=offer.key
    )
    assert created and booking.price_fen == 1200 and booking.paid_with_fen == 1200
    assert booking.to_pay_fen == 0 and booking.paid_with == voucher.reference
    db.session.refresh(voucher)
    assert voucher.status == VoucherStatus.USED and voucher.booking_id == booking.id
    assert points.account(world.community.id, AccountKind.VOUCHERS).balance == 0
    assert canteen_seams.offers(resident, lunch, 1200) == []
    assert points.unbalanced() == []


def test_a_voucher_up_to_its_value_leaves_the_rest_to_pay(world, lunch, resident):
    kind = _kind(world, value_fen=1500)
    _earn(resident, world.community.id, 100)
    vouchers.redeem(resident, kind, "k", now=NOW)
    [offer] = canteen_seams.offers(resident, lunch, 2000)
    booking, _ = canteen.book(
        resident, lunch.dishes[1], "dine_in", resident, now=BEFORE_CUTOFF, pay_with=offer.key
    )
    assert booking.price_fen == 2000 and booking.paid_with_fen == 1500 and booking.to_pay_fen == 500


def test_cancelling_in_time_gives_the_voucher_back(world, lunch, resident):
    kind = _kind(world)
    _earn(resident, world.community.id, 100)
    voucher = vouchers.redeem(resident, kind, "k", now=NOW)
    [offer] = canteen_seams.offers(resident, lunch, 1200)
    booking, _ = canteen.book(
        resident, lunch.dishes[0], "dine_in", resident, now=BEFORE_CUTOFF, pay_with=offer.key
    )
    canteen.cancel(booking, resident, now=BEFORE_CUTOFF)
    db.session.refresh(voucher)
    assert voucher.status == VoucherStatus.HELD and voucher.booking_id is None
    assert points.account(world.community.id, AccountKind.VOUCHERS).balance == 50
    moved = db.session.scalars(select(PointsTransaction.kind).order_by(PointsTransaction.id))
    assert list(moved)[-3:] == [Movement.REDEEMED, Movement.USED, Movement.RETURNED]
    assert points.unbalanced() == []
    again, _ = canteen.book(
        resident, lunch.dishes[0], "dine_in", resident, now=BEFORE_CUTOFF, pay_with=offer.key
    )
    assert again.paid_with == voucher.reference
    with pytest.raises(canteen.PastCutoff):
        canteen.cancel(again, resident, now=AT_CUTOFF)
    db.session.refresh(voucher)
    assert voucher.status == VoucherStatus.USED


def test_a_voucher_used_meanwhile_books_nothing(world, lunch, resident):
    kind = _kind(world)
    _earn(resident, world.community.id, 100)
    voucher = vouchers.redeem(resident, kind, "k", now=NOW)
    [offer] = canteen_seams.offers(resident, lunch, 1200)
    staff = world.person(Role.CANTEEN_STAFF)
    vouchers.use_at_counter(voucher, lunch.service.canteen, lunch.dishes[0], staff, now=NOW)
    with pytest.raises(canteen.PaymentRefused):
        canteen.book(
            resident, lunch.dishes[0], "dine_in", resident, now=BEFORE_CUTOFF, pay_with=offer.key
        )
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 0
    db.session.refresh(lunch)
    assert lunch.booked == 0


def test_someone_elses_voucher_or_one_not_valid_that_day_cannot_pay(world, lunch, resident):
    neighbour = world.person(Role.RESIDENT, name="李建国", birth_date=date(1948, 1, 1))
    theirs = _kind(world)
    late = _kind(world, valid_from=date(2026, 3, 3), name="三月券")
    _earn(neighbour, world.community.id, 100)
    _earn(resident, world.community.id, 100)
    voucher = vouchers.redeem(neighbour, theirs, "n", now=NOW)
    vouchers.redeem(resident, late, "r", now=NOW)
    assert canteen_seams.offers(resident, lunch, 1200) == []
    with pytest.raises(canteen.PaymentRefused):
        canteen.book(
            resident,
            lunch.dishes[0],
            "dine_in",
            resident,
            now=BEFORE_CUTOFF,
            pay_with=f"voucher:{voucher.id}",
        )


def test_the_counter_takes_a_voucher_for_a_walk_in_meal_once(world, lunch, resident):
    kind = _kind(world, value_fen=1000)
    _earn(resident, world.community.id, 100)
    voucher = vouchers.redeem(resident, kind, "k", now=NOW)
    staff = world.person(Role.CANTEEN_STAFF, name="食堂小李")
    place = lunch.service.canteen
    assert vouchers.by_reference(world.community.id, voucher.reference.lower()) == voucher
    covered = vouchers.use_at_counter(voucher, place, lunch.dishes[0], staff, now=NOW)
    assert covered == 1000  # ¥12.00 after the senior discount; the voucher pays up to ¥10.00
    with pytest.raises(vouchers.NotUsable):
        vouchers.use_at_counter(voucher, place, lunch.dishes[0], staff, now=NOW)
    assert [used.id for used in vouchers.counter_used(place, DAY)] == [voucher.id]
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "points.voucher_used", AuditEntry.subject_id == resident.id)
        )
        == 1
    )
    assert points.unbalanced() == []


def test_vouchers_not_used_by_their_last_day_expire_once(world, resident):
    kind = _kind(world, valid_until=date(2026, 3, 31))
    _earn(resident, world.community.id, 100)
    voucher = vouchers.redeem(resident, kind, "k", now=NOW)
    # 23:59 on 31 March in Shanghai: still valid; 00:00 on 1 April: expired.
    assert expiry.expire_vouchers(now=datetime(2026, 3, 31, 15, 59)) == 0
    assert expiry.expire_vouchers(now=datetime(2026, 3, 31, 16, 0)) == 1
    assert expiry.expire_vouchers(now=datetime(2026, 3, 31, 16, 5)) == 0
    db.session.refresh(voucher)
    assert voucher.status == VoucherStatus.EXPIRED
    assert points.account(world.community.id, AccountKind.VOUCHERS).balance == 0
    assert points.balance(resident, world.community.id) == 50  # not refunded
    assert points.unbalanced() == []


def test_booking_without_a_voucher_is_unchanged(world, lunch, resident):
    booking, _ = canteen.book(resident, lunch.dishes[0], "dine_in", resident, now=BEFORE_CUTOFF)
    assert booking.paid_with is None and booking.to_pay_fen == 1200
    canteen.cancel(booking, resident, now=BEFORE_CUTOFF)
    assert db.session.get(Booking, booking.id).status == BookingStatus.CANCELLED


def test_the_copy_of_ones_data_holds_points_vouchers_and_hours(world, resident):
    from portal.administration import privacy
    from portal.points import rules

    kind = _kind(world)
    event = world.event(datetime(2026, 2, 27, 1, 0), "义诊", hours=2)
    rules.helped_at(event, [resident], event.organiser, now=NOW)
    _earn(resident, world.community.id, 100)
    voucher = vouchers.redeem(resident, kind, "k", now=NOW)
    data = privacy.everything(resident, resident)
    assert [row["points"] for row in data["points"]] == [10, 100, -50]
    assert data["points"][-1]["movement"] == "redeemed"
    assert data["vouchers"] == [
        {
            "reference": voucher.reference,
            "voucher": "午餐券",
            "points": 50,
            "got_at": "2026-03-01T02:00",
            "status": "held",
            "used_at": "",
        }
    ]
    assert data["service_hours"] == [{"day": "2026-02-27", "service": "activity", "minutes": 120}]
