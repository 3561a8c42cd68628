"""The instants at which `.ci/run` runs the tests that read the calendar once more, each with its
label: `python -m tests.clock_sweep` prints one "label instant" line per instant.

Each weekday of the coming week, each at an hour where dates turn (Shanghai's midnight, UTC's
midnight, the minutes before midnight) or at an ordinary hour, then the last day of this month
just before midnight and the last day of this year at noon. All lie ahead of the real date, as the
suite's clock must (tests/clock.py).
"""

import calendar
from datetime import date, datetime, time, timedelta

from tests.clock import SHANGHAI, shanghai_today

# The time of day for each weekday, Monday first.
HOURS = (
    time(0, 0, 0),  # Shanghai's midnight, and the first moment of the week
    time(7, 59, 30),  # UTC's date is still yesterday's
    time(8, 0, 30),  # UTC's midnight has just passed
    time(12, 0),
    time(18, 30),
    time(23, 58, 30),  # Shanghai's midnight is a minute and a half away
    time(23, 59, 30),  # the week's last minute
)


def instants(today: date) -> list[tuple[str, datetime]]:
    """The sweep's instants for a suite run on today (Shanghai's date)."""
    chosen = []
    for offset in range(1, 8):
        day = today + timedelta(days=offset)
        moment = datetime.combine(day, HOURS[day.weekday()], tzinfo=SHANGHAI)
        chosen.append((f"{day:%A}", moment))
    first = today + timedelta(days=1)
    month_end = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    chosen.append(("month-end", datetime.combine(month_end, time(23, 59), tzinfo=SHANGHAI)))
    chosen.append(
        ("year-end", datetime.combine(date(first.year, 12, 31), time(12), tzinfo=SHANGHAI))
    )
    return chosen


if __name__ == "__main__":
    for label, moment in instants(shanghai_today()):
        print(label, moment.isoformat())
