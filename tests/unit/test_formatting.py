from datetime import date

import pytest
from flask_babel import force_locale, format_date

from portal.web.templating import money


@pytest.mark.parametrize(
    ("locale", "text"), [("zh_Hans", "¥12.50"), ("zh_Hant", "CN¥12.50"), ("en", "CN¥12.50")]
)
def test_money_is_integer_fen_shown_per_locale(app, locale, text):
    with app.test_request_context(), force_locale(locale):
        assert money(1250) == text


@pytest.mark.parametrize(
    ("locale", "text"),
    [
        ("zh_Hans", "2026年3月1日星期日"),
        ("zh_Hant", "2026年3月1日 星期日"),
        ("en", "Sunday, March 1, 2026"),
    ],
)
def test_dates_are_written_per_locale(app, locale, text):
    with app.test_request_context(), force_locale(locale):
        assert format_date(date(2026, 3, 1), "full") == text
