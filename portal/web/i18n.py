"""Language and display preferences: chosen by cookie, then Accept-Language, then the default."""

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

import flask_babel
from babel import Locale, support
from flask import Flask, current_app, request
from flask_babel import Domain, LazyString, get_locale
from jinja2 import pass_context
from markupsafe import Markup

from portal.config import COLOUR_SCHEMES, LANGUAGES, TEXT_SIZES

LANGUAGE_COOKIE = "linli_lang"
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

NATIVE_NAMES = {"zh_Hans": "简体中文", "zh_Hant": "繁體中文", "en": "English"}


def select_locale() -> str:
    """Return zh_Hans, zh_Hant or en for the current request."""
    chosen = request.cookies.get(LANGUAGE_COOKIE)
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


# Translation --------------------------------------------------------------------------------
#
# A page translates about a hundred strings and formats dozens of dates. Flask-Babel finds the
# domain, the locale and the catalogue again for each, through Flask's context proxies, and that
# was a fifth of a page's time. The request's locale and catalogue are chosen once, before the
# view runs, and kept in a context variable for the request; outside a request, and inside
# force_locale, everything falls back to Flask-Babel's own lookup.

_request_catalogue: ContextVar[tuple[support.NullTranslations, str] | None] = ContextVar(
    "linli_request_catalogue", default=None
)


class Catalogues(Domain):
    """Flask-Babel's message domain, with each language's catalogue kept by locale."""

    def __init__(self) -> None:
        super().__init__()
        self._by_locale: dict[Locale, support.NullTranslations] = {}

    def get_translations(self) -> support.NullTranslations:
        chosen = _request_catalogue.get()
        if chosen is not None:
            return chosen[0]
        return self.for_locale(get_locale())  # follows force_locale

    def for_locale(self, locale: Locale | None) -> support.NullTranslations:
        if locale is None:
            return support.NullTranslations()
        try:
            return self._by_locale[locale]
        except KeyError:
            found = self._by_locale[locale] = super().get_translations()
            return found


_CATALOGUES = Catalogues()


def current_language() -> str:
    """The request's locale as a string: zh_Hans, zh_Hant or en."""
    chosen = _request_catalogue.get()
    return chosen[1] if chosen is not None else str(get_locale())


@contextmanager
def force_locale(locale: str):
    """flask_babel.force_locale, for templates, labels and dates too."""
    with flask_babel.force_locale(locale):
        token = _request_catalogue.set(None)
        try:
            yield
        finally:
            _request_catalogue.reset(token)


def gettext(string: str, **variables) -> str:
    text = _CATALOGUES.get_translations().ugettext(string)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    variables.setdefault("num", num)
    return _CATALOGUES.get_translations().ungettext(singular, plural, num) % variables


def lazy_gettext(string: str, **variables) -> LazyString:
    """A string translated each time it is shown, into the reader's language."""
    return LazyString(gettext, string, **variables)


def _as_template_text(context, text: str, variables: dict) -> str:
    """What Jinja's new-style gettext does with a translation: markup-safe where the template
    escapes, then the variables put in (and escaped)."""
    if context.eval_ctx.autoescape:
        text = Markup(text)
    # Most strings take no variables, and formatting text without a percent sign changes nothing.
    return text % variables if variables or "%" in text else text


@pass_context
def _template_gettext(context, string: str, **variables) -> str:
    """`_()` and `{% trans %}` in templates."""
    return _as_template_text(context, _CATALOGUES.get_translations().ugettext(string), variables)


@pass_context
def _template_ngettext(context, singular: str, plural: str, num: int, **variables) -> str:
    variables.setdefault("num", num)
    text = _CATALOGUES.get_translations().ungettext(singular, plural, num)
    return _as_template_text(context, text, variables)


def _choose_catalogue() -> None:
    if request.endpoint == "static":
        return
    locale = get_locale()
    _request_catalogue.set((_CATALOGUES.for_locale(locale), str(locale)))


def _forget_catalogue(_error=None) -> None:
    _request_catalogue.set(None)


def init_app(app: Flask, babel) -> None:
    """Use the quicker lookups in Python and in templates (after babel.init_app)."""
    babel.domain_instance = _CATALOGUES
    app.before_request(_choose_catalogue)
    app.teardown_request(_forget_catalogue)
    app.jinja_env.globals.update(
        _=_template_gettext, gettext=_template_gettext, ngettext=_template_ngettext
    )
