"""The first run of a real office: its street office, its first community and their first admin,
from an empty database, before anyone can sign in to do the rest."""

import re
from dataclasses import dataclass
from zoneinfo import available_timezones

from sqlalchemy import select

from portal.accounts.models import Person, Role, RoleGrant
from portal.accounts.services import set_password
from portal.audit import services as audit
from portal.community.models import Community, StreetOffice
from portal.config import DEFAULT_TIMEZONE
from portal.extensions import db
from portal.web.phones import is_valid_phone, normalise_phone

NAME_MAX = 80
HOTLINE = re.compile(r"[0-9+\- ]{3,20}")
PASSWORD_LENGTH = (8, 128)


@dataclass
class FirstAdmin:
    """What `portal admin create` asks."""

    street_office: str
    street_hotline: str
    community: str
    community_hotline: str
    name: str
    phone: str
    password: str
    timezone: str = DEFAULT_TIMEZONE


@dataclass
class Created:
    admin: Person
    community: Community
    new_street_office: bool
    new_community: bool


class Refused(Exception):
    """The answers cannot be used; nothing was saved. problems says why, one line each."""

    def __init__(self, problems: list[str]):
        super().__init__(problems)
        self.problems = problems


def _name_problem(what: str, value: str) -> str | None:
    if not value.strip():
        return f"Give the {what}."
    if len(value.strip()) > NAME_MAX:
        return f"The {what} has at most {NAME_MAX} characters."
    return None


def _hotline_problem(what: str, value: str) -> str | None:
    if not HOTLINE.fullmatch(value.strip()):
        return f"The {what} is a telephone number of 3 to 20 digits, like 0871-63101234."
    return None


def problems_with(answers: FirstAdmin) -> list[str]:
    """Everything wrong with answers, so that one run can say it all."""
    problems = [
        _name_problem("street office's name", answers.street_office),
        _hotline_problem("street office's hotline", answers.street_hotline),
        _name_problem("community's name", answers.community),
        _hotline_problem("community's hotline", answers.community_hotline),
        _name_problem("admin's name", answers.name),
    ]
    phone = normalise_phone(answers.phone)
    if not is_valid_phone(phone):
        problems.append("The admin's phone is a mainland mobile number of 11 digits.")
    elif db.session.scalar(select(Person.id).where(Person.phone == phone)):
        problems.append(f"{phone} already has an account: give the new admin another number.")
    low, high = PASSWORD_LENGTH
    if not low <= len(answers.password) <= high:
        problems.append(f"The password has {low} to {high} characters.")
    if answers.timezone not in available_timezones():
        problems.append(f"{answers.timezone} is not a time zone, like {DEFAULT_TIMEZONE}.")
    community = db.session.scalar(
        select(Community).where(Community.name == answers.community.strip())
    )
    if community and community.street_office.name != answers.street_office.strip():
        problems.append(
            f"The community {community.name} belongs to {community.street_office.name}, "
            f"not to {answers.street_office.strip()}."
        )
    return [problem for problem in problems if problem]


def create_first_admin(answers: FirstAdmin) -> Created:
    """Create the street office and the community unless they exist, and an admin of the
    community who signs in with the phone and password. Raises Refused; nothing is saved then."""
    problems = problems_with(answers)
    if problems:
        raise Refused(problems)
    office = db.session.scalar(
        select(StreetOffice).where(StreetOffice.name == answers.street_office.strip())
    )
    new_office = office is None
    if new_office:
        office = StreetOffice(
            name=answers.street_office.strip(), hotline=answers.street_hotline.strip()
        )
        db.session.add(office)
    community = db.session.scalar(
        select(Community).where(Community.name == answers.community.strip())
    )
    new_community = community is None
    if new_community:
        community = Community(
            street_office=office,
            name=answers.community.strip(),
            hotline=answers.community_hotline.strip(),
            timezone=answers.timezone,
        )
        db.session.add(community)
    admin = Person(
        name=answers.name.strip(), phone=normalise_phone(answers.phone), community=community
    )
    set_password(admin, answers.password)
    admin.grants.append(RoleGrant(role=Role.ADMIN))
    db.session.add(admin)
    db.session.flush()
    audit.record(None, "account.created", admin, role=Role.ADMIN, by="portal admin create")
    db.session.commit()
    return Created(admin, community, new_office, new_community)
