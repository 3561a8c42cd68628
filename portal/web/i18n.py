"""Language and display preferences: chosen by cookie, then Accept-Language, then the default."""

from dataclasses import dataclass

from flask import current_app, request, session
from flask_babel import lazy_gettext as _l

from portal.config import COLOUR_SCHEMES, LANGUAGES, TEXT_SIZES

LANGUAGE_COOKIE = "linli_lang"
# A resident's own language, recorded by the office, for as long as they are signed in: a shared
# kiosk speaks it to them and goes back to its own when they sign out.
SESSION_LANGUAGE = "language"
SIZE_COOKIE = "linli_size"
SCHEME_COOKIE = "linli_scheme"

# Browsers send zh-CN, zh-TW, zh-HK, zh-Hant-TW …; each maps onto one of our three catalogues.
_ACCEPT_MAP = {
    "zh": "zh_Hans",
    "zh-cn": "zh_Hans",
    "zh-sg": "zh_Hans",
    "zh-hans": "zh_Hans",
    "zh-hans-cn": "zh_Hans",
    "zh-tw": "zh_Hant",
    "zh-hk": "zh_Hant",
    "zh-mo": "zh_Hant",
    "zh-hant": "zh_Hant",
    "zh-hant-tw": "zh_Hant",
    "zh-hant-hk": "zh_Hant",
}

# The days of the week, Monday first (index 0, as date.weekday() counts).
WEEKDAYS = (
    _l("Monday"),
    _l("Tuesday"),
    _l("Wednesday"),
    _l("Thursday"),
    _l("Friday"),
    _l("Saturday"),
    _l("Sunday"),
)

NATIVE_NAMES = {"zh_Hans": "简体中文", "zh_Hant": "繁體中文", "en": "English"}


def select_locale() -> str:
    """Return zh_Hans, zh_Hant or en for the current request."""
    for chosen in (session.get(SESSION_LANGUAGE), request.cookies.get(LANGUAGE_COOKIE)):
        if chosen in LANGUAGES:
            return chosen
    for language, _quality in request.accept_languages:
        tag = language.lower().replace("_", "-")
        if tag in _ACCEPT_MAP:
            return _ACCEPT_MAP[tag]
        if tag == "en" or tag.startswith("en-"):
            return "en"
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def html_lang(locale: str) -> str:
    """The BCP 47 tag for <html lang>: zh-Hans, zh-Hant or en."""
    return str(locale).replace("_", "-")


@dataclass(frozen=True)
class DisplayPrefs:
    size: int
    scheme: str

    @property
    def size_step(self) -> int:
        return TEXT_SIZES.index(self.size)

    @property
    def can_grow(self) -> bool:
        return self.size < TEXT_SIZES[-1]

    @property
    def can_shrink(self) -> bool:
        return self.size > TEXT_SIZES[0]


def parse_size(raw: str | None) -> int:
    """A text size from TEXT_SIZES; anything else falls back to 100."""
    try:
        value = int(raw or "")
    except ValueError:
        return TEXT_SIZES[0]
    return value if value in TEXT_SIZES else TEXT_SIZES[0]


def parse_scheme(raw: str | None) -> str:
    return raw if raw in COLOUR_SCHEMES else COLOUR_SCHEMES[0]


def display_prefs() -> DisplayPrefs:
    return DisplayPrefs(
        size=parse_size(request.cookies.get(SIZE_COOKIE)),
        scheme=parse_scheme(request.cookies.get(SCHEME_COOKIE)),
    )


def step_size(current: int, direction: str) -> int:
    """The next text size up or down from current, staying within TEXT_SIZES."""
    index = TEXT_SIZES.index(current)
    if direction == "up":
        index = min(index + 1, len(TEXT_SIZES) - 1)
    elif direction == "down":
        index = max(index - 1, 0)
    else:
        index = 0
    return TEXT_SIZES[index]
