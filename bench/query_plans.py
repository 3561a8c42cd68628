"""The SQL statements the portal's main pages run, and how PostgreSQL plans each of them.

Shared by tests/postgres/test_query_plans.py (on the demo data, every hot statement is served by an
index) and bench/explain.py (the same check and the real plans on any database). `readers()` needs
an application context; `record()` makes its requests through the app's test client, which should
give each request its own application context, as in production.
"""

import json
import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import Flask, url_for
from sqlalchemy import Engine, case, event, exists, select
from sqlalchemy.engine import Connection

from portal.accounts.models import FamilyLink, LinkStatus, Person, Role, RoleGrant
from portal.activities.models import Event, SignUp, SignUpStatus
from portal.canteen.models import Booking, Canteen, Dish, MealDay, MealService
from portal.community.models import today_in
from portal.config import DEFAULT_TIMEZONE
from portal.delivery.models import DeliveryEnrolment, DeliveryRound
from portal.extensions import db
from portal.help.models import OPEN_STATUSES, VOLUNTEER_CATEGORIES, HelpRequest
from portal.model_base import utcnow
from portal.site.demo import DEMO_PASSWORD, DEMO_PIN

# Tables a full scan of is fine on every page: set up by hand by an admin, a few rows per
# community, never growing with the number of residents, bookings or requests. A scan of a few
# pages beats any index on them, so PostgreSQL scans them even when an index exists.
SMALL_TABLES = {
    "alembic_version": "one row: the schema's migration",
    "street_office": "one row per street office",
    "community": "a handful per street office",
    "grid": "a few per community",
    "canteen": "at most one or two per community",
    "meal_service": "lunch and dinner of each canteen",
    "partner": "the property company, water company, clinic… of each community",
    "partner_community": "the few other communities of its street a partner serves",
}


@dataclass(frozen=True)
class Page:
    """One GET of a reader: its name, path and the status it must answer with. With revalidate,
    the request repeats the previous one with its ETag in If-None-Match."""

    name: str
    path: str
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    revalidate: bool = False


@dataclass(frozen=True)
class Reader:
    """Someone of a role: the form posts that sign them in, then the pages they read."""

    role: str
    sign_in: list[tuple[str, dict[str, str]]]
    pages: list[Page]


@dataclass
class Query:
    """A distinct SELECT statement, the parameters it first ran with, and the pages that ran it."""

    sql: str
    parameters: Any
    pages: list[str]


class PageError(AssertionError):
    """A page answered with another status than expected, so its statements are not the real ones."""


def _first(query):
    return db.session.scalars(query.limit(1)).first()


def _in_grid(role: Role, grid_id: int):
    return (
        select(Person)
        .join(RoleGrant, RoleGrant.person_id == Person.id)
        .where(RoleGrant.role == role, RoleGrant.grid_id == grid_id)
        .order_by(Person.id)
    )


def _has(*conditions):
    return case((exists().where(*conditions), 1), else_=0)


def residents_with_most_to_show():
    """A query for the residents of communities with a canteen who can sign in at a kiosk, those
    with the most on their pages first: a booking, an activity to come, an active family link, a
    delivery enrolment and a help request."""
    score = (
        _has(Booking.resident_id == Person.id)
        + _has(
            SignUp.resident_id == Person.id,
            SignUp.event_id == Event.id,
            SignUp.status == SignUpStatus.GOING,
            Event.starts_at > utcnow(),
        )
        + _has(FamilyLink.resident_id == Person.id, FamilyLink.status == LinkStatus.ACTIVE)
        + _has(DeliveryEnrolment.resident_id == Person.id)
        + _has(HelpRequest.resident_id == Person.id)
    )
    return (
        select(Person)
        .join(RoleGrant, RoleGrant.person_id == Person.id)
        .where(
            RoleGrant.role == Role.RESIDENT,
            Person.pin_hash.is_not(None),
            Person.community_id.in_(select(Canteen.community_id)),
        )
        .order_by(score.desc(), Person.id)
    )


def _resident() -> Person:
    return _first(residents_with_most_to_show())


def _family(resident: Person) -> tuple[Person, Person]:
    """A family member and the resident they act for: resident's own if they have one."""
    parent = db.aliased(Person)
    return db.session.execute(
        select(Person, parent)
        .join(FamilyLink, FamilyLink.family_id == Person.id)
        .join(parent, parent.id == FamilyLink.resident_id)
        .join(Canteen, Canteen.community_id == parent.community_id)
        .where(FamilyLink.status == LinkStatus.ACTIVE)
        .order_by((parent.id == resident.id).desc(), FamilyLink.id)
        .limit(1)
    ).one()


def _meal(resident: Person, day: date) -> tuple[MealDay, Dish]:
    """The resident's canteen's first published meal on day, and its first dish."""
    meal = _first(
        select(MealDay)
        .join(MealService, MealService.id == MealDay.service_id)
        .join(Canteen, Canteen.id == MealService.canteen_id)
        .where(
            Canteen.community_id == resident.community_id,
            MealDay.day == day,
            MealDay.published.is_(True),
        )
        .order_by(MealService.serving_start)
    )
    dish = _first(
        select(Dish)
        .where(Dish.meal_day_id == meal.id, Dish.withdrawn_at.is_(None))
        .order_by(Dish.id)
    )
    return meal, dish


def _for_resident(resident: Person, day: date) -> list[Page]:
    """The pages a resident, or family acting for them, reads about that resident."""
    meal, dish = _meal(resident, day + timedelta(days=1))
    booking = _first(select(Booking).where(Booking.resident_id == resident.id).order_by(Booking.id))
    event_ = _first(
        select(Event)
        .where(
            Event.community_id == resident.community_id,
            Event.starts_at >= datetime.combine(day, time()),
        )
        .order_by(Event.starts_at)
    )
    ids = {"resident_id": resident.id}
    return [
        Page("canteen", url_for("canteen.meals", **ids)),
        Page("menu", url_for("canteen.menu", **ids, meal_day_id=meal.id)),
        Page(
            "booking check", url_for("canteen.check", **ids, meal_day_id=meal.id, dish_id=dish.id)
        ),
        Page("my bookings", url_for("canteen.bookings", **ids)),
        *([Page("a booking", url_for("canteen.booked", booking_id=booking.id))] if booking else []),
        Page("activities today", url_for("activities.upcoming", **ids)),
        Page("activities week", url_for("activities.week", **ids)),
        Page("activities month", url_for("activities.month", **ids)),
        Page("my activities", url_for("activities.mine", **ids)),
        Page("an activity", url_for("activities.event", **ids, event_id=event_.id)),
        Page("help status", url_for("help.mine", **ids)),
        Page("meal delivery", url_for("delivery.overview", **ids)),
        Page("paperwork kinds", url_for("paperwork.ask", **ids)),
        Page("what to have ready", url_for("paperwork.kind", code="pension", **ids)),
        Page("inbox", url_for("notifications.inbox")),
    ]


def _queue_pages(request_id: int) -> list[Page]:
    htmx = {"HX-Request": "true", "HX-Target": "queue"}
    return [
        Page("help queue", url_for("help.queue")),
        Page("queue poll", url_for("help.queue"), headers=htmx),
        Page("queue poll unchanged", url_for("help.queue"), 304, htmx, revalidate=True),
        Page("a help request", url_for("help.detail", request_id=request_id)),
    ]


def _day_pages() -> list[Page]:
    htmx = {"HX-Request": "true", "HX-Target": "day"}
    return [
        Page("grid worker's day", url_for("site.day")),
        Page("day poll unchanged", url_for("site.day"), 304, htmx, revalidate=True),
    ]


def _sign_in(person: Person, password: str, pin: str) -> list[tuple[str, dict[str, str]]]:
    """Residents sign in with their resident code and PIN, everyone else with phone and password."""
    if person.resident_code and person.pin_hash:
        return [
            (url_for("accounts.kiosk_code"), {"code": person.resident_code}),
            (url_for("accounts.kiosk_pin"), {"pin": pin}),
        ]
    return [(url_for("accounts.sign_in"), {"phone": person.phone, "password": password})]


def readers(password: str = DEMO_PASSWORD, pin: str = DEMO_PIN) -> list[Reader]:
    """The main roles and their pages, on whatever data the database holds: a resident with
    bookings, sign-ups and deliveries, the resident of the latest help request, a family member, a
    grid worker and a volunteer of a grid with an open errand and a delivery round today, and
    canteen staff. Everyone signs in with password, residents with pin."""
    day = today_in(DEFAULT_TIMEZONE)
    resident = _resident()
    family, relative = _family(resident)
    asked = _first(
        select(HelpRequest)
        .join(Person, Person.id == HelpRequest.resident_id)
        .where(Person.pin_hash.is_not(None))
        .order_by(HelpRequest.id.desc())
    )
    open_request = _first(
        select(HelpRequest)
        .join(DeliveryRound, DeliveryRound.grid_id == HelpRequest.grid_id)
        .join(MealDay, MealDay.id == DeliveryRound.meal_day_id)
        .where(
            HelpRequest.status.in_(OPEN_STATUSES),
            HelpRequest.category.in_(list(VOLUNTEER_CATEGORIES)),
            MealDay.day == day,
        )
        .order_by(HelpRequest.id)
    )
    grid_id = open_request.grid_id
    round_ = _first(
        select(DeliveryRound)
        .join(MealDay, MealDay.id == DeliveryRound.meal_day_id)
        .where(DeliveryRound.grid_id == grid_id, MealDay.day == day)
    )
    place = _first(select(Canteen).where(Canteen.community_id == resident.community_id))
    staff = _first(
        select(Person)
        .join(RoleGrant, RoleGrant.person_id == Person.id)
        .where(RoleGrant.role == Role.CANTEEN_STAFF, Person.community_id == place.community_id)
    )
    meal, _dish = _meal(resident, day)
    rounds = [
        Page("delivery rounds", url_for("rounds.index")),
        Page("a delivery round", url_for("rounds.show", round_id=round_.id)),
    ]
    return [
        Reader(
            "resident",
            _sign_in(resident, password, pin),
            [
                Page("start", url_for("site.index"), 302),
                Page("resident home", url_for("site.resident_home")),
                *_for_resident(resident, day),
                Page("my family", url_for("accounts.resident_family")),
                *_points_pages(),
            ],
        ),
        Reader(
            "resident asking for help",
            _sign_in(asked.resident, password, pin),
            [
                Page("resident home", url_for("site.resident_home")),
                Page("help status", url_for("help.mine", resident_id=asked.resident_id)),
                Page("help sent", url_for("help.sent", request_id=asked.id)),
            ],
        ),
        Reader(
            "family",
            _sign_in(family, password, pin),
            [Page("family home", url_for("site.family_home")), *_for_resident(relative, day)],
        ),
        Reader(
            "volunteer",
            _sign_in(_first(_in_grid(Role.VOLUNTEER, grid_id)), password, pin),
            [Page("volunteer home", url_for("site.volunteer_home"))]
            + _queue_pages(open_request.id)
            + rounds
            + _points_pages(),
        ),
        Reader(
            "grid worker",
            _sign_in(_first(_in_grid(Role.GRID_WORKER, grid_id)), password, pin),
            [Page("staff home", url_for("site.staff_home"))]
            + _queue_pages(open_request.id)
            + rounds
            + [
                Page("care visits due", url_for("care.due")),
                Page("yearly paperwork due", url_for("paperwork.due")),
            ]
            + _day_pages(),
        ),
        Reader(
            "canteen staff",
            _sign_in(staff, password, pin),
            [
                Page("kitchen sheet", url_for("canteen_kitchen.kitchen", canteen_id=place.id)),
                Page("counter", url_for("canteen_kitchen.counter", canteen_id=place.id)),
                Page("rounds today", url_for("delivery_staff.rounds", canteen_id=place.id)),
                Page(
                    "rounds poll unchanged",
                    url_for("delivery_staff.rounds", canteen_id=place.id),
                    304,
                    {"HX-Request": "true", "HX-Target": "progress"},
                    revalidate=True,
                ),
                Page("round sheet", url_for("delivery_staff.sheet", meal_day_id=meal.id)),
                Page("kitchen shifts", url_for("points_staff.kitchen", canteen_id=place.id)),
                Page(
                    "voucher at the counter",
                    url_for("points_staff.counter_voucher", canteen_id=place.id),
                ),
            ],
        ),
        _admin_reader(password, pin),
        *_partner_readers(password, pin),
    ]


def _admin_reader(password: str, pin: str) -> Reader:
    """A community's admin, with the lists they run it from and one of its residents' record."""
    admin = _first(
        select(Person)
        .join(RoleGrant, RoleGrant.person_id == Person.id)
        .where(RoleGrant.role == Role.ADMIN, Person.community_id.is_not(None))
        .order_by(Person.id)
    )
    resident = _first(
        select(Person)
        .where(Person.community_id == admin.community_id, Person.resident_code.is_not(None))
        .order_by(Person.id)
    )
    return Reader(
        "admin",
        _sign_in(admin, password, pin),
        [
            Page("residents", url_for("administration.resident_list")),
            Page(
                "a resident's record",
                url_for("administration.resident", resident_id=resident.id),
            ),
            Page("audit log", url_for("administration.audit_log")),
        ],
    )


def _partner_readers(password: str, pin: str) -> list[Reader]:
    """Someone of a partner with a request handed to it, where the data has one."""
    found = db.session.execute(
        select(Person, HelpRequest.id)
        .join(RoleGrant, RoleGrant.person_id == Person.id)
        .join(HelpRequest, HelpRequest.partner_id == RoleGrant.partner_id)
        .where(RoleGrant.role == Role.PARTNER)
        .order_by(Person.id, HelpRequest.id)
        .limit(1)
    ).first()
    if found is None:
        return []
    person, request_id = found
    return [
        Reader(
            "partner",
            _sign_in(person, password, pin),
            [
                Page("partner desk", url_for("partner_desk.home")),
                Page(
                    "a request handed over",
                    url_for("partner_desk.request_page", request_id=request_id),
                ),
            ],
        )
    ]


def _points_pages() -> list[Page]:
    """A volunteer's or resident's own points: the balance and movements, the vouchers on
    offer, and the certificate of service hours."""
    return [
        Page("my points", url_for("points.mine")),
        Page("vouchers on offer", url_for("points.shop")),
        Page("certificate of service hours", url_for("points.certificate")),
    ]


@contextmanager
def statements(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    """Collect (statement, parameters) of everything engine executes inside the block."""
    seen: list[tuple[str, Any]] = []

    def collect(_conn, _cursor, statement, parameters, _context, executemany):
        if not executemany:
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", collect)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", collect)


def read_pages(
    app: Flask,
    engine: Engine,
    everyone: list[Reader],
    twice: bool = False,
    around: Callable[[], AbstractContextManager] = nullcontext,
) -> Iterator[tuple[str, list[tuple[str, Any]]]]:
    """Sign each reader in, GET their pages, and yield each page's label ("role: page") with the
    statements engine ran for it. With twice, each page is read once before the read that counts,
    as the first read in a process may fill caches; around() is entered around the read that
    counts, to measure it otherwise too. PageError when a page answers with another status than
    expected."""
    for reader in everyone:
        client = app.test_client()
        for path, form in reader.sign_in:
            client.post(path, data=form)
        etag = None
        for page in reader.pages:
            headers = {**page.headers, **({"If-None-Match": etag} if page.revalidate else {})}
            if twice:
                client.get(page.path, headers=headers)
            with statements(engine) as seen, around():
                response = client.get(page.path, headers=headers)
            if response.status_code != page.status:
                raise PageError(
                    f"{reader.role}: {page.name} {page.path} answered {response.status_code}, "
                    f"not {page.status}"
                )
            etag = response.headers.get("ETag")
            yield f"{reader.role}: {page.name}", seen


def record(app: Flask, engine: Engine, everyone: list[Reader]) -> list[Query]:
    """The distinct SELECT statements that engine ran for everyone's pages (see read_pages)."""
    queries: dict[str, Query] = {}
    for label, seen in read_pages(app, engine, everyone):
        for sql, parameters in seen:
            if sql.lstrip().upper().startswith(("SELECT", "WITH")):
                query = queries.setdefault(sql, Query(sql, parameters, []))
                if label not in query.pages:
                    query.pages.append(label)
    return list(queries.values())


def explain(connection: Connection, query: Query, options: str = "FORMAT JSON") -> dict:
    """The plan of query as PostgreSQL's EXPLAIN (options) gives it: the top node."""
    rows = connection.exec_driver_sql(f"EXPLAIN ({options}) {query.sql}", query.parameters)
    document = rows.scalar_one()
    return (json.loads(document) if isinstance(document, str) else document)[0]


def nodes(plan: dict) -> Iterator[dict]:
    """Every node of a plan (or of its top "Plan"), subplans included."""
    node = plan.get("Plan", plan)
    yield node
    for child in node.get("Plans", ()):
        yield from nodes(child)


def index_columns(connection: Connection) -> dict[str, tuple[str, str | None]]:
    """{index: (its table, its first column)} for the indexes of the current schema; None for an
    index on an expression."""
    rows = connection.exec_driver_sql(
        "SELECT i.relname, t.relname, a.attname FROM pg_index x"
        " JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid"
        " LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = x.indkey[0]"
        " WHERE t.relnamespace = current_schema()::regnamespace"
    )
    return {index: (table, column) for index, table, column in rows}


def _walks_whole_index(node: dict, first_column: str | None) -> bool:
    """True when an index scan's condition leaves the index's first column free, so the scan
    reads every entry of the index. The plan writes the index's own columns unqualified."""
    condition = node.get("Index Cond")
    if condition is None:
        return True
    return first_column is not None and not re.search(rf"(?<![.\w]){first_column}\b", condition)


def full_scans(plan: dict, columns: dict[str, tuple[str, str | None]]) -> set[str]:
    """Tables the plan reads whole: by a Seq Scan, or by an index scan that walks the whole index
    (no Index Cond, or none on the index's first column). columns is index_columns()."""
    found = set()
    for node in nodes(plan):
        if node["Node Type"] == "Seq Scan":
            found.add(node["Relation Name"])
        elif "Index Name" in node:
            table, first_column = columns[node["Index Name"]]
            if _walks_whole_index(node, first_column):
                found.add(table)
    return found


def indexes(plan: dict) -> set[str]:
    return {node["Index Name"] for node in nodes(plan) if "Index Name" in node}


def relations(plan: dict) -> set[str]:
    return {node["Relation Name"] for node in nodes(plan) if "Relation Name" in node}


# Turning off sequential scans alone is not enough: PostgreSQL then reads a table through the
# whole of any index whose order suits a merge join or an ORDER BY, so a missing index hides
# behind a full scan of the primary key. With these off too, the only path left enabled to a
# table is a bitmap scan on an index condition (or a nested loop's lookup by the outer row), and a
# table no index can narrow must be read whole by a disabled path or by a condition on a later
# column of some index, both of which full_scans() reports.
INDEX_ONLY_SETTINGS = (
    "enable_seqscan",
    "enable_indexscan",
    "enable_indexonlyscan",
    "enable_hashjoin",
    "enable_mergejoin",
)


def unindexed(connection: Connection, queries: list[Query]) -> dict[str, list[Query]]:
    """{table: queries} for every table outside SMALL_TABLES that a query can only read whole,
    even when the planner may use nothing but indexes. Run it in a transaction of its own: the
    settings last until it ends."""
    columns = index_columns(connection)
    for setting in INDEX_ONLY_SETTINGS:
        connection.exec_driver_sql(f"SET LOCAL {setting} = off")
    found: dict[str, list[Query]] = {}
    for query in queries:
        for table in full_scans(explain(connection, query), columns) - SMALL_TABLES.keys():
            found.setdefault(table, []).append(query)
    return found


def shorten(sql: str, width: int = 70) -> str:
    """The statement on one line without its list of columns, cut to width."""
    line = re.sub(r"^SELECT .*? FROM ", "SELECT … FROM ", " ".join(sql.split()), count=1)
    return line if len(line) <= width else line[: width - 1] + "…"
