"""The month's points report for a community's admins: every movement of points in the
community's own month, the vouchers got and used of each kind with what the meal vouchers paid,
and what the community owed for the vouchers held at the month's end."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from flask_babel import force_locale

from portal.accounts.models import Role
from portal.extensions import db
from portal.points import expiry, rules, vouchers
from portal.points import services as points
from portal.points.models import AccountKind, Movement, VoucherKind
from portal.points.report import Figure, lines, month_bounds, month_report, table

MARCH = date(2026, 3, 1)
# 01:00 on 1 March in Shanghai, and 23:00 on 28 February: a month is the community's own.
FIRST_HOUR_OF_MARCH = datetime(2026, 2, 28, 17, 0)
LAST_HOUR_OF_FEBRUARY = datetime(2026, 2, 28, 15, 0)
IN_MARCH = datetime(2026, 3, 2, 2, 0)


def _kind(world, **values) -> VoucherKind:
    kind = VoucherKind(
        community_id=world.community.id,
        **{
            "name": "午餐券",
            "use": "meal",
            "value_fen": 1000,
            "points": 50,
            "valid_from": date(2026, 1, 1),
            "valid_until": date(2026, 3, 31),
            **values,
        },
    )
    db.session.add(kind)
    db.session.commit()
    return kind


@pytest.fixture
def month(world):
    """A volunteer and a resident of the world's community, and what they did around March."""
    volunteer = world.person(Role.VOLUNTEER, name="志愿者小张")
    resident = world.person(Role.RESIDENT, name="王秀英", birth_date=date(1950, 5, 1))
    admin = world.person(Role.ADMIN, name="周海燕")
    community_id = world.community.id
    for key, at in (("help:1", LAST_HOUR_OF_FEBRUARY), ("help:2", FIRST_HOUR_OF_MARCH)):
        rules.credit(
            volunteer,
            community_id,
            rules.Rule.HELP,
            f"{key}:person:{volunteer.id}",
            on=date(2026, 3, 1),
            minutes=60,
            now=at,
        )
    rules.credit(
        volunteer,
        community_id,
        rules.Rule.KITCHEN,
        f"kitchen:1:person:{volunteer.id}",
        on=date(2026, 3, 2),
        minutes=120,
        earned=15,
        now=IN_MARCH,
    )
    rules.award(resident, community_id, 100, "义务打扫楼道", "a" * 32, admin, now=IN_MARCH)
    points.give(volunteer, community_id, 5, to=resident, now=IN_MARCH)
    points.give(volunteer, community_id, 5, now=IN_MARCH)
    meal = _kind(world)
    outing = _kind(world, name="体验券", use="experience", value_fen=None, points=20)
    voucher = vouchers.redeem(resident, meal, "meal-1", now=IN_MARCH)
    vouchers.redeem(resident, outing, "outing-1", now=IN_MARCH)
    lunch = world.lunch(date(2026, 3, 2), {"name_zh_hans": "红烧肉", "price_fen": 1500})
    vouchers.use_at_counter(voucher, lunch.service.canteen, lunch.dishes[0], admin, now=IN_MARCH)
    own = points.account(community_id, AccountKind.PERSON, volunteer.id)
    issued = points.account(community_id, AccountKind.ISSUED)
    points.post(community_id, Movement.EXPIRED, [(own, -3), (issued, 3)], now=IN_MARCH)
    # 00:00 on 1 April in Shanghai: the outing voucher, valid to 31 March, expires unused.
    assert expiry.expire_vouchers(now=datetime(2026, 3, 31, 16, 0)) == 1
    return world.community


def test_a_month_runs_from_midnight_to_midnight_where_the_community_is(world):
    assert month_bounds(world.community, date(2026, 3, 15)) == (
        datetime(2026, 2, 28, 16, 0),
        datetime(2026, 3, 31, 16, 0),
    )
    assert month_bounds(world.community, date(2026, 12, 1))[1] == datetime(2026, 12, 31, 16, 0)


def test_every_movement_of_the_month_is_counted_once(month):
    march = month_report(month, date(2026, 3, 20))
    assert march.month == MARCH
    assert march.figures["earned:help"] == Figure(1, 10)
    assert march.figures["earned:kitchen"] == Figure(1, 15)
    assert march.figures["earned:award"] == Figure(1, 100)
    assert march.figures["given:person"] == Figure(1, 5)
    assert march.figures["given:pool"] == Figure(1, 5)
    assert march.figures[Movement.REDEEMED] == Figure(2, 70)
    assert march.figures[Movement.USED] == Figure(1, 50)
    assert march.figures[Movement.EXPIRED] == Figure(1, 3)
    assert march.figures[Movement.VOUCHER_EXPIRED] == Figure(0, 0)
    february = month_report(month, date(2026, 2, 1))
    assert february.figures["earned:help"] == Figure(1, 10)
    assert february.figures[Movement.REDEEMED] == Figure(0, 0)


def test_vouchers_got_and_used_per_kind_with_what_meals_cost(month):
    march = month_report(month, MARCH)
    got = {k.kind.name: (k.got, k.got_points, k.used, k.paid_fen) for k in march.kinds}
    # ¥15.00 less the 20 % senior discount is ¥12.00, of which the voucher pays up to ¥10.00.
    assert got == {"午餐券": (1, 50, 1, 1000), "体验券": (1, 20, 0, 0)}
    assert month_report(month, date(2026, 2, 1)).kinds == []


def test_what_is_owed_for_vouchers_held_at_the_month_s_end(month):
    march = month_report(month, MARCH)
    assert (march.held, march.owed) == (1, 20)
    april = month_report(month, date(2026, 4, 1))
    assert april.figures[Movement.VOUCHER_EXPIRED] == Figure(1, 20)
    assert (april.held, april.owed) == (0, 0)
    assert (month_report(month, date(2026, 2, 1)).held, 0) == (0, 0)
    assert points.unbalanced() == []


def test_the_spreadsheet_reads_in_words_with_money_in_yuan(app, month):
    with app.test_request_context(), force_locale("en"):
        header, rows = table(month_report(month, MARCH))
        shown = lines(month_report(month, MARCH))
    assert header == ["Part", "What", "How many", "Points", "Paid for meals (yuan)"]
    assert rows[0] == ["Points", "Earned for errands and company", 1, 10, ""]
    by_what = {row[1]: row for row in rows}
    assert by_what["午餐券: used"][2:] == [1, 50, Decimal("10.00")]
    assert by_what["体验券: used"][2:] == [0, 0, ""]
    assert by_what["Vouchers held"] == ["At the month's end", "Vouchers held", 1, 20, ""]
    assert len(shown) == len(rows)
