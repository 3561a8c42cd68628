from contextlib import contextmanager
from datetime import date

import pytest
from babel import dates as babel_dates
from flask import render_template_string
from flask_babel import force_locale, format_date, gettext, lazy_gettext

from portal.web.templating import money

SUNDAY = date(2026, 3, 1)


@pytest.mark.parametrize("locale", ["zh_Hans", "zh_Hant", "en"])
def test_money_is_integer_fen_shown_as_on_the_price_board(app, locale):
    with app.test_request_context(), force_locale(locale):
        assert money(1250) == "¥12.50"
        assert money(0) == "¥0.00"
        assert money(123456) == "¥1,234.56"


# As the Babel pinned in pyproject.toml writes them: Traditional Chinese's full date has a space
# before the weekday, Simplified Chinese's has none.
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


@pytest.fixture
def page_in(app):
    """A request whose language the portal chose before the view, as for every page."""

    @contextmanager
    def request_in(language: str):
        # Its own app context too, as under a server: Flask-Babel keeps the locale in g.
        with (
            app.app_context(),
            app.test_request_context("/", headers={"Cookie": f"linli_lang={language}"}),
        ):
            app.preprocess_request()
            yield

    return request_in


def test_a_page_speaks_its_language_and_force_locale_switches_everything(app, page_in):
    with page_in("zh_Hant"):
        assert gettext("Home") == "首頁"
        assert render_template_string("{{ _('Home') }}") == "首頁"
        with force_locale("en"):
            assert gettext("Home") == "Home"
            assert render_template_string("{{ _('Home') }} {{ day | long_date }}", day=SUNDAY) == (
                "Home Sunday, March 1, 2026"
            )
        assert gettext("Home") == "首頁"
    # The next request chooses again.
    with page_in("en"):
        assert str(lazy_gettext("Home")) == "Home"


@pytest.mark.parametrize("language", ["zh_Hans", "zh_Hant", "en"])
def test_dates_and_prices_read_as_babel_writes_them(app, page_in, language):
    with page_in(language):
        shown = render_template_string(
            "{{ day | long_date }}|{{ day | weekday }}|{{ fen | money }}", day=SUNDAY, fen=123456
        )
        full = babel_dates.format_date(SUNDAY, "full", language)
        weekday = babel_dates.format_date(SUNDAY, "EEEE", language)
        assert shown == f"{full}|{weekday}|¥1,234.56"
