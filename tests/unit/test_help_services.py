import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.accounts.models import Role
from portal.accounts.services import served_by_code
from portal.community.models import Partner
from portal.extensions import db
from portal.help import services as help
from portal.help.models import Category, HelpEvent, HelpRequest, Level, Source, Status
from portal.model_base import utcnow
from portal.notifications.models import Notification


def _raise(people, category="repair", **kwargs):
    return help.raise_request(people.resident, category, people.resident, **kwargs)[0]


def test_one_tap_creates_a_committed_request_in_the_residents_grid(people, world):
    request, created = help.raise_request(people.resident, "repair", people.resident)
    assert created and request.status == Status.NEW and request.grid_id == world.grid.id
    db.session.expire_all()
    assert db.session.get(HelpRequest, request.id).category == "repair"
    assert [e.kind for e in request.events] == ["created"]


def test_unwell_is_urgent(people):
    assert _raise(people, "unwell").urgent and not _raise(people, "errand").urgent


def test_unknown_category_is_refused(people):
    with pytest.raises(help.UnknownCategory):
        help.raise_request(people.resident, "teleport", people.resident)


def test_double_tap_within_ten_minutes_returns_the_same_request(people):
    now = utcnow()
    first = _raise(people, now=now)
    again, created = help.raise_request(
        people.resident, "repair", people.resident, now=now + timedelta(minutes=9)
    )
    assert again.id == first.id and not created
    other_category = _raise(people, "errand", now=now)
    assert other_category.id != first.id
    later, created = help.raise_request(
        people.resident, "repair", people.resident, now=now + timedelta(minutes=11)
    )
    assert created and later.id != first.id


def test_family_raises_on_behalf_but_strangers_cannot(people, world):
    request, _ = help.raise_request(people.resident, "errand", people.family)
    assert request.raised_by_id == people.family.id
    stranger = world.person(Role.FAMILY)
    with pytest.raises(help.NotAllowed):
        help.raise_request(people.resident, "errand", stranger)


def test_requests_are_rate_limited_per_resident(people):
    timers = help.Timers(per_hour=3, dedupe=timedelta(0))
    now = utcnow()
    for minute in range(3):
        _raise(people, now=now + timedelta(minutes=minute), timers=timers)
    with pytest.raises(help.TooManyRequests):
        _raise(people, now=now + timedelta(minutes=4), timers=timers)


def test_feeling_unwell_is_never_refused_for_the_number_of_requests(people):
    timers = help.Timers(per_hour=1, dedupe=timedelta(0))
    now = utcnow()
    _raise(people, now=now, timers=timers)
    with pytest.raises(help.TooManyRequests):
        _raise(people, "errand", now=now, timers=timers)
    unwell = _raise(people, "unwell", now=now + timedelta(minutes=1), timers=timers)
    assert unwell.urgent and unwell.id is not None


def test_every_status_change_notifies_resident_and_family(people):
    request = _raise(people)
    help.take(request, people.worker)
    recipients = db.session.scalars(select(Notification.recipient_id)).all()
    assert recipients.count(people.family.id) == 2 and recipients.count(people.resident.id) == 2


def test_full_loop_take_start_hand_off_resolve_confirm(people, world):
    partner = Partner(community=world.community, name="物业公司", phone="0871-1")
    db.session.add(partner)
    request = _raise(people)
    help.take(request, people.worker)
    assert request.status == Status.ACKNOWLEDGED and request.holder == people.worker
    help.start(request, people.worker)
    help.hand_off(request, people.worker, partner, "水管漏水，请物业上门")
    assert request.status == Status.IN_PROGRESS and request.partner == partner
    help.resolve(request, people.worker, "换了新水龙头")
    assert request.status == Status.RESOLVED and request.resolved_at
    help.confirm(request, people.resident, fixed=True)
    assert request.status == Status.CLOSED and request.feedback == "fixed"
    kinds = [e.kind for e in request.events]
    assert kinds == ["created", "taken", "started", "handed_off", "resolved", "confirmed"]
    assert all(e.at for e in request.events)


def test_not_fixed_reopens_to_the_holder(people):
    request = _raise(people)
    help.take(request, people.worker)
    help.resolve(request, people.worker, "修好了")
    help.confirm(request, people.family, fixed=False)
    assert request.status == Status.ACKNOWLEDGED and request.reopened == 1
    assert request.resolved_at is None


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (Status.NEW, "start"),
        (Status.NEW, "resolve"),
        (Status.NEW, "untake"),
        (Status.ACKNOWLEDGED, "take"),
        (Status.RESOLVED, "resolve"),
        (Status.CLOSED, "resolve"),
        (Status.CLOSED, "note"),
        (Status.CLOSED, "confirm"),
        (Status.CLOSED, "escalate"),
    ],
)
def test_forbidden_transitions_raise(people, status, action):
    request = _raise(people)
    request.status = status
    request.holder_id = people.worker.id if status != Status.NEW else None
    db.session.commit()
    calls = {
        "start": lambda: help.start(request, people.worker),
        "resolve": lambda: help.resolve(request, people.worker, "x"),
        "untake": lambda: help.untake(request, people.worker),
        "take": lambda: help.take(request, people.other_worker),
        "note": lambda: help.add_note(request, people.worker, "x", visible=False),
        "confirm": lambda: help.confirm(request, people.resident, fixed=True),
        "escalate": lambda: help.escalate(request, people.worker, "x"),
    }
    with pytest.raises((help.IllegalTransition, help.AlreadyTaken)):
        calls[action]()


def test_only_the_holder_acts_and_untake_gives_it_back(people):
    request = _raise(people)
    help.take(request, people.worker)
    with pytest.raises(help.AlreadyTaken) as taken:
        help.take(request, people.other_worker)
    assert taken.value.holder == people.worker
    with pytest.raises(help.NotAllowed):
        help.resolve(request, people.other_worker, "x")
    help.untake(request, people.worker)
    assert request.status == Status.NEW and request.holder is None
    help.take(request, people.other_worker)


def test_volunteers_take_errands_but_not_repairs(people):
    repair, errand = _raise(people, "repair"), _raise(people, "errand")
    with pytest.raises(help.NotAllowed):
        help.take(repair, people.volunteer)
    help.take(errand, people.volunteer)
    assert help.queue(people.volunteer) == [errand]


def test_workers_of_another_grid_cannot_act(people, world):
    from portal.community.models import Grid

    elsewhere = Grid(name="第二网格", community=world.community)
    db.session.add(elsewhere)
    db.session.commit()
    outsider = world.person(Role.GRID_WORKER, grid=elsewhere)
    request = _raise(people)
    with pytest.raises(help.NotAllowed):
        help.take(request, outsider)
    assert help.queue(outsider) == []


def test_queue_is_sorted_by_urgency_then_age(people):
    now = utcnow()
    old = _raise(people, "repair", now=now - timedelta(minutes=3))
    newer = _raise(people, "errand", now=now - timedelta(minutes=2))
    urgent = _raise(people, "unwell", now=now - timedelta(minutes=1))
    assert help.queue(people.worker) == [urgent, old, newer]


def test_queue_version_changes_when_a_request_changes(people):
    before = help.queue_version(people.worker)
    request = _raise(people)
    after_raise = help.queue_version(people.worker)
    assert after_raise != before
    assert help.queue_version(people.worker) == after_raise
    help.take(request, people.worker)
    assert help.queue_version(people.worker) != after_raise


def test_escalation_timers_at_their_edges(people):
    now = utcnow()
    urgent = _raise(people, "unwell", now=now)
    normal = _raise(people, "repair", now=now)
    help.escalate_overdue(now + timedelta(minutes=5))
    db.session.expire_all()
    assert (urgent.level, normal.level) == (Level.GRID, Level.GRID)
    help.escalate_overdue(now + timedelta(minutes=5, seconds=1))
    db.session.expire_all()
    assert (urgent.level, normal.level) == (Level.COMMUNITY, Level.GRID)
    help.escalate_overdue(now + timedelta(minutes=30, seconds=1))
    db.session.expire_all()
    assert normal.level == Level.COMMUNITY
    assert help.queue(people.admin) == [urgent, normal]
    counts = help.escalate_overdue(now + timedelta(hours=2, seconds=1))
    assert counts["street"] == 1
    db.session.expire_all()
    assert urgent.level == Level.STREET and normal.level == Level.COMMUNITY
    assert [e.kind for e in urgent.events].count("escalated") == 2
    assert help.escalate_overdue(now + timedelta(hours=2, seconds=1))["street"] == 0


def test_a_request_nobody_saw_for_days_goes_up_both_levels_in_one_run(people):
    now = utcnow()
    forgotten = _raise(people, "repair", now=now)
    counts = help.escalate_overdue(now + timedelta(days=3))
    assert (counts["community"], counts["street"]) == (1, 1)
    db.session.expire_all()
    assert forgotten.level == Level.STREET
    assert [e.kind for e in forgotten.events].count("escalated") == 2
    assert help.escalate_overdue(now + timedelta(days=3)) == {
        "community": 0,
        "street": 0,
        "closed": 0,
    }


def test_acknowledged_requests_do_not_escalate_to_the_community(people):
    now = utcnow()
    request = _raise(people, "unwell", now=now)
    help.take(request, people.worker, now=now + timedelta(minutes=1))
    help.escalate_overdue(now + timedelta(minutes=10))
    db.session.expire_all()
    assert request.level == Level.GRID


def test_unconfirmed_resolved_requests_close_after_three_days(people):
    request = _raise(people)
    help.take(request, people.worker)
    help.resolve(request, people.worker, "done")
    resolved_at = request.resolved_at
    assert (
        help.escalate_overdue(resolved_at + timedelta(days=3) - timedelta(seconds=1))["closed"] == 0
    )
    assert help.escalate_overdue(resolved_at + timedelta(days=3, seconds=1))["closed"] == 1
    db.session.expire_all()
    assert request.status == Status.CLOSED and request.feedback == "no_answer"


def test_manual_escalation_with_reason(people):
    request = _raise(people)
    help.escalate(request, people.worker, "需要社区协调")
    assert request.level == Level.COMMUNITY
    assert request.events[-1].text == "需要社区协调"


def _race(app, count, work):
    """Run work(index) in count threads at once, each with its own app context and session."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(index):
        with app.app_context():
            barrier.wait()
            try:
                results[index] = work(index)
            except Exception as error:  # noqa: BLE001 - the outcome is what the test inspects
                results[index] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_two_workers_taking_at_once_exactly_one_wins(app, people, world):
    workers = [people.worker.id, people.other_worker.id] + [
        world.person(Role.GRID_WORKER).id for _ in range(4)
    ]
    request_id = _raise(people).id

    def take(index):
        from portal.accounts.models import Person

        help.take(help.get(request_id), db.session.get(Person, workers[index]))
        return "won"

    results = _race(app, len(workers), take)
    assert results.count("won") == 1
    assert all(isinstance(r, help.AlreadyTaken) for r in results if r != "won")
    db.session.expire_all()
    taken = db.session.scalar(select(func.count()).where(HelpEvent.kind == "taken"))
    assert taken == 1


def test_many_taps_at_once_make_one_request(app, people):
    resident_id = people.resident.id

    def tap(index):
        from portal.accounts.models import Person

        resident = db.session.get(Person, resident_id)
        request, created = help.raise_request(resident, Category.REPAIR, resident)
        return request.id, created

    results = _race(app, 8, tap)
    assert not any(isinstance(r, Exception) for r in results), results
    assert len({request_id for request_id, _ in results}) == 1
    assert [created for _, created in results].count(True) == 1


def test_staff_raise_a_request_for_a_resident_who_asked_without_a_device(world):
    resident = world.person(Role.RESIDENT)
    worker = world.person(Role.GRID_WORKER)
    volunteer = world.person(Role.VOLUNTEER)
    request, created = help.raise_for(
        resident, Category.REPAIR, worker, Source.PHONE_CALL, note="水管漏水"
    )
    assert created and request.source == Source.PHONE_CALL
    assert request.raised_by is worker and request.resident is resident
    with pytest.raises(help.NotAllowed):
        help.raise_for(resident, Category.REPAIR, volunteer, Source.VISIT)
    with pytest.raises(help.NotAllowed):
        help.raise_for(resident, Category.REPAIR, worker, Source.TAP)
    assert served_by_code(worker, resident.resident_code) is resident
    assert served_by_code(volunteer, resident.resident_code) is None
