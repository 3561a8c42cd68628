"""A person's points pages: the balance with its movements in words, vouchers held, hours of
service and the certificate; getting a voucher (check, then one confirmation, once); and paying a
booked meal with it, the check page showing the price after the voucher."""

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal.accounts.models import Role
from portal.canteen.models import Booking
from portal.community.models import today_in
from portal.config import DEFAULT_TIMEZONE
from portal.extensions import db
from portal.points import rules, vouchers
from portal.points import services as points
from portal.points.models import Voucher, VoucherKind
from tests.helpers import html


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("linli_lang", "en")


@pytest.fixture
def tomorrow(app):
    with app.test_request_context():
        return today_in(DEFAULT_TIMEZONE) + timedelta(days=1)


@pytest.fixture
def meal_voucher(world, tomorrow):
    kind = VoucherKind(
        community_id=world.community.id,
        name="爱心午餐券",
        use="meal",
        value_fen=1500,
        points=50,
        valid_from=tomorrow - timedelta(days=30),
        valid_until=tomorrow + timedelta(days=30),
        per_person=3,
    )
    db.session.add(kind)
    db.session.commit()
    return kind


def text_of(element) -> str:
    return " ".join(element.get_text(" ", strip=True).split())


def _earn(person, world, amount=120):
    points.earn(person, world.community.id, amount, f"test:{person.id}")


def test_the_points_page_says_each_movement_in_words(client, world, people, sign_in, meal_voucher):
    volunteer = people.volunteer
    event = world.event(datetime(2026, 3, 2, 1, 0), "敬老院义演", hours=2)
    rules.helped_at(event, [volunteer], event.organiser)
    rules.award(volunteer, world.community.id, 60, "春节慰问帮忙", "k-1", people.admin)
    vouchers.redeem(volunteer, meal_voucher, "r-1")
    sign_in.password(volunteer)
    page = html(client.get("/points/"))
    assert page.h1.get_text() == "My points"
    assert text_of(page.select_one(".facts .key-figure")) == "20"
    words = [text_of(item) for item in page.select(".movements__item")]
    assert words[0].startswith("−50 For a voucher: 爱心午餐券")
    assert words[1].startswith("+60 Awarded: 春节慰问帮忙")
    assert words[2].startswith("+10 For helping at 敬老院义演")
    assert "Hours of service to date 2" in text_of(page.select_one(".facts"))
    [card] = page.select(".card-list .card")
    assert "爱心午餐券" in card.get_text() and "A canteen meal up to ¥15.00" in card.get_text()


def test_a_voucher_is_got_after_a_check_once_per_confirmation(
    client, world, people, sign_in, meal_voucher
):
    volunteer = people.volunteer
    _earn(volunteer, world)
    sign_in.password(volunteer)
    shop = html(client.get("/points/vouchers"))
    link = shop.select_one(".card a.button")
    assert link.get_text() == "Get 爱心午餐券" and "50 points" in shop.get_text()
    check = html(client.get(link["href"]))
    facts = text_of(check.select_one(".facts"))
    assert "Your points now 120" in facts and "Your points after 70" in facts
    key = check.select_one("input[name=key]")["value"]
    got = client.post(link["href"], data={"key": key})
    again = client.post(link["href"], data={"key": key})
    assert got.status_code == 303 and again.headers["Location"] == got.headers["Location"]
    page = html(client.get(got.headers["Location"]))
    voucher = db.session.scalar(select(Voucher))
    assert (
        f"Voucher {voucher.reference}" in page.get_text() and "Points left: 70" in page.get_text()
    )
    assert db.session.scalar(select(func.count()).select_from(Voucher)) == 1
    assert points.balance(volunteer, world.community.id) == 70


def test_a_voucher_beyond_ones_points_is_refused_in_words(
    client, world, people, sign_in, meal_voucher
):
    _earn(people.volunteer, world, 30)
    sign_in.password(people.volunteer)
    check = html(client.get(f"/points/vouchers/{meal_voucher.id}"))
    assert "You have 30 points; this voucher costs 50." in check.get_text()
    assert not check.select("main form[action^='/points']")
    refused = client.post(f"/points/vouchers/{meal_voucher.id}", data={"key": "abc"})
    assert refused.status_code == 422
    assert "You have 30 points; this voucher costs 50." in refused.text
    assert points.balance(people.volunteer, world.community.id) == 30


def test_a_resident_books_lunch_with_a_voucher_and_pays_nothing(
    client, world, sign_in, meal_voucher, tomorrow
):
    menu = world.lunch(
        tomorrow,
        {"name_zh_hans": "红烧肉", "name_en": "Braised pork", "price_fen": 1500},
        senior_discount_percent=20,
    )
    resident = world.person(Role.RESIDENT, name="王桂兰", birth_date=date(1945, 5, 1))
    _earn(resident, world)
    voucher = vouchers.redeem(resident, meal_voucher, "r-1")
    sign_in.resident(resident)
    url = f"/canteen/residents/{resident.id}/meals/{menu.id}/dishes/{menu.dishes[0].id}"
    check = html(client.get(url))
    facts = text_of(check.select_one(".facts"))
    assert "Price ¥12.00" in facts and f"With voucher {voucher.reference} ¥0.00" in facts
    choices = [text_of(label) for label in check.select("input[name=pay] + .choice__label")]
    assert choices == [
        f"爱心午餐券 {voucher.reference}: you pay ¥0.00",
        "Money at the counter: ¥12.00",
    ]
    assert check.select_one("input[name=pay][checked]")["value"] == f"voucher:{voucher.id}"
    done = client.post(url, data={"mode": "dine_in", "pay": f"voucher:{voucher.id}"})
    assert done.status_code == 303
    booked = html(client.get(done.headers["Location"]))
    assert "To pay at the counter: ¥0.00" in booked.get_text()
    assert f"Voucher {voucher.reference} pays ¥12.00." in booked.get_text()
    booking = db.session.scalar(select(Booking))
    assert booking.paid_with == voucher.reference and booking.to_pay_fen == 0
    # Cancelled before the cut-off: the voucher is held again, and shows on the points page.
    client.post(f"/canteen/bookings/{booking.id}/cancel")
    db.session.expire_all()
    assert db.session.get(Voucher, voucher.id).status == "held"
    assert voucher.reference in html(client.get("/points/")).select_one(".card-list").get_text()


def test_money_can_still_be_chosen_and_a_used_voucher_is_refused(
    client, world, people, sign_in, meal_voucher, tomorrow
):
    menu = world.lunch(tomorrow, {"name_zh_hans": "青菜", "price_fen": 800})
    resident = people.resident
    _earn(resident, world)
    voucher = vouchers.redeem(resident, meal_voucher, "r-1")
    sign_in.password(people.family)
    url = f"/canteen/residents/{resident.id}/meals/{menu.id}/dishes/{menu.dishes[0].id}"
    asked = client.post(url, data={"mode": "dine_in"})
    assert asked.status_code == 422  # how to pay is asked
    staff = world.person(Role.CANTEEN_STAFF)
    vouchers.use_at_counter(voucher, menu.service.canteen, menu.dishes[0], staff)
    stale = client.post(url, data={"mode": "dine_in", "pay": f"voucher:{voucher.id}"})
    assert stale.status_code == 303 and stale.headers["Location"].endswith(url)
    again = html(client.get(url))
    assert "That voucher cannot pay for this meal any more." in again.get_text()
    assert not again.select("input[name=pay]")
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 0
    paid = client.post(url, data={"mode": "dine_in", "pay": "money"})
    assert paid.status_code == 303
    assert db.session.scalar(select(Booking)).paid_with is None


def test_the_certificate_lists_every_service_and_its_hours(client, world, people, sign_in):
    event = world.event(datetime(2026, 3, 2, 1, 0), "义诊", hours=3)
    rules.helped_at(event, [people.volunteer], event.organiser)
    sign_in.password(people.volunteer)
    page = html(client.get("/points/certificate"))
    assert "志愿者小张 has given 3 hours of voluntary service" in page.get_text()
    [row] = page.select("tbody tr")
    assert "Helping at 义诊" in row.get_text() and text_of(row.select("td")[-1]) == "Hours: 3"


def test_only_holders_see_points_and_only_their_own_vouchers(
    client, world, people, sign_in, meal_voucher
):
    _earn(people.resident, world)
    theirs = vouchers.redeem(people.resident, meal_voucher, "r-1")
    sign_in.password(people.worker)
    assert client.get("/points/").status_code == 403
    sign_in.password(people.volunteer)
    assert client.get(f"/points/vouchers/mine/{theirs.id}").status_code == 404
    assert client.get("/points/vouchers/999").status_code == 404


def test_points_are_given_to_a_neighbour_after_a_check_once(client, world, people, sign_in):
    volunteer, resident = people.volunteer, people.resident
    _earn(volunteer, world, 50)
    sign_in.password(volunteer)
    form = html(client.get("/points/give"))
    key = form.select_one("input[name=key]")["value"]
    fields = {"to": "neighbour", "who": resident.resident_code, "points": "20", "key": key}
    check = html(client.post("/points/give", data=fields))
    facts = text_of(check.select_one(".facts"))
    assert f"Who gets them {resident.name}" in facts and "Your points after 30" in facts
    confirm = {i["name"]: i["value"] for i in check.select("main form input[type=hidden]")}
    assert confirm["confirmed"] == "yes"
    done = client.post("/points/give", data=confirm)
    again = client.post("/points/give", data=confirm)
    assert done.status_code == 303 and again.status_code == 303
    assert points.balance(volunteer, world.community.id) == 30
    assert points.balance(resident, world.community.id) == 20
    page = html(client.get("/points/"))
    assert f"You gave 20 points to {resident.name}." in page.get_text()
    assert text_of(page.select_one(".movements__item")).startswith(f"−20 Given to {resident.name}")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"to": "neighbour", "who": "", "points": "5"}, "mobile number or resident code."),
        ({"to": "neighbour", "who": "999999", "points": "5"}, "No neighbour in your community"),
        ({"to": "pool", "points": "二十"}, "Enter the points as a whole number, like 20."),
        ({"to": "pool", "points": "80"}, "You have 50 points to give."),
        ({"to": "pool", "points": "0"}, "Enter a number of points from 1 to 10,000."),
    ],
)
def test_giving_refuses_in_words_and_moves_nothing(client, world, people, sign_in, fields, message):
    _earn(people.volunteer, world, 50)
    sign_in.password(people.volunteer)
    refused = client.post("/points/give", data={**fields, "key": "k"})
    assert refused.status_code == 422 and message in refused.text
    assert points.balance(people.volunteer, world.community.id) == 50


def test_points_given_to_the_pool(client, world, people, sign_in):
    from portal.points.models import AccountKind

    _earn(people.volunteer, world, 50)
    sign_in.password(people.volunteer)
    fields = {"to": "pool", "points": "15分", "key": "k", "confirmed": "yes"}
    assert client.post("/points/give", data=fields).status_code == 303
    assert points.account(world.community.id, AccountKind.POOL).balance == 15
    assert points.unbalanced() == []
