"""What every page's shell needs: the toolbar's preferences and the help strip's numbers.

The toolbar is the same for everyone who reads in the same language with the same text size and
colours, but for its forms' CSRF token and the page to come back to; the help strip is the same
for everyone with the same numbers to call. Each is drawn once per process and key, with slots
where those two go, and filled in on every page: drawing them was a tenth of a page's time.
"""

from flask import Flask, current_app, g, request
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup, escape

from portal.accounts.models import Role
from portal.community.services import HelpContacts, help_contacts
from portal.config import COLOUR_SCHEMES, LANGUAGES
from portal.notifications.services import unread_count
from portal.web import i18n
from portal.web.templating import csrf_token

_TOKEN_SLOT = "linli-slot-csrf-token"
_NEXT_SLOT = "linli-slot-next-path"
LANGUAGE_CHOICES = [(code, i18n.NATIVE_NAMES[code], i18n.html_lang(code)) for code in LANGUAGES]


def init_app(app: Flask) -> None:
    app.extensions["linli_shell"] = {}
    app.context_processor(_shell_context)


def _drawn_once(key: tuple, template: str, macro: str, *args) -> str:
    """A component macro's output, drawn on first use of key and kept for the process. Keys
    are few: languages × text sizes × colour schemes, or the street's sets of help numbers."""
    drawn = current_app.extensions["linli_shell"]
    full_key = (template, get_locale(), request.script_root, *key)
    html = drawn.get(full_key)
    if html is None:
        module = current_app.jinja_env.get_template(template).module
        html = drawn[full_key] = str(getattr(module, macro)(*args))
    return html


def toolbar(prefs: i18n.DisplayPrefs, locale: str) -> Markup:
    html = _drawn_once(
        (prefs,),
        "components/toolbar.html",
        "toolbar",
        prefs,
        LANGUAGE_CHOICES,
        locale,
        COLOUR_SCHEMES,
        _TOKEN_SLOT,
        _NEXT_SLOT,
    )
    return Markup(
        html.replace(_TOKEN_SLOT, escape(csrf_token())).replace(_NEXT_SLOT, escape(current_path()))
    )


def help_strip(contacts: HelpContacts) -> Markup:
    return Markup(_drawn_once((contacts,), "components/help_strip.html", "help_strip", contacts))


def current_path() -> str:
    return request.full_path.rstrip("?")


def _shell_context() -> dict:
    person = current_user if current_user.is_authenticated else None
    return shell_context(person, help_contacts(person, g.get("kiosk")))


def shell_context(person, contacts: HelpContacts) -> dict:
    """What base.html needs, for person (None when signed out) and the numbers they may call."""
    locale = str(get_locale())
    prefs = i18n.display_prefs()
    return {
        "elder_layout": g.get("kiosk") is not None
        or (person is not None and person.has_role(Role.RESIDENT)),
        "prefs": prefs,
        "locale": locale,
        "html_lang": i18n.html_lang(locale),
        "current_path": current_path(),
        # Functions, so that a fragment for htmx draws neither.
        "toolbar": lambda: toolbar(prefs, locale),
        "help_strip": lambda: help_strip(contacts),
        # A function, so the query runs only on pages that show the count.
        "unread_messages": lambda: unread_count(person) if person else 0,
    }
