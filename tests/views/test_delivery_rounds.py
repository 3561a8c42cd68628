from datetime import UTC
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from portal.accounts.models import Role
from portal.canteen.models import Canteen
from portal.community.models import Building, Grid
from portal.delivery import rounds as delivery_rounds
from portal.delivery import services as delivery
from portal.delivery.models import Delivery, DeliveryRound
from portal.extensions import db
from portal.help.models import HelpRequest
from portal.notifications.models import Notification
from tests.helpers import html, text_of
from tests.views.test_delivery_staff import canteen_with_meals, early_morning, enrol, meals_today


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("linli_lang", "en")


@pytest.fixture
def place(world) -> Canteen:
    return canteen_with_meals(world)


@pytest.fixture
def staff(world):
    return world.person(Role.CANTEEN_STAFF, name="张师傅")


@pytest.fixture
def drop(place, people, staff) -> Delivery:
    """Today's lunch for the resident, on the round of the world's grid, which nobody runs yet."""
    enrol(place, people.resident, staff)
    [today] = delivery_rounds.drops_of(meals_today(place)["lunch"])
    return today


@pytest.fixture
def stranger(world):
    """A volunteer of another grid of the same community."""
    grid = Grid(name="第二网格", community=world.community)
    db.session.add_all([grid, Building(name="8号楼", grid=grid)])
    db.session.commit()
    return world.person(Role.VOLUNTEER, name="别的志愿者", grid=grid)


def _requests() -> list[HelpRequest]:
    return db.session.scalars(select(HelpRequest)).all()


def _mark(client, drop, outcome: str, **data):
    return client.post(f"/delivery/drops/{drop.id}/mark", data={"outcome": outcome, **data})


# Today's rounds --------------------------------------------------------------------------------


def test_rounds_today_offers_to_take_a_free_round(client, people, sign_in, drop):
    sign_in.password(people.volunteer)
    page = html(client.get("/delivery/rounds/"))
    [card] = page.select(".card")
    assert card.h2.get_text() == "Lunch · 第一网格"
    assert "1 delivery" in card.get_text() and "Nobody is delivering this round yet." in (
        card.get_text()
    )
    figures = {
        " ".join(div.dt.get_text().split()): div.dd.get_text() for div in card.select("dl div")
    }
    assert figures == {"Delivered": "0", "No answer": "0", "Refused": "0", "To go": "1"}
    form = card.select_one(f"form[action='/delivery/rounds/{drop.round_id}/take']")
    assert "I will deliver this round" in form.button.get_text()


def test_taking_a_round_then_continuing_it(client, people, sign_in, drop):
    sign_in.password(people.volunteer)
    response = client.post(f"/delivery/rounds/{drop.round_id}/take")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/delivery/rounds/{drop.round_id}")
    db.session.expire_all()
    assert db.session.get(DeliveryRound, drop.round_id).runner_id == people.volunteer.id
    assert "You are delivering this round. Thank you." in text_of(
        client.get(response.headers["Location"])
    )
    card = html(client.get("/delivery/rounds/")).select_one(".card")
    assert "You are delivering this round." in card.get_text()
    continue_link = card.select_one("a.button--primary")
    assert continue_link["href"] == f"/delivery/rounds/{drop.round_id}"
    assert continue_link.get_text().startswith("Continue")


def test_a_round_someone_else_runs_names_them(client, people, sign_in, drop):
    delivery_rounds.take_round(drop.round, people.worker)
    sign_in.password(people.volunteer)
    card = html(client.get("/delivery/rounds/")).select_one(".card")
    assert "王芳 is delivering this round." in card.get_text() and not card.select("form")
    response = client.post(f"/delivery/rounds/{drop.round_id}/take")
    assert "王芳 is delivering this round" in text_of(client.get(response.headers["Location"]))
    assert db.session.get(DeliveryRound, drop.round_id).runner_id == people.worker.id


def test_releasing_a_round(client, people, sign_in, drop):
    delivery_rounds.take_round(drop.round, people.volunteer)
    sign_in.password(people.worker)
    client.post(f"/delivery/rounds/{drop.round_id}/release")
    assert db.session.get(DeliveryRound, drop.round_id).runner_id == people.volunteer.id
    sign_in.out()
    sign_in.password(people.volunteer)
    response = client.post(f"/delivery/rounds/{drop.round_id}/release")
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(DeliveryRound, drop.round_id).runner_id is None
    assert "You have given the round back." in text_of(client.get(response.headers["Location"]))


def test_someone_of_another_grid_sees_no_names(client, people, sign_in, drop, stranger):
    sign_in.password(stranger)
    assert "王桂兰" not in client.get("/delivery/rounds/").get_data(as_text=True)
    for response in (
        client.get(f"/delivery/rounds/{drop.round_id}"),
        client.post(f"/delivery/rounds/{drop.round_id}/take"),
        _mark(client, drop, "delivered"),
    ):
        assert response.status_code == 403
        assert "王桂兰" not in response.get_data(as_text=True)
    db.session.expire_all()
    assert drop.outcome is None and drop.round.runner_id is None
    assert client.get("/delivery/rounds/9999").status_code == 404
    sign_in.out()
    sign_in.password(people.family)
    assert client.get(f"/delivery/rounds/{drop.round_id}").status_code == 403


# The phone view --------------------------------------------------------------------------------


def test_phone_view_lists_drops_by_building_and_floor_with_what_the_door_needs(
    client, world, people, sign_in, place, staff, drop
):
    east = Building(name="2号楼", grid=world.grid)
    db.session.add(east)
    people.resident.unit, people.resident.room = "1单元", "302"
    people.resident.diet_notes = "No spicy food"
    db.session.commit()
    enrol(place, world.person(Role.RESIDENT, name="周玉兰", room="101"), staff, floor=1)
    enrol(place, world.person(Role.RESIDENT, name="赵建国", building=east), staff, floor=6)
    delivery_rounds.take_round(drop.round, people.volunteer)
    sign_in.password(people.volunteer)
    page = html(client.get(f"/delivery/rounds/{drop.round_id}"))
    assert page.select_one("h1").get_text() == "Lunch · 第一网格"
    headings = [h.get_text() for h in page.select("main h2, main h3")]
    assert headings == ["1号楼", "Floor 1", "Floor 3", "2号楼", "Floor 6"]
    assert [h.get_text() for h in page.select(".drop__name")] == ["周玉兰", "王桂兰", "赵建国"]
    mine = page.select_one(f"li#drop-{drop.id}")
    facts = {
        dt.get_text(): " ".join(dt.find_next_sibling("dd").get_text(" ").split())
        for dt in mine.select("dt")
    }
    assert facts["Where"] == "1号楼, 1单元, room 302 · Floor 3 · No lift: stairs"
    assert facts["Getting in"] == "Ring twice, she is slow to the door"
    assert facts["Diet needs"].replace(" ;", ";") == (
        "Soft Low salt Cut the meat small; No spicy food"
    )
    assert facts["Dish"] == "Braised pork"
    assert mine.select_one("a[href='tel:13800138000']")
    buttons = mine.select("form button[name=outcome]")
    assert [(b["value"], b["aria-pressed"]) for b in buttons] == [
        ("delivered", "false"),
        ("no_answer", "false"),
        ("refused", "false"),
    ]
    assert [" ".join(b.get_text(" ").split()) for b in buttons] == [
        "Delivered : 王桂兰",
        "No answer : 王桂兰",
        "Refused : 王桂兰",
    ]
    assert mine.select_one(f"label[for=note-{drop.id}]").get_text() == "Note (optional)"
    form = mine.select_one("form")
    assert form["action"] == form["data-hx-post"] == f"/delivery/drops/{drop.id}/mark"
    assert form["data-hx-target"] == f"#drop-{drop.id}"


def test_marking_delivered_without_javascript(client, people, sign_in, drop):
    delivery_rounds.take_round(drop.round, people.volunteer)
    sign_in.password(people.volunteer)
    response = _mark(client, drop, "delivered")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/delivery/rounds/{drop.round_id}#drop-{drop.id}")
    db.session.expire_all()
    assert (drop.outcome, drop.marked_by_id, drop.booking.status) == (
        "delivered",
        people.volunteer.id,
        "served",
    )
    assert drop.round.runner_id == people.volunteer.id
    page = html(client.get(response.headers["Location"]))
    assert "Delivered to 王桂兰." in page.select_one("#status").get_text()
    row = page.select_one(f"#drop-{drop.id}")
    assert "drop--delivered" in row["class"]
    assert row.select_one(".drop__outcome").get_text(" ", strip=True).startswith("Delivered at")
    assert row.select_one("button[value=delivered]")["aria-pressed"] == "true"
    assert _requests() == []


def test_marking_with_htmx_swaps_the_row_and_announces_it(client, people, sign_in, htmx, drop):
    delivery_rounds.take_round(drop.round, people.volunteer)
    sign_in.password(people.volunteer)
    response = htmx(
        "post",
        f"/delivery/drops/{drop.id}/mark",
        target=f"drop-{drop.id}",
        data={"outcome": "refused", "note": "Says she is not hungry"},
    )
    assert response.status_code == 200 and "HX-Target" in response.vary
    body = html(response)
    assert not body.select("html, h1")
    row = body.select_one(f"li#drop-{drop.id}")
    assert "drop--refused" in row["class"]
    assert row.select_one("[data-announce]")["data-announce"] == (
        "王桂兰 refused the meal. That is noted."
    )
    assert row.select_one("h4[data-focus-on-load]")
    assert "Says she is not hungry" in row.select_one(".drop__note").get_text()
    tally = body.select_one("#round-tally[data-hx-swap-oob]")
    assert "1 delivery in this round" in tally.get_text()
    db.session.expire_all()
    assert (drop.outcome, drop.booking.status) == ("refused", "no_show")


def test_no_answer_raises_one_urgent_welfare_check_and_tells_the_family(
    client, world, people, sign_in, htmx, drop
):
    delivery_rounds.take_round(drop.round, people.volunteer)
    sign_in.password(people.volunteer)
    response = htmx(
        "post",
        f"/delivery/drops/{drop.id}/mark",
        target=f"drop-{drop.id}",
        data={"outcome": "no_answer", "note": "Knocked three times, TV on"},
    )
    announced = html(response).select_one("[data-announce]")["data-announce"]
    assert announced == ("No answer at 王桂兰's door. A welfare check is now in the help queue.")
    [request] = _requests()
    assert (request.category, request.urgent, request.status, request.grid_id) == (
        "welfare_check",
        True,
        "new",
        world.grid.id,
    )
    assert request.resident_id == people.resident.id
    assert "Knocked three times, TV on" in request.note
    family = db.session.scalars(
        select(Notification).where(Notification.kind == "delivery.no_answer")
    ).all()
    assert [n.recipient_id for n in family] == [people.family.id]
    _mark(client, drop, "no_answer")
    _mark(client, drop, "no_answer", note="Still no answer at 12:10")
    assert len(_requests()) == 1
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.kind == "delivery.no_answer")
        )
        == 1
    )


def test_no_answer_without_javascript_says_the_grid_worker_is_alerted(
    client, people, sign_in, drop
):
    delivery_rounds.take_round(drop.round, people.volunteer)
    sign_in.password(people.volunteer)
    response = _mark(client, drop, "no_answer")
    page = html(client.get(response.headers["Location"]))
    assert "A welfare check is now in the help queue." in (page.select_one("#status").get_text())
    assert len(_requests()) == 1


def test_worker_sees_the_delivery_behind_a_welfare_check(client, people, sign_in, drop):
    delivery_rounds.take_round(drop.round, people.volunteer)
    delivery_rounds.mark(drop, people.volunteer, "no_answer", "Knocked three times, TV on")
    [request] = _requests()
    sign_in.password(people.worker)
    page = html(client.get(f"/help/requests/{request.id}"))
    local = drop.marked_at.replace(tzinfo=UTC).astimezone(ZoneInfo("Asia/Shanghai"))
    panel = " ".join(page.select_one(".panel--urgent").get_text(" ").split())
    assert (
        f"Raised by the delivery round: Lunch, {drop.meal_day.day.strftime('%A')}" in panel
        and f"at {local.strftime('%H:%M')}, by 志愿者小张." in panel
    )
    assert "The volunteer's note: Knocked three times, TV on" in panel


def test_an_ordinary_request_has_no_delivery_panel(client, people, sign_in):
    from portal.help import services as help

    request, _created = help.raise_request(people.resident, "repair", people.resident)
    sign_in.password(people.worker)
    assert "Raised by the delivery round" not in text_of(client.get(f"/help/requests/{request.id}"))


def test_correcting_a_drop(client, people, sign_in, drop):
    delivery_rounds.take_round(drop.round, people.volunteer)
    sign_in.password(people.volunteer)
    _mark(client, drop, "no_answer")
    _mark(client, drop, "delivered", note="Answered at the second knock")
    db.session.expire_all()
    assert (drop.outcome, drop.note, drop.booking.status) == (
        "delivered",
        "Answered at the second knock",
        "served",
    )
    assert len(_requests()) == 1


# Refusals --------------------------------------------------------------------------------------


def test_marking_someone_elses_round_names_the_runner(client, people, sign_in, htmx, drop):
    delivery_rounds.take_round(drop.round, people.worker)
    sign_in.password(people.volunteer)
    response = _mark(client, drop, "delivered", note="Left at the door")
    page = html(response)
    message = "王芳 is delivering this round, so only they can mark its drops. Ask them, or ask the canteen."
    assert response.status_code == 422 and page.title.get_text().startswith("Error:")
    assert page.select_one(".error-summary a")["href"] == f"#drop-{drop.id}"
    assert message in page.select_one(".error-summary").get_text()
    row = page.select_one(f"#drop-{drop.id}")
    assert message in row.select_one("[role=alert]").get_text()
    assert not row.select("form")  # only the runner marks the doors
    fragment = htmx(
        "post",
        f"/delivery/drops/{drop.id}/mark",
        target=f"drop-{drop.id}",
        data={"outcome": "delivered"},
    )
    assert fragment.status_code == 422
    assert html(fragment).select_one("[role=alert]")["data-announce"] == message
    db.session.expire_all()
    assert drop.outcome is None and drop.booking.status == "booked"


def test_an_unknown_outcome_is_refused(client, people, sign_in, drop):
    sign_in.password(people.volunteer)
    response = _mark(client, drop, "eaten")
    assert response.status_code == 422
    assert "Choose Delivered, No answer or Refused." in text_of(response)
    db.session.expire_all()
    assert drop.outcome is None and drop.round.runner_id is None


def test_a_drop_of_another_day_cannot_be_marked(client, people, sign_in, place, drop):
    tomorrow = next(
        d for d in db.session.scalars(select(Delivery)).all() if d.meal_day_id != drop.meal_day_id
    )
    delivery_rounds.take_round(tomorrow.round, people.volunteer)
    sign_in.password(people.volunteer)
    page = client.get(f"/delivery/rounds/{tomorrow.round_id}")
    assert "This round is not today's." in text_of(page)
    response = _mark(client, tomorrow, "delivered")
    assert response.status_code == 422
    assert "A drop can be marked only on its own day." in text_of(response)
    db.session.expire_all()
    assert tomorrow.outcome is None


def test_a_cancelled_drop_cannot_be_marked(client, people, sign_in, place, staff, drop):
    delivery.stop(drop.enrolment, staff, now=early_morning(place))
    delivery_rounds.take_round(drop.round, people.volunteer)
    sign_in.password(people.volunteer)
    response = _mark(client, drop, "delivered")
    assert response.status_code == 422
    assert "This meal was cancelled, so there is nothing to deliver." in text_of(response)
    db.session.expire_all()
    assert drop.outcome is None


def test_canteen_staff_may_mark_a_round_they_do_not_run(client, people, sign_in, staff, drop):
    delivery_rounds.take_round(drop.round, people.volunteer)
    sign_in.password(staff)
    assert client.get(f"/delivery/rounds/{drop.round_id}").status_code == 200
    assert _mark(client, drop, "delivered").status_code == 303
    db.session.expire_all()
    assert (drop.outcome, drop.marked_by_id) == ("delivered", staff.id)


def test_each_rounds_control_names_the_meal_and_the_grid(client, people, sign_in, place, staff):
    """Lunch and dinner rounds of one grid: no two controls may read the same to a screen reader."""
    enrol(place, people.resident, staff, dinner=True)
    sign_in.password(people.volunteer)
    page = html(client.get("/delivery/rounds/"))
    names = [
        control.get_text(" ", strip=True) for control in page.select("main .card :is(a, button)")
    ]
    assert len(names) >= 4 and len(set(names)) == len(names), names
    assert any("Lunch" in name and "第一网格" in name for name in names)
    assert any("Dinner" in name and "第一网格" in name for name in names)


def test_the_doors_of_a_round_nobody_took_wait_for_someone_to_take_it(
    client, people, sign_in, drop
):
    sign_in.password(people.volunteer)
    page = html(client.get(f"/delivery/rounds/{drop.round_id}"))
    assert (
        "Its doors can be marked once someone takes it."
        in page.select_one(".round-runner").get_text()
    )
    assert not page.select(f"#drop-{drop.id} form")
    response = _mark(client, drop, "delivered")
    assert response.status_code == 422
    assert "Nobody is delivering this round yet. Take it first" in text_of(response)
    db.session.expire_all()
    assert drop.outcome is None and drop.round.runner_id is None
    client.post(f"/delivery/rounds/{drop.round_id}/take")
    page = html(client.get(f"/delivery/rounds/{drop.round_id}"))
    assert page.select(f"#drop-{drop.id} form button[name=outcome]")


def test_the_grid_worker_s_day_shows_a_refused_meal_and_one_a_full_meal_left_out(
    client, people, sign_in, world, place, staff, drop
):
    delivery_rounds.take_round(drop.round, people.volunteer)
    delivery_rounds.mark(drop, people.volunteer, "refused", "说不饿")
    lunch = meals_today(place)["lunch"]
    lunch.capacity = lunch.booked
    db.session.commit()
    late = world.person(Role.RESIDENT, name="孙阿姨", phone="13700003333")
    enrol(place, late, staff)
    left_out = db.session.scalar(
        select(Delivery).where(Delivery.meal_day_id == lunch.id, Delivery.booking_id.is_(None))
    )
    sign_in.password(people.worker)
    page = html(client.get("/day"))
    refused = page.select_one(f"#delivery-{drop.id}")
    assert refused.h2.get_text(" ", strip=True) == f"Meal refused: Lunch · {people.resident.name}"
    assert "说不饿" in refused.get_text() and "志愿者小张" in refused.get_text()
    assert refused.select_one("a[href='/delivery/rounds/']")
    full = page.select_one(f"#delivery-{left_out.id}")
    assert full.h2.get_text(" ", strip=True) == "Meal not booked: Lunch · 孙阿姨"
    calls = [a["href"] for a in full.select("a[href^='tel:']")]
    assert calls == [f"tel:{place.phone}", "tel:13700003333"]
