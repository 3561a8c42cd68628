"""Every view declares who may use it: public(), signed_in(), or roles_required(...)."""

from functools import wraps

from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user

from portal.accounts import services as accounts
from portal.accounts.models import Role

PUBLIC = "public"
SIGNED_IN = "signed_in"


def _mark(view, access):
    view.access = access
    return view


def public(view):
    """Anyone may use this view, signed in or not."""
    return _mark(view, PUBLIC)


def _sign_in_url(roles) -> str:
    if roles == {Role.RESIDENT}:
        return url_for("accounts.kiosk_code", next=request.full_path.rstrip("?"))
    return url_for("accounts.sign_in", next=request.full_path.rstrip("?"))


def roles_required(*roles: Role):
    """Only signed-in people holding one of roles; others are sent to sign in or get 403."""
    wanted = set(roles)

    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            if not current_user.is_authenticated:
                return redirect(_sign_in_url(wanted))
            if wanted and not current_user.has_role(*wanted):
                abort(403)
            return view(*args, **kwargs)

        return _mark(guarded, frozenset(wanted) or SIGNED_IN)

    return decorate


def signed_in(view):
    """Anyone signed in; the service decides what they may touch."""
    return roles_required()(view)


def resident_acted_for(resident_id: int, *, staff: bool = False):
    """The resident with resident_id, if the signed-in person is that resident or a linked family
    member (with staff, also a grid worker or admin who serves them); aborts with 404 for no such
    person and 403 for anyone else."""
    resident, allowed = accounts.resident_acted_for(current_user, resident_id, staff=staff)
    if resident is None:
        abort(404)
    if not allowed:
        abort(403)
    return resident


def resident_served(resident_id: int):
    """The resident with resident_id, if the signed-in staff serve them (the grid workers of
    their grid, the admins of their community); aborts with 404 for no such resident and 403 for
    anyone else."""
    resident = accounts.get_person(resident_id)
    if resident is None or not resident.has_role(Role.RESIDENT):
        abort(404)
    if not accounts.serves(current_user, resident):
        abort(403)
    return resident


def home_url_for(person) -> str:
    """Where person lands after signing in: the home the site gives their most specific role, as
    (role, endpoint) pairs in app.extensions["linli_homes"], the last for anyone (role None)."""
    for role, endpoint in current_app.extensions["linli_homes"]:
        if role is None or person.has_role(role):
            return url_for(endpoint)
    raise LookupError("the site declares no home for anyone")
