from datetime import date

import pytest
from flask_babel import force_locale, format_date

from portal.web.templating import money


@pytest.mark.parametrize("locale", ["zh_Hans", "zh_Hant", "en"])
def test_money_is_integer_fen_shown_as_on_the_price_board(app, locale):
    with app.test_request_context(), force_locale(locale):
        assert money(1250) == "¥12.50"
        assert money(0) == "¥0.00"
        assert money(123456) == "¥1,234.56"


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
