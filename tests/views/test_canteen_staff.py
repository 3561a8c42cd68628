"""Canteen set-up and the menu editor, as staff use them, with every bad input refused clearly."""

import io
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from portal.accounts.models import Role
from portal.audit.models import AuditEntry
from portal.canteen import menus
from portal.canteen import services as canteen
from portal.canteen.models import Canteen, Dish, DishPhoto, MealDay
from portal.community.models import Community, today_in
from portal.config import DEFAULT_TIMEZONE
from portal.extensions import db
from tests.helpers import html, text_of


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("linli_lang", "en")


@pytest.fixture
def place(world):
    return world.canteen(phone="0871-1234", senior_discount_percent=20)


@pytest.fixture
def staff(world, sign_in):
    person = world.person(Role.CANTEEN_STAFF, name="刘师傅")
    sign_in.password(person)
    return person


@pytest.fixture
def tomorrow(app):
    with app.test_request_context():
        return today_in(DEFAULT_TIMEZONE) + timedelta(days=1)


def _meal_url(place, day) -> str:
    return f"/canteen/staff/{place.id}/services/{place.services[0].id}/{day.isoformat()}"


def _dish_form(**changes) -> dict:
    return {
        "name_zh_hans": "红烧肉",
        "name_en": "Braised pork",
        "price": "15.00",
        "category": "rice",
        "tags": ["soft", "low_salt"],
        "portions": "",
        **changes,
    }


def _photo_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1200, 900), (200, 120, 40)).save(out, "JPEG")
    return out.getvalue()


def test_staff_see_their_canteens_with_links(client, staff, place):
    page = html(client.get("/canteen/staff/"))
    assert "幸福食堂" in page.text
    hrefs = {a["href"] for a in page.select("main a")}
    assert f"/canteen/staff/{place.id}/menus" in hrefs
    assert f"/canteen/staff/{place.id}/settings" in hrefs


def test_residents_and_other_communities_are_kept_out(client, world, sign_in, place):
    resident = world.person(Role.RESIDENT)
    sign_in.resident(resident)
    assert client.get(f"/canteen/staff/{place.id}/menus").status_code == 403
    sign_in.out()
    other = Community(name="别的社区", hotline="0871-2", street_office=world.street)
    db.session.add(other)
    db.session.commit()
    sign_in.password(world.person(Role.CANTEEN_STAFF, community=other))
    # Another community's canteen is not found, as if there were none.
    assert client.get(f"/canteen/staff/{place.id}/settings").status_code == 404
    assert client.get("/canteen/staff/new").status_code == 403  # only admins add canteens
    assert client.get("/canteen/staff/999/menus").status_code == 404


def test_price_tiers_are_saved_and_audited(client, staff, place):
    response = client.post(
        f"/canteen/staff/{place.id}/settings",
        data={
            "name": "幸福食堂",
            "phone": "0871-1234",
            "senior_age": "60",
            "discount": "fixed",
            "senior_price": "8",
            "free_age": "80",
            "free_needs_special_support": "y",
        },
    )
    assert response.status_code == 303
    db.session.refresh(place)
    assert (place.senior_price_fen, place.senior_discount_percent) == (800, None)
    assert db.session.scalar(select(AuditEntry.action)) == "canteen.changed"
    form = html(client.get(f"/canteen/staff/{place.id}/settings"))
    assert form.select_one("#discount-2")["checked"] is not None
    assert form.select_one("#senior_price")["value"] == "8.00"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"senior_price": "-5"}, "Enter a price from ¥0 to ¥500."),
        ({"senior_price": "99999"}, "Enter a price from ¥0 to ¥500."),
        ({"senior_price": "abc"}, "Enter an amount in yuan, like 12 or 12.50."),
        ({"senior_price": "1.234"}, "Enter an amount in yuan, like 12 or 12.50."),
        ({"senior_price": ""}, "Enter the fixed senior price."),
        ({"discount": "percent", "percent": "150"}, "Enter a percentage from 1 to 100."),
        ({"free_age": "300"}, "Enter an age from 60 to 120."),
        ({"name": ""}, "Enter the canteen's name."),
    ],
)
def test_absurd_prices_and_ages_are_refused(client, staff, place, changes, message):
    data = {
        "name": "幸福食堂",
        "senior_age": "60",
        "discount": "fixed",
        "senior_price": "8",
        "free_age": "80",
        **changes,
    }
    response = client.post(f"/canteen/staff/{place.id}/settings", data=data)
    assert response.status_code == 422
    assert message in text_of(response)
    db.session.refresh(place)
    assert (place.senior_discount_percent, place.senior_price_fen) == (20, None)  # nothing saved


def test_admin_adds_a_canteen_in_a_community(client, world, sign_in):
    sign_in.password(world.person(Role.ADMIN))
    response = client.post(
        "/canteen/staff/new",
        data={
            "community": str(world.community.id),
            "name": "新食堂",
            "senior_age": "60",
            "discount": "none",
            "free_age": "80",
        },
    )
    assert response.status_code == 303
    added = db.session.scalars(select(Canteen)).one()
    assert (added.name, added.senior_discount_percent, added.senior_price_fen) == (
        "新食堂",
        None,
        None,
    )


def test_meal_services_are_added_and_checked(client, staff, place):
    url = f"/canteen/staff/{place.id}/services/new"
    data = {
        "kind": "dinner",
        "serving_start": "17:00",
        "serving_end": "18:30",
        "cutoff": "15:00",
        "capacity": "30",
    }
    bad = client.post(url, data={**data, "cutoff": "17:30"})
    assert "booking must close by the time serving starts" in text_of(bad)
    assert "This canteen already has that meal" in text_of(
        client.post(url, data={**data, "kind": "lunch"})
    )
    assert "from 1 to 2000" in text_of(client.post(url, data={**data, "capacity": "-3"}))
    assert "from 1 to 2000" in text_of(client.post(url, data={**data, "capacity": "100000"}))
    assert client.post(url, data=data).status_code == 303
    assert sorted(s.kind for s in place.services) == ["dinner", "lunch"]


def test_a_dish_is_added_with_a_photo_and_the_meal_published(client, staff, place, tomorrow):
    url = _meal_url(place, tomorrow)
    assert "No dishes yet." in text_of(client.get(url))
    data = _dish_form(photo=(io.BytesIO(_photo_bytes()), "pork.jpg"))
    response = client.post(f"{url}/dishes", data=data, content_type="multipart/form-data")
    assert response.status_code == 303
    dish = db.session.scalars(select(Dish)).one()
    assert (dish.price_fen, dish.tags, dish.category, dish.name_en) == (
        1500,
        "soft,low_salt",
        "rice",
        "Braised pork",
    )
    assert dish.photo.width <= 480
    page = html(client.get(url))
    image = page.select_one("img.dish__photo")
    assert image["alt"] == "红烧肉"
    assert client.get(image["src"]).status_code == 200
    client.post(f"{url}/publish", data={"published": "1"})
    assert dish.meal_day.published


def test_bad_dishes_are_refused_with_what_was_typed_kept(client, staff, place, tomorrow):
    url = _meal_url(place, tomorrow)
    # The kind of dish is asked, not taken for "set meal" when nobody chose it.
    assert not html(client.get(url)).select("input[name=category][checked]")
    cases = [
        (_dish_form(name_zh_hans=""), "Enter the dish's name in Simplified Chinese."),
        (_dish_form(price="-1"), "Enter a price from ¥0 to ¥500."),
        (_dish_form(price="1e9"), "Enter a price from ¥0 to ¥500."),
        (_dish_form(price="十二"), "Enter an amount in yuan, like 12 or 12.50."),
        (_dish_form(portions="-2"), "from 0 to 2000"),
        ({k: v for k, v in _dish_form().items() if k != "category"}, "Choose the kind of dish."),
        (
            _dish_form(photo=(io.BytesIO(b"%PDF-1.4 not a picture"), "menu.jpg")),
            "This file is not a photo",
        ),
    ]
    for data, message in cases:
        response = client.post(f"{url}/dishes", data=data, content_type="multipart/form-data")
        assert response.status_code == 422, message
        assert message in text_of(response)
        assert html(response).select_one("#name_en")["value"] == "Braised pork"
    assert db.session.scalar(select(func.count()).select_from(Dish)) == 0
    assert db.session.scalar(select(func.count()).select_from(DishPhoto)) == 0


def test_a_past_day_cannot_change(client, staff, place, tomorrow):
    yesterday = tomorrow - timedelta(days=2)
    url = _meal_url(place, yesterday)
    assert "That day has passed" in text_of(client.get(url))
    response = client.post(f"{url}/dishes", data=_dish_form(), follow_redirects=True)
    assert "That day has passed" in text_of(response)
    assert db.session.scalar(select(func.count()).select_from(Dish)) == 0


def _booked_dish(world, staff_person, place, day, number):
    dish = menus.add_dish(
        staff_person, place.services[0], day, name_zh_hans="红烧肉", price_fen=1500
    )
    menus.publish(staff_person, dish.meal_day, True)
    for index in range(number):
        resident = world.person(Role.RESIDENT, name=f"居民{index}")
        canteen.book(resident, dish, "dine_in", resident)
    return dish


def test_capacity_below_what_is_booked_is_refused_with_the_count(
    client, world, staff, place, tomorrow
):
    dish = _booked_dish(world, staff, place, tomorrow, 3)
    url = _meal_url(place, tomorrow)
    response = client.post(f"{url}/capacity", data={"capacity": "2"})
    assert response.status_code == 422
    assert "3 portions are already booked" in text_of(response)
    assert db.session.get(MealDay, dish.meal_day_id).capacity == 40
    assert client.post(f"{url}/capacity", data={"capacity": "3"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(MealDay, dish.meal_day_id).capacity == 3


def test_a_booked_dish_is_not_removed_and_portions_not_cut_below_bookings(
    client, world, staff, place, tomorrow
):
    dish = _booked_dish(world, staff, place, tomorrow, 2)
    removed = client.post(
        f"/canteen/staff/{place.id}/dishes/{dish.id}/remove", follow_redirects=True
    )
    assert "2 residents have booked this dish" in text_of(removed)
    response = client.post(
        f"/canteen/staff/{place.id}/dishes/{dish.id}", data=_dish_form(portions="1")
    )
    assert response.status_code == 422
    assert "2 portions are already booked" in text_of(response)
    db.session.expire_all()
    assert db.session.get(Dish, dish.id).portions is None


def test_tampered_ids_of_another_canteen_are_not_found(client, world, staff, place, tomorrow):
    other = Canteen(community=world.community, name="第二食堂")
    db.session.add(other)
    db.session.commit()
    dish = _booked_dish(world, staff, place, tomorrow, 0)
    service_id = place.services[0].id
    assert client.get(f"/canteen/staff/{other.id}/dishes/{dish.id}").status_code == 404
    url = f"/canteen/staff/{other.id}/services/{service_id}/{tomorrow.isoformat()}"
    assert client.post(f"{url}/dishes", data=_dish_form()).status_code == 404
    assert (
        client.get(f"/canteen/staff/{place.id}/services/{service_id}/2026-02-31").status_code == 404
    )


def test_copy_last_week_then_publish_the_week(client, staff, place, tomorrow):
    monday = menus.week_start(tomorrow) + timedelta(days=7)
    menus.add_dish(
        staff, place.services[0], monday - timedelta(days=7), name_zh_hans="饺子", price_fen=1000
    )
    week = f"/canteen/staff/{place.id}/menus/{monday.isoformat()}"
    copied = client.post(f"{week}/copy", follow_redirects=True)
    assert "copied into 1 meal" in text_of(copied)
    again = client.post(f"{week}/copy", follow_redirects=True)
    assert "Nothing was copied" in text_of(again)
    published = client.post(f"{week}/publish", follow_redirects=True)
    assert "1 meal is now shown to residents" in text_of(published)
    page = text_of(client.get(f"/canteen/staff/{place.id}/menus?week={monday.isoformat()}"))
    assert page.count("饺子") == 1
    assert "Shown" in page
