"""What every page's shell needs: the toolbar's preferences and the help strip's numbers, and the
page that says so when the database cannot be reached."""

from dataclasses import dataclass
from datetime import date, timedelta

from flask import Flask, current_app, g, request
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import aliased

from portal.accounts.models import FamilyLink, Kiosk, LinkStatus, Person, Role, RoleGrant
from portal.community.models import Building, Community, Grid, today_in
from portal.config import COLOUR_SCHEMES, LANGUAGES
from portal.extensions import db
from portal.notifications.services import unread_count
from portal.web import i18n

EMERGENCY_NUMBER = "120"
LANGUAGE_CHOICES = [(code, i18n.NATIVE_NAMES[code], i18n.html_lang(code)) for code in LANGUAGES]


@dataclass(frozen=True)
class HelpContacts:
    """The numbers on the help strip: the grid worker (when known), the community hotline, 120."""

    grid_worker_name: str | None
    grid_worker_phone: str | None
    hotline: str | None
    emergency: str = EMERGENCY_NUMBER


def init_app(app: Flask) -> None:
    app.context_processor(_shell_context)
    # The database refused, dropped or never answered the connection, or every one is in use.
    for unreachable in (OperationalError, InterfaceError, PoolTimeout):
        app.register_error_handler(unreachable, _unavailable)


def _linked_community(family: Person) -> Community | None:
    """The community of a family member's first linked resident."""
    resident = aliased(Person)
    query = (
        select(Community)
        .join(resident, resident.community_id == Community.id)
        .join(FamilyLink, FamilyLink.resident_id == resident.id)
        .where(FamilyLink.family_id == family.id, FamilyLink.status == LinkStatus.ACTIVE)
        .order_by(FamilyLink.created_at, FamilyLink.id)
        .limit(1)
    )
    return db.session.scalar(query)


def _community_of(person: Person | None, kiosk: Kiosk | None) -> Community | None:
    """The community whose hotline the help strip shows: the kiosk's, the person's own, for a
    family member (who has none) their first linked resident's, else the first community."""
    if kiosk is not None:
        return kiosk.community
    if person is not None:
        if person.community_id:
            return person.community
        linked = _linked_community(person)
        if linked is not None:
            return linked
    return db.session.scalar(select(Community).order_by(Community.id).limit(1))


def _grid_worker_of(person: Person):
    """(name, phone, community id) of the first grid worker, by grant, of the person's building's
    grid, or None when the grid has none."""
    query = (
        select(Person.name, Person.phone, Grid.community_id)
        .select_from(Building)
        .join(Grid, Grid.id == Building.grid_id)
        .join(RoleGrant, (RoleGrant.grid_id == Grid.id) & (RoleGrant.role == Role.GRID_WORKER))
        .join(Person, Person.id == RoleGrant.person_id)
        .where(Building.id == person.building_id)
        .order_by(RoleGrant.id)
        .limit(1)
    )
    return db.session.execute(query).first()


def help_contacts(person: Person | None, kiosk: Kiosk | None) -> HelpContacts:
    """Whom this person, on this device, should call: their grid worker, the hotline, 120."""
    if person is not None and person.has_role(Role.RESIDENT) and person.building_id:
        found = _grid_worker_of(person)
        if found is not None:
            name, phone, community_id = found
            # On a kiosk, the hotline is the kiosk's community's, as for everyone else there.
            if kiosk is not None and kiosk.community_id != community_id:
                community = kiosk.community
            elif person.community_id == community_id:
                community = person.community
            else:
                community = db.session.get(Community, community_id)
            return HelpContacts(name, phone, community.hotline)
    community = _community_of(person, kiosk)
    return HelpContacts(None, None, community.hotline if community else None)


def current_path() -> str:
    return request.full_path.rstrip("?")


def _shell_context() -> dict:
    person = current_user if current_user.is_authenticated else None
    return shell_context(person, lambda: help_contacts(person, g.get("kiosk")))


def reader_today(person: Person | None, kiosk: Kiosk | None) -> date:
    """Today where the reader is: the kiosk's community, the person's, else the portal's zone."""
    if kiosk is not None:
        return kiosk.community.today()
    if person is not None:
        return person.today()
    return today_in(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def shell_context(person: Person | None, contacts) -> dict:
    """What base.html needs, for person (None when signed out); contacts gives the numbers they
    may call. The help strip's numbers and the unread count are functions, so that a fragment
    for htmx, which draws neither, reads neither from the database."""
    locale = str(get_locale())
    today = reader_today(person, g.get("kiosk"))
    return {
        "today": today,
        "tomorrow": today + timedelta(days=1),
        "elder_layout": g.get("kiosk") is not None
        or (person is not None and person.has_role(Role.RESIDENT)),
        "prefs": i18n.display_prefs(),
        "locale": locale,
        "html_lang": i18n.html_lang(locale),
        "current_path": current_path(),
        "language_choices": LANGUAGE_CHOICES,
        "colour_schemes": COLOUR_SCHEMES,
        "help_contacts": contacts,
        "unread_messages": lambda: unread_count(person) if person else 0,
    }


def _unavailable(error: Exception):
    """The database cannot be reached: say so, give the numbers to call, and tell the browser
    (and a load balancer) when to try again. The page is drawn without the usual context,
    whose person, kiosk and community numbers all come from the database."""
    current_app.logger.error("Database unreachable on %s: %s", request.path, error)
    g.kiosk = None
    contacts = HelpContacts(None, None, current_app.config["OUTAGE_HOTLINE"] or None)
    page = current_app.jinja_env.get_template("errors/unavailable.html").render(
        shell_context(None, lambda: contacts),
        retry_url=request.full_path.rstrip("?") if request.method == "GET" else None,
    )
    retry_after = str(current_app.config["OUTAGE_RETRY_SECONDS"])
    return page, 503, {"Retry-After": retry_after, "Cache-Control": "no-store"}
