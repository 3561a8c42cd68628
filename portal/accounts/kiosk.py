"""Kiosk devices and idle sign-out: which kiosk this browser is, and ending idle resident sessions."""

import time

from flask import Flask, current_app, flash, g, request, session
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from portal.accounts import services as accounts

KIOSK_COOKIE = "linli_kiosk"
# Endpoints a page calls on its own; they must not count as the resident being active.
PASSIVE_ENDPOINTS = frozenset({"static", "canteen_photos.photo"})


def init_app(app: Flask) -> None:
    app.before_request(_load_kiosk)
    app.before_request(_expire_idle_session)
    app.context_processor(_kiosk_context)


def _load_kiosk() -> None:
    if request.endpoint in PASSIVE_ENDPOINTS:
        g.kiosk, g.kiosk_revoked = None, False  # a file is the same on every device
        return
    kiosk = accounts.kiosk_for_token(request.cookies.get(KIOSK_COOKIE))
    g.kiosk = kiosk if kiosk and kiosk.active else None
    g.kiosk_revoked = bool(kiosk and not kiosk.active)


def is_kiosk_session() -> bool:
    return bool(session.get("kiosk"))


def start_kiosk_session() -> None:
    """Mark the signed-in session as a kiosk session, which ends after inactivity."""
    session["kiosk"] = True
    session["seen"] = int(time.time())


def _expire_idle_session() -> None:
    if request.endpoint in PASSIVE_ENDPOINTS or not is_kiosk_session():
        return
    idle = int(time.time()) - int(session.get("seen", 0))
    if g.kiosk is None or idle > current_app.config["KIOSK_IDLE_SECONDS"]:
        end_session()
        flash(_("You were signed out because the kiosk was not used for a while."), "info")
        return
    session["seen"] = int(time.time())


def fresh_session() -> None:
    """Forget everything in the session except the flash messages still to show."""
    flashes = session.get("_flashes")
    session.clear()
    if flashes:
        session["_flashes"] = flashes


def end_session() -> None:
    """Sign out: end this device's sign-in, so no copy of its cookies works again, then clear the
    session but for the messages still to show. Flask-Login's order to delete the remember cookie
    is given after the clearing, which would otherwise drop it."""
    if current_user.is_authenticated:
        accounts.end_sign_in(current_user.sign_in_id)
    fresh_session()
    logout_user()


def _kiosk_context() -> dict:
    kiosk_session = is_kiosk_session() and current_user.is_authenticated
    return {
        "kiosk": g.get("kiosk"),
        "kiosk_session": kiosk_session,
        "idle_seconds": current_app.config["KIOSK_IDLE_SECONDS"],
        "idle_warning_seconds": current_app.config["KIOSK_WARNING_SECONDS"],
    }
