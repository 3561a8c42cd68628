"""The suite's clock: the instant at which every test starts.

It is LINLI_TEST_CLOCK when that is set (ISO 8601 with an offset, such as
2026-12-31T23:59:00+08:00), and otherwise ten in the morning, Shanghai time, of the day after the
suite started, so no test depends on the day or hour in which the suite runs. `.ci/run` runs the
tests again with the clock on each weekday, at the end of a month and of a year, and at Shanghai's
and UTC's midnights (`tests/clock_sweep.py` lists those instants).

The clock runs on from that instant as real time passes, in this process (the live server's thread
included) and in the servers the tests start in other processes; it does not move the machine's
time zone. Real time keeps going for the browser, so the suite's instants lie ahead of the real date:
a cookie's expiry set by the portal's clock is then still ahead for Chromium's.
"""

import os
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
ENVIRONMENT = "LINLI_TEST_CLOCK"


def suite_start() -> datetime:
    """The instant every test starts at, in UTC."""
    chosen = os.environ.get(ENVIRONMENT)
    if chosen:
        instant = datetime.fromisoformat(chosen)
        if instant.tzinfo is None:
            raise ValueError(f"{ENVIRONMENT}={chosen} needs an offset, such as +08:00")
        return instant.astimezone(UTC)
    tomorrow = datetime.now(SHANGHAI).date() + timedelta(days=1)
    return datetime.combine(tomorrow, time(10), tzinfo=SHANGHAI).astimezone(UTC)


START = suite_start()


def shanghai_today() -> date:
    return datetime.now(SHANGHAI).date()


def shanghai(hour: int, minute: int = 0, days: int = 0) -> datetime:
    """hour:minute in Shanghai on the suite's day there, days later, as a UTC instant: for a test
    whose story needs a time of day, such as an activity that started a minute ago."""
    day = START.astimezone(SHANGHAI).date() + timedelta(days=days)
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI).astimezone(UTC)
