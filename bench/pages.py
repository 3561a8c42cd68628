"""Who the benchmark signs in as, and the pages each of them reads.

`plan(limit)` picks people from whatever data the database holds (the street set or the small
demo), deterministically, and returns plain data the load tool can carry across processes. The
page lists are shared by the load test and the Lighthouse run.
"""

from datetime import timedelta

from sqlalchemy import func, select

from bench import query_plans
from portal.accounts.models import FamilyLink, LinkStatus, Person, Role, RoleGrant
from portal.canteen.models import Canteen, Dish, MealDay, MealService
from portal.community.models import today_in
from portal.config import DEFAULT_TIMEZONE
from portal.extensions import db
from portal.help.models import VOLUNTEER_CATEGORIES, HelpRequest
from portal.help.services import QUEUE_STATUSES


def _next_meal_by_community() -> dict[int, tuple[int, int]]:
    """For each community with a canteen: tomorrow's first published meal and its first dish."""
    tomorrow = today_in(DEFAULT_TIMEZONE) + timedelta(days=1)
    rows = db.session.execute(
        select(Canteen.community_id, MealDay.id, func.min(Dish.id))
        .join(MealService, MealService.canteen_id == Canteen.id)
        .join(MealDay, MealDay.service_id == MealService.id)
        .join(Dish, Dish.meal_day_id == MealDay.id)
        .where(MealDay.day == tomorrow, MealDay.published.is_(True), Dish.withdrawn_at.is_(None))
        .group_by(Canteen.community_id, MealDay.id, MealService.serving_start)
        .order_by(Canteen.community_id, MealService.serving_start)
    ).all()
    meals: dict[int, tuple[int, int]] = {}
    for community_id, meal_day_id, dish_id in rows:
        meals.setdefault(community_id, (meal_day_id, dish_id))
    return meals


def _residents(meals: dict, limit: int) -> list[dict]:
    """Residents of communities with tomorrow's meal published, those with the most to show
    first, so that every part of their pages is drawn."""
    query = (
        query_plans.residents_with_most_to_show()
        .where(Person.community_id.in_(list(meals)))
        .limit(limit)
    )
    return [
        {
            "id": person.id,
            "code": person.resident_code,
            "meal_day": meals[person.community_id][0],
            "dish": meals[person.community_id][1],
        }
        for person in db.session.scalars(query)
    ]


def _families(meals: dict, limit: int) -> list[dict]:
    """Family members with an active link to a resident whose community has a canteen."""
    parent = db.aliased(Person)
    query = (
        select(Person.id, Person.phone, parent.id, parent.community_id)
        .join(FamilyLink, FamilyLink.family_id == Person.id)
        .join(parent, FamilyLink.resident_id == parent.id)
        .where(FamilyLink.status == LinkStatus.ACTIVE, parent.community_id.in_(list(meals)))
        .order_by(Person.id, parent.id)
    )
    families, seen = [], set()
    for family_id, phone, resident_id, community_id in db.session.execute(query):
        if family_id in seen:
            continue
        seen.add(family_id)
        meal_day, dish = meals[community_id]
        families.append(
            {"phone": phone, "resident": resident_id, "meal_day": meal_day, "dish": dish}
        )
        if len(families) == limit:
            break
    return families


def _queue_people(role: Role, limit: int, categories=None) -> list[dict]:
    """People holding role in a grid, each with a request in their queue to open."""
    grants = db.session.execute(
        select(Person.phone, RoleGrant.grid_id)
        .join(RoleGrant, RoleGrant.person_id == Person.id)
        .where(RoleGrant.role == role, RoleGrant.grid_id.is_not(None))
        .order_by(Person.id, RoleGrant.grid_id)
    ).all()
    open_request = dict(
        db.session.execute(
            select(HelpRequest.grid_id, func.min(HelpRequest.id))
            .where(
                HelpRequest.status.in_(QUEUE_STATUSES),
                *([HelpRequest.category.in_(list(categories))] if categories else []),
            )
            .group_by(HelpRequest.grid_id)
        ).all()
    )
    people, seen = [], set()
    for phone, grid_id in grants:
        if phone in seen or grid_id not in open_request:
            continue
        seen.add(phone)
        people.append({"phone": phone, "request": open_request[grid_id]})
        if len(people) == limit:
            break
    return people


def _admins(limit: int) -> list[dict]:
    """Community admins, each with a resident of their community to open the record of."""
    rows = db.session.execute(
        select(Person.phone, func.min(RoleGrant.id), Person.community_id)
        .join(RoleGrant, RoleGrant.person_id == Person.id)
        .where(RoleGrant.role == Role.ADMIN, Person.community_id.is_not(None))
        .group_by(Person.id, Person.phone, Person.community_id)
        .order_by(Person.id)
        .limit(limit)
    ).all()
    first_resident = dict(
        db.session.execute(
            select(Person.community_id, func.min(Person.id))
            .where(Person.resident_code.is_not(None))
            .group_by(Person.community_id)
        ).all()
    )
    return [
        {"phone": phone, "resident": first_resident[community]}
        for phone, _grant, community in rows
        if community in first_resident
    ]


def _people_with_first(role: Role, thing, joined_on, limit: int) -> list[tuple[str, int]]:
    """(phone, the smallest id of thing, joined on joined_on) of the first limit people holding
    role."""
    return db.session.execute(
        select(Person.phone, func.min(thing))
        .join(RoleGrant, RoleGrant.person_id == Person.id)
        .join(thing.class_, joined_on)
        .where(RoleGrant.role == role)
        .group_by(Person.id, Person.phone)
        .order_by(Person.id)
        .limit(limit)
    ).all()


def _kitchens(limit: int) -> list[dict]:
    """Canteen staff, each with their community's canteen."""
    rows = _people_with_first(
        Role.CANTEEN_STAFF, Canteen.id, Canteen.community_id == Person.community_id, limit
    )
    return [{"phone": phone, "canteen": canteen} for phone, canteen in rows]


def _partner_people(limit: int) -> list[dict]:
    """A partner's people, each with a request handed to their partner."""
    rows = _people_with_first(
        Role.PARTNER, HelpRequest.id, HelpRequest.partner_id == RoleGrant.partner_id, limit
    )
    return [{"phone": phone, "request": request} for phone, request in rows]


def plan(limit: int = 200) -> dict:
    """People to sign in as, up to limit of each kind, with the ids their pages need."""
    meals = _next_meal_by_community()
    return {
        "residents": _residents(meals, limit),
        "families": _families(meals, limit),
        "volunteers": _queue_people(Role.VOLUNTEER, limit, VOLUNTEER_CATEGORIES),
        "workers": _queue_people(Role.GRID_WORKER, limit),
        "admins": _admins(limit),
        "kitchens": _kitchens(limit),
        "partners": _partner_people(limit),
    }


def resident_pages(resident: dict) -> dict[str, str]:
    """What a resident reads at a kiosk: name → path."""
    rid, meal_day, dish = resident["id"], resident["meal_day"], resident["dish"]
    return {
        "resident home": "/resident",
        "canteen": f"/canteen/residents/{rid}",
        "menu": f"/canteen/residents/{rid}/meals/{meal_day}",
        "booking check": f"/canteen/residents/{rid}/meals/{meal_day}/dishes/{dish}",
        "my bookings": f"/canteen/residents/{rid}/bookings",
        "activities": f"/activities/residents/{rid}",
        "activities week": f"/activities/residents/{rid}/week",
        "my activities": f"/activities/residents/{rid}/mine",
        "help status": f"/help/residents/{rid}/requests",
        "meal delivery": f"/delivery/residents/{rid}",
    }


def family_pages(family: dict) -> dict[str, str]:
    rid, meal_day, dish = family["resident"], family["meal_day"], family["dish"]
    return {
        "family home": "/family",
        "family canteen": f"/canteen/residents/{rid}",
        "family booking check": f"/canteen/residents/{rid}/meals/{meal_day}/dishes/{dish}",
        "family help status": f"/help/residents/{rid}/requests",
    }


# Served by bench/wsgi.py only, to a signed-in resident: what a request costs before a page draws
# anything of its own.
FLOOR_PAGES = {
    "signed in, no page": "/_floor/signed-in",
    "empty kiosk page": "/_floor/kiosk-page",
}


def queue_pages(person: dict) -> dict[str, str]:
    return {"queue": "/help/queue", "request": f"/help/requests/{person['request']}"}


def worker_pages(worker: dict) -> dict[str, str]:
    """A grid worker's own pages besides the queue."""
    return {
        "grid worker's day": "/day",
        "visits due": "/care/",
        "paperwork due": "/paperwork/due",
    }


def volunteer_pages(volunteer: dict) -> dict[str, str]:
    return {"my points": "/points/", "vouchers on offer": "/points/vouchers"}


def admin_pages(admin: dict) -> dict[str, str]:
    return {
        "residents list": "/admin/residents/",
        "resident record": f"/admin/residents/{admin['resident']}",
        "audit log": "/admin/audit/",
    }


def kitchen_pages(cook: dict) -> dict[str, str]:
    return {"rounds today": f"/delivery/staff/canteens/{cook['canteen']}/rounds"}


def partner_pages(partner: dict) -> dict[str, str]:
    return {
        "partner desk": "/partner/",
        "partner request": f"/partner/requests/{partner['request']}",
    }


# Pages that htmx polls, read again with the ETag of the last answer: {name: (page polled, the
# element it replaces)}. An unchanged one answers 304.
POLLS = {
    "queue poll": ("queue", "queue"),
    "day poll": ("grid worker's day", "day"),
    "rounds poll": ("rounds today", "progress"),
}

# Each kind of person in the plan: how they sign in ("kiosk" or "password") and their pages.
READERS = {
    "residents": ("kiosk", resident_pages),
    "families": ("password", family_pages),
    "workers": ("password", lambda w: {**queue_pages(w), **worker_pages(w)}),
    "volunteers": ("password", lambda v: {**queue_pages(v), **volunteer_pages(v)}),
    "admins": ("password", admin_pages),
    "kitchens": ("password", kitchen_pages),
    "partners": ("password", partner_pages),
}
