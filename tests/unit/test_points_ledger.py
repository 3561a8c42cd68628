"""The points ledger: each movement balances; a deed pays once, also when several staff record it
at the same moment; nobody's balance goes below zero, also when spent from several places at once;
a reversal is a movement of its own, made once; the kept balances agree with the entries."""

import threading
from datetime import datetime

import pytest
from sqlalchemy import func, select

from portal.accounts.models import Role
from portal.extensions import db
from portal.points import services as points
from portal.points.models import AccountKind, PointsAccount, PointsEntry, PointsTransaction

NOW = datetime(2026, 3, 2, 2, 0)


@pytest.fixture
def volunteer(world):
    return world.person(Role.VOLUNTEER, name="志愿者小张")


@pytest.fixture
def neighbour(world):
    return world.person(Role.RESIDENT, name="王秀英")


def test_earning_moves_points_from_the_community_and_balances(world, volunteer):
    done = points.earn(volunteer, world.community.id, 20, "round:1:person:1", now=NOW)
    assert points.balance(volunteer, world.community.id) == 20
    assert sorted(entry.amount for entry in done.entries) == [-20, 20]
    issued = points.account(world.community.id, AccountKind.ISSUED)
    assert issued.balance == -20
    assert points.unbalanced() == []


def test_a_deed_pays_once_however_often_it_is_recorded(world, volunteer):
    first = points.earn(volunteer, world.community.id, 20, "help:7:person:3", now=NOW)
    again = points.earn(volunteer, world.community.id, 20, "help:7:person:3", now=NOW)
    assert again.id == first.id
    assert points.balance(volunteer, world.community.id) == 20
    assert db.session.scalar(select(func.count()).select_from(PointsTransaction)) == 1


def test_giving_to_a_neighbour_or_the_pool_never_below_zero(world, volunteer, neighbour):
    community = world.community.id
    points.earn(volunteer, community, 30, "shift:1", now=NOW)
    points.give(volunteer, community, 10, to=neighbour, now=NOW)
    points.give(volunteer, community, 5, now=NOW)
    with pytest.raises(points.NotEnoughPoints):
        points.give(volunteer, community, 16, to=neighbour, now=NOW)
    assert points.balance(volunteer, community) == 15
    assert points.balance(neighbour, community) == 10
    assert points.account(community, AccountKind.POOL).balance == 5
    assert points.unbalanced() == []


def test_movements_that_do_not_balance_are_refused(world, volunteer):
    own = points.account(world.community.id, AccountKind.PERSON, volunteer.id)
    pool = points.account(world.community.id, AccountKind.POOL)
    for moves in ([(own, 5), (pool, -4)], [], [(own, 0), (pool, 0)]):
        with pytest.raises(points.BadMovement):
            points.post(world.community.id, "given", moves)
    assert db.session.scalar(select(func.count()).select_from(PointsEntry)) == 0


def test_a_reversal_is_a_new_movement_made_once(world, volunteer, neighbour):
    community = world.community.id
    earned = points.earn(volunteer, community, 20, "activity:4:person:1", now=NOW)
    undone = points.reverse(earned, by=neighbour, reason="记错了人", now=NOW)
    assert undone.reverses_id == earned.id and undone.kind == "reversed"
    assert points.balance(volunteer, community) == 0
    with pytest.raises(points.AlreadyReversed):
        points.reverse(earned, by=neighbour, reason="again", now=NOW)
    # Points already given away cannot be taken back by a reversal.
    second = points.earn(volunteer, community, 20, "activity:5:person:1", now=NOW)
    points.give(volunteer, community, 15, to=neighbour, now=NOW)
    with pytest.raises(points.NotEnoughPoints):
        points.reverse(second, by=neighbour, reason="记错了人", now=NOW)
    assert points.balance(volunteer, community) == 5
    assert points.unbalanced() == []


def test_a_kept_balance_that_differs_from_its_entries_is_found(world, volunteer):
    points.earn(volunteer, world.community.id, 20, "shift:2", now=NOW)
    own = points.account(world.community.id, AccountKind.PERSON, volunteer.id)
    own.balance = 25
    db.session.commit()
    assert points.unbalanced() == [
        f"account {own.key} keeps 25, its entries sum to 20",
    ]


def _at_once(app, count: int, act) -> list:
    """Run act() in count threads released together, each with its own session; what each
    returned or raised."""
    barrier = threading.Barrier(count)
    results = []

    def run():
        with app.app_context():
            barrier.wait()
            try:
                results.append(act())
            except points.PointsError as error:
                results.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_two_staff_recording_one_deed_at_once_pay_it_once(app, world, volunteer):
    community, person_id = world.community.id, volunteer.id

    def record():
        return points.earn(db.session.get(type(volunteer), person_id), community, 20, "round:9").id

    results = _at_once(app, 4, record)
    assert len(results) == 4 and len(set(results)) == 1
    db.session.expire_all()
    assert points.balance(volunteer, community) == 20
    assert points.unbalanced() == []


def test_spending_the_same_points_from_many_places_at_once_never_goes_below_zero(
    app, world, volunteer, neighbour
):
    community = world.community.id
    points.earn(volunteer, community, 50, "shift:3", now=NOW)
    giver_id, neighbour_id = volunteer.id, neighbour.id

    def spend():
        giver = db.session.get(type(volunteer), giver_id)
        return points.give(
            giver, community, 20, to=db.session.get(type(neighbour), neighbour_id)
        ).id

    results = _at_once(app, 6, spend)
    given = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if isinstance(r, points.NotEnoughPoints)]
    assert (len(given), len(refused)) == (2, 4)
    db.session.expire_all()
    assert points.balance(volunteer, community) == 10
    assert points.balance(neighbour, community) == 40
    assert points.unbalanced() == []
    assert (
        db.session.scalar(
            select(func.min(PointsAccount.balance)).where(PointsAccount.kind == AccountKind.PERSON)
        )
        >= 0
    )


# Earning by rule -------------------------------------------------------------------------------


def test_a_volunteer_earns_for_an_errand_they_resolved_once(world, people):
    from portal.help import services as help

    errand, _ = help.raise_request(people.resident, "errand", people.resident, now=NOW)
    help.take(errand, people.volunteer, now=NOW)
    help.resolve(errand, people.volunteer, "买好了药")
    assert points.balance(people.volunteer, world.community.id) == 10
    # Reopened and done again: the same deed, paid once.
    help.confirm(errand, people.resident, fixed=False)
    help.resolve(errand, people.volunteer, "又去了一次")
    assert points.balance(people.volunteer, world.community.id) == 10
    # A grid worker's repair is their work, and earns nothing.
    repair, _ = help.raise_request(people.resident, "repair", people.resident, now=NOW)
    help.take(repair, people.worker, now=NOW)
    help.resolve(repair, people.worker, "修好了")
    assert points.balance(people.worker, world.community.id) == 0
    assert points.unbalanced() == []


def test_a_community_chooses_its_own_numbers(world, people):
    from portal.help import services as help
    from portal.points.models import PointsRule
    from portal.points.rules import Rule, points_for

    db.session.add(PointsRule(community_id=world.community.id, rule=Rule.HELP, points=0))
    db.session.commit()
    assert points_for(world.community.id, Rule.HELP) == 0
    assert points_for(world.community.id, Rule.ROUND) == 20
    company, _ = help.raise_request(people.resident, "company", people.resident, now=NOW)
    help.take(company, people.volunteer, now=NOW)
    help.resolve(company, people.volunteer, "陪老人聊天")
    assert points.balance(people.volunteer, world.community.id) == 0
