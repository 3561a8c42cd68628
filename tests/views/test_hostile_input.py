"""No input gives a 500: every route, GET and POST, as every role, gets hostile ids, text, dates
and numbers in its URL, its query string and its form, and must answer below 500.

The explicit corpus covers each kind of value that once broke a page; Hypothesis then mixes them,
with fixed examples so that every run sends the same requests."""

import re
from datetime import date, datetime, timedelta
from urllib.parse import quote

import pytest
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.routing import AnyConverter, IntegerConverter

from portal.accounts.models import Kiosk, Role
from portal.canteen.models import Dish, MealDay
from portal.extensions import db
from portal.help import services as help
from portal.web.converters import DateConverter
from tests.helpers import PASSWORD

IDS = ["1" + "0" * 30, "2147483648", "9223372036854775808", "-1", "0", "abc", "1e3"]
DAYS = ["0001-01-01", "9999-12-31", "2026-02-30", "0000-00-00"]
TEXTS = ["a\x00b", "%00", "\x1b[31m", "长" * 1000, "a%0d%0aSet-Cookie:%20x=1"]
VALUES = [
    "a\x00b\x01c",
    "x" * 10_000,
    "/x\r\nSet-Cookie: x=1",
    "1" + "0" * 40,
    "1" + "0" * 20,
    "2147483648",
    "-1",
    "1e999",
    "NaN",
    "0001-01-01",
    "9999-12-31",
    "2026-02-30",
    "no-such-choice",
    "",
]
# Names the views read from the query string or a form without a form class of their own.
LOOSE_NAMES = [
    "next", "language", "step", "scheme", "category", "resident_id", "status", "q", "published",
    "decision", "key", "action", "fixed", "outcome", "note", "day", "week", "round", "year",
    "lang", "change", "by", "start", "end", "person", "code", "pin", "phone", "password",
]  # fmt: skip
# These end the sign-in the request came with: each is sent from a client signed in for it alone.
SIGNING_OUT = {
    "accounts.sign_out",
    "accounts.end_sign_ins",
    "accounts.end_person_sign_ins",
    "accounts.kiosk_code",
    "accounts.kiosk_pin",
    "accounts.sign_in",
    "accounts.register",
}
ROLES = [
    None,
    Role.RESIDENT,
    Role.FAMILY,
    Role.VOLUNTEER,
    Role.GRID_WORKER,
    Role.CANTEEN_STAFF,
    Role.ORGANISER,
    Role.ADMIN,
]


def _form_field_names() -> list[str]:
    names, forms = set(LOOSE_NAMES), list(FlaskForm.__subclasses__())
    while forms:
        form = forms.pop()
        forms.extend(form.__subclasses__())
        names.update(
            name for name in dir(form) if hasattr(getattr(form, name, None), "field_class")
        )
    return sorted(names)


@pytest.fixture
def things(people, world):
    """One of everything the routes name, each with id 1: person 1 is the resident."""
    (lunch,) = world.canteen().services
    day = MealDay(service=lunch, day=date.today() + timedelta(days=1), capacity=40)
    dish = Dish(meal_day=day, name_zh_hans="红烧肉", price_fen=1200)
    world.event(datetime.now() + timedelta(days=2), "象棋", "chess")
    kiosk = Kiosk(community=world.community, location="活动室", token_hash="k" * 64)
    db.session.add_all([day, dish, kiosk])
    db.session.commit()
    help.raise_request(people.resident, "repair", people.resident)
    return {
        role: person
        for role, person in (
            (Role.RESIDENT, people.resident),
            (Role.FAMILY, people.family),
            (Role.VOLUNTEER, people.volunteer),
            (Role.GRID_WORKER, people.worker),
            (Role.CANTEEN_STAFF, world.person(Role.CANTEEN_STAFF)),
            (Role.ORGANISER, world.person(Role.ORGANISER)),
            (Role.ADMIN, people.admin),
        )
    }


class Prober:
    """Sends requests as one role and remembers any that answered 500 or more."""

    def __init__(self, app, person):
        self.app, self.person = app, person
        self.client = self._signed_in()
        self.failures: list[str] = []

    def _signed_in(self):
        client = self.app.test_client()
        if self.person is None:
            return client
        if self.person.resident_code:
            client.post("/kiosk", data={"code": self.person.resident_code})
            client.post("/kiosk/pin", data={"pin": "2580"})
        else:
            client.post("/sign-in", data={"phone": self.person.phone, "password": PASSWORD})
        return client

    def send(self, endpoint: str, method: str, path: str, query=None, form=None) -> None:
        client = self._signed_in() if endpoint in SIGNING_OUT else self.client
        try:
            status = client.open(path, method=method, query_string=query, data=form).status_code
        except Exception as error:  # noqa: BLE001 - the test client raises what a server answers 500 to
            status = f"{type(error).__name__}: {str(error)[:100]}"
        if not isinstance(status, int) or status >= 500:
            self.failures.append(f"{status} {method} {path[:100]} {str(query or form)[:60]}")


def _path(rule, hostile: dict[str, str] | None = None) -> str:
    """The rule's path with each argument as in hostile, else a value that finds something."""
    hostile = hostile or {}
    path = rule.rule
    for name, converter in rule._converters.items():
        if name in hostile:
            value = quote(hostile[name], safe="")
        elif isinstance(converter, IntegerConverter):
            value = "1"
        elif isinstance(converter, DateConverter):
            value = (date.today() + timedelta(days=1)).isoformat()
        elif isinstance(converter, AnyConverter):
            value = "meals"
        else:
            value = "x" * 64
        path = re.sub(rf"<(?:[^<>]*:)?{name}>", lambda _match, v=value: v, path)
    return path


def _hostile_paths(rule) -> list[str]:
    """The rule's path with each argument in turn given each hostile value of its kind."""
    paths = []
    for name, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            kind = IDS
        elif isinstance(converter, DateConverter):
            kind = DAYS
        else:
            kind = TEXTS
        paths.extend(_path(rule, {name: value}) for value in kind)
    return paths


def _may_use(rule, app, role) -> bool:
    access = app.view_functions[rule.endpoint].access
    if access == "public":
        return True
    if role is None:
        return False
    return access == "signed_in" or role in access


def _rules(app):
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]
    # Those that sign the client out come last.
    return sorted(rules, key=lambda rule: (rule.endpoint in SIGNING_OUT, rule.rule))


def _methods(rule) -> list[str]:
    return sorted(rule.methods & {"GET", "POST"})


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role or "signed-out")
def test_no_route_answers_500_to_hostile_input(app, things, role):
    prober = Prober(app, things.get(role))
    names = _form_field_names()
    for rule in _rules(app):
        if not _may_use(rule, app, role):
            # Turned away at the door, whatever is sent: one request each way shows it.
            for method in _methods(rule):
                prober.send(rule.endpoint, method, _path(rule, {}), form={"q": VALUES[0]})
            continue
        for method in _methods(rule):
            for path in _hostile_paths(rule):
                prober.send(rule.endpoint, method, path)
            for turn in range(len(VALUES)):
                # Every name gets every value over the turns, next to different neighbours.
                values = {
                    name: VALUES[(turn + index) % len(VALUES)] for index, name in enumerate(names)
                }
                if method == "GET":
                    prober.send(rule.endpoint, method, _path(rule), query=values)
                else:
                    prober.send(rule.endpoint, method, _path(rule), query=values, form=values)
    assert prober.failures == []


def test_each_value_that_once_gave_a_500_gets_a_404_or_a_message(app, client, things, sign_in):
    client.set_cookie("linli_lang", "en")
    sign_in.password(things[Role.ADMIN])
    # Ids beyond the database's integer are not found.
    for path in ("/help/requests/" + "1" + "0" * 30, "/help/requests/2147483648"):
        assert client.get(path).status_code == 404
    assert client.get("/calendar/communities/" + "1" + "0" * 30 + ".ics").status_code == 404
    # Dates at the edges of the calendar.
    for week in ("0001-01-01", "9999-12-31"):
        assert client.get("/canteen/staff/1/menus", query_string={"week": week}).status_code == 200
        assert client.post(f"/canteen/staff/1/menus/{week}/copy").status_code == 404
    assert (
        client.get("/delivery/staff/meals/1/sheet", query_string={"round": "9" * 30}).status_code
        == 404
    )
    # A price of 1e999, or with forty zeros, is not an amount.
    url = f"/canteen/staff/1/services/1/{(date.today() + timedelta(days=1)).isoformat()}/dishes"
    for price in ("1e999", "1" + "0" * 40):
        refused = client.post(
            url, data={"name_zh_hans": "红烧肉", "price": price, "category": "rice"}
        )
        assert "Enter an amount in yuan, like 12 or 12.50." in refused.get_data(as_text=True)
    # A CR or LF in next never reaches the Location header.
    moved = client.post(
        "/preferences/language", data={"language": "en", "next": "/x\r\nSet-Cookie: a=1"}
    )
    assert moved.status_code == 303 and "\n" not in moved.headers["Location"]
    assert moved.headers["Location"] == "/"


def test_an_event_on_the_first_day_of_year_one_is_refused_with_a_message(
    app, client, things, sign_in
):
    client.set_cookie("linli_lang", "en")
    sign_in.password(things[Role.ORGANISER])
    page = client.post(
        "/activities/organise/1/events/new",
        data={
            "title_zh_hans": "象棋",
            "category": "chess",
            "day": "0001-01-01",
            "starts": "14:00",
            "ends": "16:00",
        },
    )
    assert page.status_code in (200, 422)
    assert "Enter a date between 1900-01-01 and 2099-12-31." in page.get_data(as_text=True)


def test_nul_and_control_characters_never_reach_the_database(app, client, world):
    data = {
        "name": "李\x00娜\x1b",
        "phone": "13912340000",
        "password": "long enough",
        "confirm": "long enough",
        "consent": "y",
    }
    assert client.post("/register", data=data).status_code == 303
    from portal.accounts.models import Person

    assert db.session.query(Person).filter_by(phone="13912340000").one().name == "李娜"


@settings(
    max_examples=60,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_mixed_hostile_values_never_answer_500(app, things, data):
    """Any mix of the hostile values, in any fields, as an admin or a resident."""
    rules = [rule for rule in _rules(app) if rule.endpoint not in SIGNING_OUT]
    rule = data.draw(st.sampled_from(rules))
    role = data.draw(st.sampled_from([r for r in ROLES if _may_use(rule, app, r)] or [None]))
    method = data.draw(st.sampled_from(_methods(rule)))
    names = _form_field_names()
    values = data.draw(
        st.dictionaries(
            st.sampled_from(names),
            st.one_of(st.sampled_from(VALUES), st.text(max_size=30)),
            max_size=12,
        )
    )
    paths = [_path(rule), *_hostile_paths(rule)]
    path = data.draw(st.sampled_from(paths))
    prober = Prober(app, things.get(role))
    if method == "GET":
        prober.send(rule.endpoint, method, path, query=values)
    else:
        prober.send(rule.endpoint, method, path, query=values, form=values)
    assert prober.failures == []
