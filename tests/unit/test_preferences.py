import pytest

from portal.web import i18n


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("zh-CN,zh;q=0.9", "zh_Hans"),
        ("zh-TW", "zh_Hant"),
        ("zh-HK,en;q=0.5", "zh_Hant"),
        ("en-GB,en;q=0.8", "en"),
        ("fr-FR", "zh_Hans"),
        ("", "zh_Hans"),
    ],
)
def test_language_from_accept_language(app, header, expected):
    with app.test_request_context(headers={"Accept-Language": header}):
        assert i18n.select_locale() == expected


def test_cookie_beats_accept_language_and_unknown_cookie_is_ignored(app):
    with app.test_request_context(
        headers={"Accept-Language": "en", "Cookie": f"{i18n.LANGUAGE_COOKIE}=zh_Hant"}
    ):
        assert i18n.select_locale() == "zh_Hant"
    with app.test_request_context(
        headers={"Accept-Language": "en", "Cookie": f"{i18n.LANGUAGE_COOKIE}=klingon"}
    ):
        assert i18n.select_locale() == "en"


@pytest.mark.parametrize(("raw", "size"), [("150", 150), ("300", 100), ("abc", 100), (None, 100)])
def test_text_size_out_of_range_falls_back(raw, size):
    assert i18n.parse_size(raw) == size


def test_text_size_steps_stop_at_the_ends():
    assert i18n.step_size(100, "down") == 100
    assert i18n.step_size(100, "up") == 125
    assert i18n.step_size(200, "up") == 200
    assert i18n.step_size(175, "reset") == 100


def test_there_are_at_least_three_steps_up_to_double():
    from portal.config import TEXT_SIZES

    assert len(TEXT_SIZES) >= 4 and TEXT_SIZES[-1] == 200


def test_unknown_scheme_falls_back_to_default():
    assert i18n.parse_scheme("yk") == "yk"
    assert i18n.parse_scheme("<script>") == "default"
