from datetime import date, datetime, timedelta

import pytest

from portal.accounts.models import Role
from portal.extensions import db
from portal.help import reports
from portal.help.models import HelpEvent, HelpRequest


def _request(world, resident, created, ack_minutes=None, resolve_minutes=None, **fields):
    request = HelpRequest(
        resident_id=resident.id,
        category=fields.pop("category", "repair"),
        grid_id=world.grid.id,
        community_id=world.community.id,
        created_at=created,
        updated_at=created,
        acknowledged_at=created + timedelta(minutes=ack_minutes) if ack_minutes else None,
        **fields,
    )
    db.session.add(request)
    db.session.flush()
    if resolve_minutes:
        db.session.add(
            HelpEvent(
                request_id=request.id,
                kind="resolved",
                at=created + timedelta(minutes=resolve_minutes),
            )
        )
    db.session.commit()
    return request


def test_summary_medians_percentiles_and_rates(world):
    resident = world.person(Role.RESIDENT)
    day = datetime(2026, 3, 10, 2, 0)  # 10:00 in Shanghai
    for ack, done in [(2, 60), (4, 120), (6, 180), (8, None), (100, None)]:
        _request(world, resident, day, ack, done)
    _request(world, resident, day, 1, 30, level=1, reopened=1, feedback="fixed")
    _request(world, resident, day, 1, 30, category="errand", feedback="not_fixed")
    _request(world, resident, day - timedelta(days=40), 1, 30)  # outside the period

    (row,) = reports.summary(date(2026, 3, 1), date(2026, 3, 31), by="grid")
    assert row.count == 7 and row.label == world.grid.name
    # Acknowledged after 1, 1, 2, 4, 6, 8 and 100 minutes; resolved after 30, 30, 60, 120, 180.
    assert row.ack_median == 4
    assert row.resolve_median == 60
    # The 90th percentile lies 0.4 of the way from 8 to 100 minutes, and 0.6 from 120 to 180.
    assert row.ack_p90 == pytest.approx(44.8)
    assert row.resolve_p90 == pytest.approx(156.0)
    assert row.escalated == 1
    assert row.reopen_rate == pytest.approx(0.2)  # 1 of the 5 resolved
    assert row.fixed_rate == pytest.approx(0.5)  # 1 of the 2 answered

    by_category = {
        r.key: r.count for r in reports.summary(date(2026, 3, 1), date(2026, 3, 31), by="category")
    }
    assert by_category == {"repair": 6, "errand": 1}


def test_csv_has_a_header_and_a_line_per_row(world):
    resident = world.person(Role.RESIDENT)
    _request(world, resident, datetime(2026, 3, 10, 2), 3, 90)
    rows = reports.summary(date(2026, 3, 1), date(2026, 3, 31))
    lines = reports.to_csv(rows, by="grid").strip().splitlines()
    assert lines[0].startswith("grid,count,ack_median_min")
    assert lines[1].startswith(f"{world.grid.name},1,3.0,3.0,90.0,90.0,0")
