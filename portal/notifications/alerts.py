"""Messages to admins about what other features signal: an account tried many times over."""

from flask import Flask, url_for
from flask_babel import gettext as _
from sqlalchemy import or_, select

from portal.accounts import services as accounts
from portal.accounts.models import Person, Role, RoleGrant
from portal.extensions import db
from portal.notifications import messages
from portal.notifications.services import notify


def init_app(app: Flask) -> None:
    accounts.repeated_failures.connect(_tell_admins_of_repeated_failures)
    messages.register("account", _describe)


def _tell_admins_of_repeated_failures(person: Person | None, account: str, failures: int) -> None:
    """Tell the admins of the person's community, and those of the whole street, so that someone
    can call the person and change their PIN or password."""
    if person is None:
        return  # nobody to protect; the audit log keeps the record
    admins = select(Person).where(
        Person.active.is_(True),
        Person.grants.any(RoleGrant.role == Role.ADMIN),
        or_(Person.community_id.is_(None), Person.community_id == person.community_id),
    )
    for admin in db.session.scalars(admins):
        notify(
            admin,
            "account.repeated_failures",
            name=person.name,
            failures=failures,
            person=person.resident_code or person.phone,
        )


def _describe(kind: str, params: dict) -> tuple[str, str | None]:
    """How the message to admins reads."""
    return _(
        "Someone has tried %(name)s's account with a wrong PIN or password %(failures)s times. "
        "Call them, and change their PIN or password if it may be known.",
        name=params.get("name", ""),
        failures=params.get("failures", ""),
    ), url_for("accounts.person_sign_ins", person=params.get("person", ""))
