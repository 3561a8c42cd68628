"""What every page's shell needs: the toolbar's preferences and the help strip's numbers."""

from flask import Flask, g, request
from flask_babel import get_locale
from flask_login import current_user

from portal.accounts.models import Role
from portal.community.services import help_contacts
from portal.config import COLOUR_SCHEMES, LANGUAGES
from portal.notifications.services import unread_count
from portal.web import i18n


def init_app(app: Flask) -> None:
    app.context_processor(_shell_context)


def _shell_context() -> dict:
    person = current_user if current_user.is_authenticated else None
    locale = str(get_locale())
    return {
        "elder_layout": g.get("kiosk") is not None
        or (person is not None and person.has_role(Role.RESIDENT)),
        "prefs": i18n.display_prefs(),
        "locale": locale,
        "html_lang": i18n.html_lang(locale),
        "languages": [(code, i18n.NATIVE_NAMES[code], i18n.html_lang(code)) for code in LANGUAGES],
        "colour_schemes": COLOUR_SCHEMES,
        "help": help_contacts(person, g.get("kiosk")),
        "current_path": request.full_path.rstrip("?"),
        # A function, so the query runs only on pages that show the count.
        "unread_messages": lambda: unread_count(person) if person else 0,
    }
