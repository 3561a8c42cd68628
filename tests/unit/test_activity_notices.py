"""Notifications about a place at an activity read as sentences in the reader's language, with the
activity's title and day as they are now."""

from datetime import datetime, timedelta

import pytest
from flask import current_app, url_for
from flask_babel import force_locale
from sqlalchemy import select

from portal.accounts.models import Role
from portal.activities import services as activities
from portal.extensions import db
from portal.notifications.messages import describe
from portal.notifications.models import Notification

# Tuesday 3 March 2026, 14:00 in Shanghai.
STARTS = datetime(2026, 3, 3, 6)
TITLES = {"zh_Hans": "象棋", "zh_Hant": "象棋（繁）", "en": "Chinese chess"}
# As the Babel pinned in pyproject.toml writes them: no space before the weekday in either Chinese.
DAYS = {"zh_Hans": "3月3日周二 14:00", "zh_Hant": "3月3日週二 14:00", "en": "Tue, Mar 3 14:00"}


@pytest.fixture
def place(world):
    """王桂兰's place at chess."""
    event = world.event(
        STARTS,
        TITLES["zh_Hans"],
        "chess",
        hours=2,
        title_zh_hant=TITLES["zh_Hant"],
        title_en=TITLES["en"],
    )
    resident = world.person(Role.RESIDENT, name="王桂兰")
    return activities.join(resident, event, resident, now=STARTS - timedelta(days=2))[0]


def _told(signup, kind: str, **params) -> Notification:
    activities._tell(signup, kind, **params)
    db.session.commit()
    return db.session.scalar(select(Notification).where(Notification.kind == kind))


def _page(signup) -> str | None:
    endpoints = current_app.view_functions
    if "activities.event" in endpoints:
        return url_for("activities.event", resident_id=signup.resident_id, event_id=signup.event_id)
    if "activities.upcoming" in endpoints:
        return url_for("activities.upcoming", resident_id=signup.resident_id)
    return None


@pytest.mark.parametrize("locale", ["zh_Hans", "zh_Hant", "en"])
@pytest.mark.parametrize(
    ("kind", "params", "english"),
    [
        (
            "activity.promoted",
            {},
            "A place came free: 王桂兰 now has a place at Chinese chess on Tue, Mar 3 14:00.",
        ),
        (
            "activity.reminder",
            {"starts": "14:00"},
            "Reminder: 王桂兰 has a place at Chinese chess tomorrow at 14:00.",
        ),
        (
            "activity.birthday_invite",
            {},
            "Happy birthday! 王桂兰 is invited to Chinese chess on Tue, Mar 3 14:00, "
            "and a place is kept.",
        ),
        (
            "activity.cancelled",
            {},
            "Chinese chess on Tue, Mar 3 14:00 is cancelled, so 王桂兰's place there is too.",
        ),
        (
            "activity.cancelled",
            {"reason": "老师生病"},
            "Chinese chess on Tue, Mar 3 14:00 is cancelled, so 王桂兰's place there is too. "
            "The reason: 老师生病",
        ),
    ],
)
def test_each_kind_reads_as_a_sentence(place, locale, kind, params, english):
    notification = _told(place, kind, **params)
    with force_locale(locale):
        text, link = describe(notification)
    if locale == "en":
        assert text == english
    assert TITLES[locale] in text and "王桂兰" in text
    if kind != "activity.reminder":
        assert DAYS[locale] in text, text
    for value in params.values():
        assert value in text
    assert link == _page(place)


def test_the_family_is_told_in_their_own_words_too(world, place):
    from portal.accounts.services import decide_link, request_link

    family = world.person(Role.FAMILY, name="李娜")
    decide_link(
        request_link(family, place.resident.resident_code, "daughter"), place.resident, True
    )
    activities._tell(place, "activity.promoted")
    db.session.commit()
    told = db.session.scalar(select(Notification).where(Notification.recipient_id == family.id))
    with force_locale("en"):
        assert describe(told)[0].startswith("A place came free: 王桂兰 now has a place")


def test_a_retitled_event_reads_with_its_new_title(place):
    notification = _told(place, "activity.promoted")
    place.event.title_en = "Chess club"
    db.session.commit()
    with force_locale("en"):
        assert "Chess club" in describe(notification)[0]


def test_a_vanished_event_falls_back_to_the_stored_title(place):
    notification = _told(place, "activity.cancelled")
    notification.params = {**notification.params, "event_id": 0}
    db.session.commit()
    with force_locale("en"):
        text, _link = describe(notification)
    assert text == "There is news about 象棋 for 王桂兰."
