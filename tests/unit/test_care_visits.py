"""Three-colour care visits, on a calendar the tests set: red residents are due daily, yellow
weekly, green monthly (or as the community sets); a pause keeps them off the list until it ends;
the due list is a walk; a visit is recorded once and may raise help there and then; a red
resident not at home raises one welfare check a day, however often it is recorded."""

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from portal.accounts.models import Role
from portal.audit.models import AuditEntry
from portal.care import services as care
from portal.care.models import CareVisit, ColourChange
from portal.community.models import Building
from portal.extensions import db
from portal.help.models import Category, HelpRequest

# Monday 2 March 2026, ten in the morning in Shanghai (02:00 UTC).
MONDAY = datetime(2026, 3, 2, 2, 0)


def at(days: float, hours: float = 0) -> datetime:
    """days and hours after Monday ten o'clock, Shanghai time, as naive UTC."""
    return MONDAY + timedelta(days=days, hours=hours)


@pytest.fixture
def worker(world):
    return world.person(Role.GRID_WORKER, name="王芳", grid=world.grid)


def _resident(world, worker, colour, name="王秀英", since=None, **fields):
    """A resident of colour since since (two months before Monday by default)."""
    resident = world.person(Role.RESIDENT, name=name, birth_date=date(1950, 1, 1), **fields)
    care.set_colour(worker, resident, colour, "测试", now=since or at(-60))
    return resident


def _due(worker, when) -> list[str]:
    return [d.resident.name for d in care.due_list(worker, when)]


def test_each_colour_is_due_on_its_cadence(world, worker):
    red = _resident(world, worker, "red", name="红")
    yellow = _resident(world, worker, "yellow", name="黄")
    green = _resident(world, worker, "green", name="绿")
    world.person(Role.RESIDENT, name="无色")
    assert set(_due(worker, at(0))) == {"红", "黄", "绿"}  # never visited: due now
    for resident in (red, yellow, green):
        care.record_visit(worker, resident, "well", now=at(0))
    assert _due(worker, at(0, 1)) == []
    assert _due(worker, at(1)) == ["红"]
    assert set(_due(worker, at(7))) == {"红", "黄"}
    assert set(_due(worker, at(30))) == {"红", "黄", "绿"}
    [late] = [d for d in care.due_list(worker, at(9)) if d.resident.id == yellow.id]
    assert (late.due_on, late.late) == (date(2026, 3, 9), 2)


def test_a_visit_before_the_longest_cadence_still_dates_the_lateness(world, worker):
    """Read 45 days after the last visits, beyond green's 30: each is late from its own visit,
    and shown with it."""
    yellow = _resident(world, worker, "yellow", name="黄")
    green = _resident(world, worker, "green", name="绿")
    for resident in (yellow, green):
        care.record_visit(worker, resident, "well", now=at(0))
    due = {d.resident.id: d for d in care.due_list(worker, at(45))}
    assert (due[yellow.id].due_on, due[yellow.id].late) == (date(2026, 3, 9), 38)
    assert (due[green.id].due_on, due[green.id].late) == (date(2026, 4, 1), 15)
    assert due[yellow.id].last_seen == due[green.id].last_seen == at(0)


def test_a_community_sets_its_own_cadence(world, worker, people):
    yellow = _resident(world, worker, "yellow")
    care.set_cadence(people.admin, world.community, "yellow", 3)
    care.record_visit(worker, yellow, "well", now=at(0))
    assert _due(worker, at(2)) == []
    assert _due(worker, at(3)) == ["王秀英"]
    with pytest.raises(care.NoColour):
        care.set_cadence(people.admin, world.community, "purple", 3)


def test_the_day_is_the_community_s_day(world, worker):
    """Visited at 23:30 Shanghai time on Monday; a red resident is due on Tuesday from midnight
    there, not at the UTC day's turn."""
    red = _resident(world, worker, "red")
    care.record_visit(worker, red, "well", now=at(0, 13.5))  # Monday 23:30 in Shanghai
    assert _due(worker, at(0, 13.9)) == []
    assert _due(worker, at(0, 14.1)) == ["王秀英"]  # Tuesday 00:06 in Shanghai


def test_not_at_home_is_not_a_contact(world, worker):
    red = _resident(world, worker, "red")
    care.record_visit(worker, red, "not_home", now=at(0))
    assert _due(worker, at(0, 1)) == ["王秀英"]
    care.record_visit(worker, red, "by_phone", now=at(0, 2))
    assert _due(worker, at(0, 3)) == []


def test_a_pause_keeps_them_off_the_list_until_it_ends(world, worker):
    red = _resident(world, worker, "red")
    care.pause(worker, red, date(2026, 3, 2), date(2026, 3, 5), "住院")
    assert _due(worker, at(0)) == [] and _due(worker, at(2)) == []
    assert _due(worker, at(3)) == ["王秀英"]
    assert care.pause_on(red, date(2026, 3, 4)).reason == "住院"
    with pytest.raises(care.BadPause):
        care.pause(worker, red, date(2026, 3, 5), date(2026, 3, 5), "住院")


def test_the_list_is_a_walk_through_the_buildings(world, worker):
    second = Building(name="2号楼", grid=world.grid)
    db.session.add(second)
    db.session.commit()
    _resident(world, worker, "green", name="二楼五", building=second, unit="1", floor=5)
    _resident(world, worker, "green", name="一楼三", unit="2", floor=3)
    _resident(world, worker, "red", name="一楼一", unit="1", floor=1)
    _resident(world, worker, "green", name="一二单元一", unit="2", floor=1)
    assert _due(worker, at(0)) == ["一楼一", "一二单元一", "一楼三", "二楼五"]


def test_only_the_grid_s_worker_or_admin_visits(world, worker, people):
    red = _resident(world, worker, "red")
    with pytest.raises(care.NotServed):
        care.record_visit(people.volunteer, red, "well")
    with pytest.raises(care.UnknownOutcome):
        care.record_visit(worker, red, "fine")
    care.record_visit(people.admin, red, "well", now=at(0))
    assert db.session.scalars(select(CareVisit)).all()[0].by_id == people.admin.id


def test_a_red_resident_not_at_home_raises_one_welfare_check_a_day(world, worker):
    red = _resident(world, worker, "red")
    first = care.record_visit(worker, red, "not_home", "敲门没人应", now=at(0))
    again = care.record_visit(worker, red, "not_home", now=at(0, 3))
    assert first.welfare_check_id is not None and again.welfare_check_id == first.welfare_check_id
    (check,) = db.session.scalars(select(HelpRequest)).all()
    assert (check.category, check.urgent, check.source) == ("welfare_check", True, "care_visit")
    assert check.note == "敲门没人应"
    tomorrow = care.record_visit(worker, red, "not_home", now=at(1))
    assert tomorrow.welfare_check_id != first.welfare_check_id


def test_a_yellow_resident_not_at_home_raises_nothing(world, worker):
    yellow = _resident(world, worker, "yellow")
    visit = care.record_visit(worker, yellow, "not_home", now=at(0))
    assert visit.welfare_check_id is None and db.session.scalars(select(HelpRequest)).all() == []


def test_needs_help_raises_a_request_on_the_spot(world, worker):
    green = _resident(world, worker, "green")
    visit = care.record_visit(
        worker, green, "concerns", "水龙头漏水", needs_help=Category.REPAIR, now=at(0)
    )
    request = db.session.get(HelpRequest, visit.help_request_id)
    assert (request.category, request.source, request.raised_by_id) == (
        "repair",
        "visit",
        worker.id,
    )
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "care.visited"))
    assert entry.subject_id == green.id and entry.detail["outcome"] == "concerns"


def test_a_colour_is_set_with_a_reason_and_kept_in_its_history(world, worker):
    resident = world.person(Role.RESIDENT, name="王秀英")
    with pytest.raises(care.NoColour):
        care.set_colour(worker, resident, "red", "  ")
    care.set_colour(worker, resident, "yellow", "独居", now=at(0))
    care.set_colour(worker, resident, "red", "住院回来", now=at(1))
    assert resident.care_colour == "red" and resident.care_colour_reason == "住院回来"
    history = care.colour_history(resident)
    assert [(c.colour, c.reason) for c in history] == [("red", "住院回来"), ("yellow", "独居")]
    assert all(c.by_id == worker.id for c in db.session.scalars(select(ColourChange)))


def test_the_portal_suggests_a_colour_without_setting_it(world, worker):
    young = world.person(Role.RESIDENT, name="年轻", birth_date=date(1960, 1, 1))
    assert care.suggest(young, at(0)).colour == "green"
    old = world.person(Role.RESIDENT, name="老", birth_date=date(1940, 1, 1))
    assert care.suggest(old, at(0)) == care.Suggestion("yellow", ("age",))
    poor = world.person(
        Role.RESIDENT, name="特困", birth_date=date(1940, 1, 1), special_support=True
    )
    assert care.suggest(poor, at(0)).colour == "red"
    care.set_colour(worker, young, "green", "身体好", now=at(0))
    care.record_visit(worker, young, "well", needs_help=Category.UNWELL, now=at(0))
    assert care.suggest(young, at(1)) == care.Suggestion("red", ("unwell_lately",))
    assert care.suggest(young, at(31)).colour == "green"
    assert young.care_colour == "green"


def test_a_red_resident_not_seen_by_the_day_s_end_gets_one_welfare_check(world, worker):
    red = _resident(world, worker, "red", name="红", since=at(0, -2))
    seen = _resident(world, worker, "red", name="见过", since=at(0, -2))
    yellow = _resident(world, worker, "yellow", name="黄", since=at(0, -2))
    paused = _resident(world, worker, "red", name="住院", since=at(0, -2))
    imported = world.person(Role.RESIDENT, name="导入", care_colour="red")
    care.pause(worker, paused, date(2026, 3, 1), date(2026, 3, 9), "住院")
    care.record_visit(worker, seen, "well", now=at(0, 1))
    assert care.raise_overdue(now=at(0, 9.9)) == 0  # 19:54 in Shanghai: the day goes on
    assert care.raise_overdue(now=at(0, 10)) == 1  # 20:00: 红 was not seen today
    assert care.raise_overdue(now=at(0, 11)) == 0  # once a day, however often it runs
    (check,) = db.session.scalars(select(HelpRequest)).all()
    assert (check.resident_id, check.category, check.urgent) == (red.id, "welfare_check", True)
    # Next morning the job looks back at Monday, already done; Tuesday's turn comes at 20:00.
    assert care.raise_overdue(now=at(1, -1)) == 0
    assert care.raise_overdue(now=at(1, 10)) == 2  # 红 and 见过, neither seen on Tuesday
    raised_for = {r.resident_id for r in db.session.scalars(select(HelpRequest))}
    assert yellow.id not in raised_for and imported.id not in raised_for
    assert paused.id not in raised_for


def test_a_not_at_home_check_counts_for_the_day(world, worker):
    red = _resident(world, worker, "red")
    care.record_visit(worker, red, "not_home", now=at(0, 1))
    assert care.raise_overdue(now=at(0, 10)) == 0
    assert len(db.session.scalars(select(HelpRequest)).all()) == 1


def test_the_care_job_reports_what_it_raised(runner, world, worker):
    _resident(world, worker, "red")
    result = runner.invoke(args=["care"])
    assert result.exit_code == 0 and "welfare checks raised" in result.output


def test_i_m_fine_today_is_one_check_in_a_day(world, people):
    resident = people.resident
    first = care.check_in(resident, resident, now=at(0))
    assert care.check_in(resident, resident, now=at(0, 2)).id == first.id
    assert care.todays_check_in(resident, at(0, 3)).id == first.id
    assert care.todays_check_in(resident, at(1)) is None
    by_daughter = care.check_in(resident, people.family, now=at(1))
    assert by_daughter.by_id == people.family.id
    assert care.last_check_ins([resident.id]) == {resident.id: at(1)}
    with pytest.raises(care.NotServed):
        care.check_in(resident, people.volunteer, now=at(2))


def test_the_home_reads_today_s_check_in_and_the_plan_together(world, people):
    resident = people.resident
    assert care.check_in_and_plan(resident, at(0)) == (None, None)
    care.plan_check_ins(resident, resident, time(9, 30))
    first = care.check_in(resident, resident, now=at(0))
    done, plan = care.check_in_and_plan(resident, at(0, 3))
    assert done.id == first.id and plan.deadline == time(9, 30)
    assert care.check_in_and_plan(resident, at(1)) == (None, plan)


def test_a_missed_check_in_asks_for_a_call_then_a_welfare_check(world, people):
    resident = people.resident
    care.plan_check_ins(resident, people.family, time(10))
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "care.check_ins_planned")
    )
    assert entry.actor_id == people.family.id
    care.check_in(resident, resident, now=at(0, -1))  # Monday 09:00
    assert care.follow_missed_check_ins(now=at(0, 1)) == {"calls": 0, "welfare checks": 0}
    # Tuesday: no check-in by 10:00.
    assert care.follow_missed_check_ins(now=at(1, -0.5)) == {"calls": 0, "welfare checks": 0}
    assert care.follow_missed_check_ins(now=at(1)) == {"calls": 1, "welfare checks": 0}
    assert care.follow_missed_check_ins(now=at(1, 1)) == {"calls": 0, "welfare checks": 0}
    assert care.follow_missed_check_ins(now=at(1, 2)) == {"calls": 0, "welfare checks": 1}
    assert care.follow_missed_check_ins(now=at(1, 3)) == {"calls": 0, "welfare checks": 0}
    call, check = db.session.scalars(select(HelpRequest).order_by(HelpRequest.id)).all()
    assert (call.category, call.urgent, call.source) == ("other", False, "check_in")
    assert (check.category, check.urgent) == ("welfare_check", True)
    # Wednesday she taps before ten: nothing.
    care.check_in(resident, resident, now=at(2, -0.5))
    assert care.follow_missed_check_ins(now=at(2, 3)) == {"calls": 0, "welfare checks": 0}
    care.plan_check_ins(resident, resident, None)
    assert care.follow_missed_check_ins(now=at(3, 3)) == {"calls": 0, "welfare checks": 0}


def test_other_signs_count_for_yellow_and_green_but_never_red(world, worker, people):
    red = _resident(world, worker, "red", name="红")
    yellow = _resident(world, worker, "yellow", name="黄")
    for resident in (red, yellow):
        care.record_visit(worker, resident, "well", now=at(0))
    care.check_in(yellow, yellow, now=at(5))
    care.check_in(red, red, now=at(5))
    assert set(_due(worker, at(7))) == {"红"}  # 黄's check-in on Saturday counts
    assert set(_due(worker, at(12))) == {"红", "黄"}
    care.set_other_contacts(people.admin, world.community, False)
    assert set(_due(worker, at(7))) == {"红", "黄"}


def test_other_features_register_their_signs(world, worker, monkeypatch):
    from sqlalchemy import literal

    from portal.accounts import seams

    yellow = _resident(world, worker, "yellow")
    care.record_visit(worker, yellow, "well", now=at(0))
    monkeypatch.setitem(
        seams._contacts,
        "a meal at the door",
        (lambda ids: {yellow.id: at(6)}, lambda residents: literal(at(6))),
    )
    assert _due(worker, at(7)) == []
    assert _due(worker, at(13)) == ["王秀英"]
