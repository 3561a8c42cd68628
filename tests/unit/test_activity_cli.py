"""`portal remind`: the periodic job that reminds people of tomorrow's activities and of the
yearly paperwork due soon."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from portal.accounts.models import Role
from portal.activities import services as activities
from portal.activities.models import Event, Venue
from portal.extensions import db
from tests.helpers import tomorrow_at


def test_remind_reminds_each_place_once(runner, world):
    event = world.event(tomorrow_at(world.community, 14))
    for name in ("王桂兰", "李建国"):
        resident = world.person(Role.RESIDENT, name=name)
        activities.join(resident, event, resident)

    first = runner.invoke(args=["remind"])
    assert first.exit_code == 0
    assert first.output.splitlines() == ["reminded: 2", "paperwork reminders: 0"]
    assert runner.invoke(args=["remind"]).output.splitlines()[0] == "reminded: 0"


def test_remind_reminds_of_paperwork_due_in_a_week_once(runner, world):
    from portal.paperwork import services as paperwork

    resident = world.person(Role.RESIDENT, name="王桂兰")
    worker = world.person(Role.GRID_WORKER)
    pension = paperwork.kind_by_code(world.community.id, "pension")
    paperwork.set_due(worker, resident, pension, resident.today() + timedelta(days=3))
    assert runner.invoke(args=["remind"]).output.splitlines()[1] == "paperwork reminders: 1"
    assert runner.invoke(args=["remind"]).output.splitlines()[1] == "paperwork reminders: 0"


def test_daily_adds_the_coming_weeks_of_weekly_activities_once(runner, world):
    from sqlalchemy import select

    from portal.activities.models import Series

    organiser = world.person(Role.ORGANISER)
    room = Venue(community=world.community, name="活动室", capacity=30)
    db.session.add(room)
    db.session.commit()
    # From tomorrow, so that the first week has not started whatever the hour the test runs.
    first_day = datetime.now(ZoneInfo(world.community.timezone)).date() + timedelta(days=1)
    series = Series(
        community_id=world.community.id,
        venue_id=room.id,
        organiser_id=organiser.id,
        title_zh_hans="象棋",
        category="chess",
        weekday=first_day.weekday(),
        starts=time(14),
        ends=time(16),
        first_day=first_day,
        last_day=first_day + timedelta(weeks=3),
        capacity=10,
    )
    db.session.add(series)
    db.session.commit()
    first = runner.invoke(args=["daily"])
    assert first.exit_code == 0 and "activity weeks added: 4" in first.output
    assert "activity weeks added: 0" in runner.invoke(args=["daily"]).output
    days = db.session.scalars(
        select(Event.series_day).where(Event.series_id == series.id).order_by(Event.series_day)
    ).all()
    assert days == [first_day + timedelta(weeks=n) for n in range(4)]
