from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.accounts.models import Role
from portal.accounts.services import decide_link, request_link
from portal.canteen.models import Booking, Canteen, Dish, MealDay
from portal.community.models import today_in
from portal.config import DEFAULT_TIMEZONE
from portal.extensions import db
from tests.helpers import html, text_of


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("linli_lang", "en")


@pytest.fixture
def menu(app, world):
    """Tomorrow's lunch at the community canteen, published, with two dishes."""
    with app.test_request_context():
        tomorrow = today_in(DEFAULT_TIMEZONE) + timedelta(days=1)
    return world.lunch(
        tomorrow,
        {"name_zh_hans": "红烧肉", "name_en": "Braised pork", "price_fen": 1500, "tags": "soft"},
        {"name_zh_hans": "青菜", "price_fen": 800},
        capacity=1,
        phone="0871-1234",
        senior_discount_percent=20,
    )


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Booking))


def test_three_taps_choose_meal_choose_dish_confirm(client, world, sign_in, menu):
    resident = world.person(Role.RESIDENT, name="王桂兰")
    sign_in.resident(resident)
    meals = html(client.get(f"/canteen/residents/{resident.id}"))
    day = meals.select_one("a.day-picker__day[aria-current]")
    assert day["href"].endswith(f"?day={menu.day.isoformat()}")
    dishes = html(client.get(day["href"]))
    assert "Soft" in dishes.get_text() and "¥12.00" in dishes.get_text()
    check_url = dishes.select_one("a.dish")["href"]
    check = html(client.get(check_url))
    assert check.h1.get_text() == "Check your booking" and "Braised pork" in check.get_text()
    response = client.post(check_url, data={"mode": "dine_in"})
    assert response.status_code == 303 and _count() == 1
    confirmation = html(client.get(response.headers["Location"]))
    assert "Reference B" in confirmation.get_text() and "¥12.00" in confirmation.get_text()
    again = client.post(check_url, data={"mode": "pick_up"})
    assert again.headers["Location"] == response.headers["Location"] and _count() == 1


def test_the_last_portion_taken_shows_just_sold_out(client, world, sign_in, menu):
    first, second = world.person(Role.RESIDENT), world.person(Role.RESIDENT)
    dish = menu.dishes[0]
    sign_in.resident(first)
    client.post(
        f"/canteen/residents/{first.id}/meals/{menu.id}/dishes/{dish.id}", data={"mode": "dine_in"}
    )
    sign_in.out()
    sign_in.resident(second)
    response = client.post(
        f"/canteen/residents/{second.id}/meals/{menu.id}/dishes/{dish.id}", data={"mode": "dine_in"}
    )
    assert response.status_code == 422 and "Just sold out" in text_of(response)
    assert _count() == 1


def test_family_books_for_a_linked_parent_only(client, world, sign_in, menu):
    resident, family = (
        world.person(Role.RESIDENT, name="王桂兰"),
        world.person(Role.FAMILY, name="李娜"),
    )
    decide_link(request_link(family, resident.resident_code, "daughter"), resident, approve=True)
    stranger = world.person(Role.RESIDENT)
    sign_in.password(family)
    dish = menu.dishes[1]
    assert client.get(f"/canteen/residents/{stranger.id}").status_code == 403
    assert (
        client.post(
            f"/canteen/residents/{stranger.id}/meals/{menu.id}/dishes/{dish.id}",
            data={"mode": "dine_in"},
        ).status_code
        == 403
    )
    client.post(
        f"/canteen/residents/{resident.id}/meals/{menu.id}/dishes/{dish.id}",
        data={"mode": "dine_in"},
    )
    sign_in.out()
    sign_in.resident(resident)
    page = html(client.get(f"/canteen/residents/{resident.id}/bookings"))
    assert "Booked by your daughter 李娜" in page.get_text()
    sign_in.out()
    sign_in.password(family)
    page = html(client.get(f"/canteen/residents/{resident.id}/bookings"))
    assert "Booked by you" in page.get_text()


def test_tampered_ids_and_mode_are_refused(client, world, sign_in, menu):
    resident = world.person(Role.RESIDENT)
    other = Canteen(community=world.community, name="别的食堂")
    db.session.add(other)
    db.session.commit()
    sign_in.resident(resident)
    base = f"/canteen/residents/{resident.id}/meals/{menu.id}"
    assert client.get(f"{base}/dishes/99999").status_code == 404
    assert client.get(f"/canteen/residents/{resident.id}/meals/99999").status_code == 404
    page = html(client.post(f"{base}/dishes/{menu.dishes[0].id}", data={"mode": "teleport"}))
    assert page.select_one("#mode-error") and _count() == 0


def test_cancel_until_cutoff(client, world, sign_in, menu):
    resident = world.person(Role.RESIDENT)
    sign_in.resident(resident)
    dish = menu.dishes[0]
    client.post(
        f"/canteen/residents/{resident.id}/meals/{menu.id}/dishes/{dish.id}",
        data={"mode": "dine_in"},
    )
    booking = db.session.scalar(select(Booking))
    bookings = html(client.get(f"/canteen/residents/{resident.id}/bookings"))
    link = bookings.select_one(f"a[href='/canteen/bookings/{booking.id}/cancel']")
    # One tap asks first, and nothing has changed yet.
    ask = html(client.get(link["href"]))
    assert ask.select_one("h1").get_text() == "Cancel this booking?"
    assert booking.reference in ask.get_text()
    db.session.expire_all()
    assert db.session.get(MealDay, menu.id).booked == 1
    form = ask.select_one(f"form[action='{link['href']}']")
    response = client.post(form["action"], follow_redirects=True)
    assert "Your booking is cancelled" in text_of(response)
    db.session.expire_all()
    assert db.session.get(MealDay, menu.id).booked == 0
    # Asking again says it is already cancelled rather than asking.
    again = client.get(link["href"], follow_redirects=True)
    assert "This booking was already cancelled" in text_of(again)


def test_resident_home_shows_todays_meals(app, client, world, sign_in, menu):
    menu.day = menu.day - timedelta(days=1)
    db.session.commit()
    sign_in.resident(world.person(Role.RESIDENT))
    tile = html(client.get("/resident")).select_one("a.tile--primary")
    text = " ".join(tile.get_text().split())
    assert "Today's lunch" in text
    assert "Braised pork Soft ¥12.00" in text  # name, diet tag, this resident's price
    assert "青菜 ¥6.40" in text


def test_days_switch_as_a_page_and_as_a_fragment(client, world, sign_in, menu, htmx):
    later = MealDay(
        service=menu.service, day=menu.day + timedelta(days=2), published=True, capacity=5
    )
    db.session.add_all([later, Dish(meal_day=later, name_zh_hans="饺子", price_fen=1000)])
    db.session.commit()
    resident = world.person(Role.RESIDENT)
    sign_in.resident(resident)
    url = f"/canteen/residents/{resident.id}?day={later.day.isoformat()}"
    page = html(client.get(url))
    assert page.select_one("a.day-picker__day[aria-current]")["href"] == url
    assert "饺子" in page.get_text() and "红烧肉" not in page.get_text()
    response = htmx("get", url, target="canteen-panel")
    fragment = html(response)
    # The fragment is the page's whole content, with its title: no <html>, one heading.
    assert fragment.select_one("#canteen-panel") and not fragment.select_one("html")
    assert fragment.title.get_text() == "Book a meal – Linli"
    assert len(fragment.select("h1")) == 1
    assert "饺子" in fragment.get_text()
    assert fragment.select_one("[data-announce]")["data-announce"].startswith("The menu for")
    assert "HX-Target" in response.headers["Vary"]
    check = html(htmx("get", fragment.select_one("a.dish")["href"], target="canteen-panel"))
    assert [h1.get_text() for h1 in check.select("h1")] == ["Check your booking"]
    assert check.title.get_text() == "Check your booking – Linli"


def test_a_day_without_a_menu_says_so_and_shows_the_first_day(client, world, sign_in, menu):
    resident = world.person(Role.RESIDENT)
    sign_in.resident(resident)
    for day in ("2020-01-01", "not-a-date"):
        page = html(client.get(f"/canteen/residents/{resident.id}?day={day}"))
        assert "There is no menu for that day" in page.get_text()
        assert page.select_one("a.day-picker__day[aria-current]")["href"].endswith(
            menu.day.isoformat()
        )


def test_a_hidden_meal_or_a_dish_of_another_day_cannot_be_booked(client, world, sign_in, menu):
    other_day = MealDay(service=menu.service, day=menu.day + timedelta(days=1), capacity=5)
    other_dish = Dish(meal_day=other_day, name_zh_hans="饺子", price_fen=1000)
    db.session.add_all([other_day, other_dish])
    db.session.commit()
    resident = world.person(Role.RESIDENT)
    sign_in.resident(resident)
    base = f"/canteen/residents/{resident.id}/meals"
    assert client.get(f"{base}/{other_day.id}").status_code == 404  # not published
    assert client.post(f"{base}/{other_day.id}/dishes/{other_dish.id}").status_code == 404
    wrong = client.post(f"{base}/{menu.id}/dishes/{other_dish.id}", data={"mode": "dine_in"})
    assert wrong.status_code == 404
    assert _count() == 0
