"""The care visits report, on a calendar the test sets: visits fall due at each colour's pace after
the resident was last seen; one visit meets one that fell due, on time or late; what is still not
done at the month's end (or today) is missed; pauses move what falls due; welfare checks count."""

from datetime import date, datetime

import pytest

from portal.accounts.models import Role
from portal.care import reports
from portal.care import services as care
from portal.community.models import Grid
from portal.extensions import db
from portal.help import services as help
from portal.help.models import Category, Source

# March 2026 in Shanghai; visits at ten in the morning (02:00 UTC).
MARCH = date(2026, 3, 1)


def morning(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 2, 0)


@pytest.mark.parametrize(
    ("seen", "every", "set_on", "last", "expected"),
    [
        # Red from 1 March, seen every day of a ten-day month: ten due, ten done on time.
        ([date(2026, 3, d) for d in range(1, 11)], 1, date(2026, 3, 1), date(2026, 3, 10),
         (10, 10, 0, 0, [])),
        # Red, seen on the 28th of February, then on the 3rd: due on the 1st (met on the 3rd, two
        # days late), then the 4th and 5th, not met.
        ([date(2026, 2, 28), date(2026, 3, 3)], 1, date(2026, 1, 1), date(2026, 3, 5),
         (2, 1, 1, 1, [2])),
        # Yellow, seen on the 26th of February: due on 5 March, met on the 6th; seen early on
        # the 10th, so due again on the 17th, not the 13th: missed by the 20th.
        ([date(2026, 2, 26), date(2026, 3, 6), date(2026, 3, 10)], 7, date(2026, 1, 1),
         date(2026, 3, 20), (2, 1, 1, 1, [1])),
        # Green, never seen, coloured on 10 February: due since then, met on 15 March, 33 days
        # late; next due 14 April, after the month.
        ([date(2026, 3, 15)], 30, date(2026, 2, 10), date(2026, 3, 31), (1, 1, 1, 0, [33])),
        # Coloured on 2 March and seen that day: one due, met; seen again on the 4th, early.
        ([date(2026, 3, 2), date(2026, 3, 4)], 7, date(2026, 3, 2), date(2026, 3, 8),
         (1, 1, 0, 0, [])),
    ],
)  # fmt: skip
def test_each_visit_meets_the_one_that_fell_due(seen, every, set_on, last, expected):
    row = reports.Row("grid-1", "第一网格", "red")
    reports._count(row, sorted(seen), every, MARCH, set_on, last)
    assert (row.due, row.done, row.late, row.missed, row.days_late) == expected


def test_a_pause_moves_what_falls_due_to_the_day_visits_resume():
    row = reports.Row("grid-1", "第一网格", "yellow")
    pauses = [(date(2026, 3, 3), date(2026, 3, 20))]
    reports._count(row, [date(2026, 2, 26)], 7, MARCH, date(2026, 1, 1), date(2026, 3, 19), pauses)
    assert (row.due, row.missed) == (0, 0)
    reports._count(row, [date(2026, 2, 26)], 7, MARCH, date(2026, 1, 1), date(2026, 3, 20), pauses)
    assert (row.due, row.missed) == (1, 1)


@pytest.fixture
def worker(world):
    return world.person(Role.GRID_WORKER, name="王芳", grid=world.grid)


def _resident(world, worker, colour, name):
    resident = world.person(Role.RESIDENT, name=name, birth_date=date(1940, 1, 1))
    care.set_colour(worker, resident, colour, "独居", now=morning(date(2026, 1, 5)))
    return resident


def test_the_month_per_grid_and_colour_with_welfare_checks(world, worker):
    red = _resident(world, worker, "red", "陈红")
    yellow = _resident(world, worker, "yellow", "黄秀英")
    care.record_visit(worker, red, "well", now=morning(date(2026, 2, 28)))
    for day in range(1, 16):
        if day != 7:
            care.record_visit(worker, red, "well", now=morning(date(2026, 3, day)))
    care.record_visit(worker, red, "not_home", now=morning(date(2026, 3, 7)))
    care.record_visit(worker, yellow, "by_phone", now=morning(date(2026, 2, 27)))
    help.raise_alert(
        red, Category.WELFARE_CHECK, worker, now=morning(date(2026, 3, 7)), source=Source.CARE_VISIT
    )
    rows = reports.month_report(
        reports.grids_for(worker), MARCH, today=date(2026, 3, 15), by="grid"
    )
    by_colour = {row.colour: row for row in rows}
    assert [row.colour for row in rows] == ["red", "yellow", "green"]
    red_row, yellow_row, green_row = by_colour["red"], by_colour["yellow"], by_colour["green"]
    # Due on each of 1–15 March; the 7th was not met (not at home), the 8th's visit met it late.
    assert (red_row.residents, red_row.due, red_row.done, red_row.late, red_row.missed) == (
        1, 14, 14, 1, 0,
    )  # fmt: skip
    assert red_row.median_days_late == 1 and red_row.welfare_checks == 1
    # Seen by phone on 27 February: due on 6 March, and still not done on the 15th.
    assert (yellow_row.due, yellow_row.done, yellow_row.missed) == (1, 0, 1)
    assert green_row.residents == 0 and green_row.due == 0
    assert rows[0].place == f"{world.community.name} · {world.grid.name}"


def test_the_street_office_sees_each_community_and_others_only_their_own(world, worker):
    _resident(world, worker, "red", "陈红")
    street = world.person(Role.ADMIN, name="陈建华", community=None)
    other_grid = Grid(name="第二网格", community=world.community)
    db.session.add(other_grid)
    db.session.commit()
    assert {g.id for g in reports.grids_for(street)} == {world.grid.id, other_grid.id}
    assert [g.id for g in reports.grids_for(worker)] == [world.grid.id]
    assert reports.grids_for(world.person(Role.VOLUNTEER)) == []
    rows = reports.month_report(reports.grids_for(street), MARCH, date(2026, 3, 2), by="community")
    assert {row.key for row in rows} == {f"community-{world.community.id}"}
    # Never seen since coloured in January: one visit overdue, still not done.
    red = next(r for r in rows if r.colour == "red")
    assert (red.due, red.missed) == (1, 1)
    future = reports.month_report(reports.grids_for(worker), date(2026, 4, 1), date(2026, 3, 2))
    assert all(row.due == 0 for row in future)
