"""Deeds staff record for service points: a volunteer's kitchen shift (canteen staff), the
helpers of an activity (its organiser), and a meal voucher taken at the counter for a walk-in
meal; who may do each, what is refused and why, and that each deed is saved once and audited."""

from datetime import date, timedelta

import pytest
from babel.dates import format_date
from sqlalchemy import func, select

from portal.accounts.models import Role
from portal.activities.models import SignUp
from portal.audit.models import AuditEntry
from portal.canteen.models import Booking, Canteen, Dish
from portal.community.models import Community
from portal.extensions import db
from portal.points import services as points
from portal.points import vouchers
from portal.points.models import ServiceRecord, Voucher, VoucherKind, VoucherStatus
from tests.clock import shanghai
from tests.helpers import html, text_of

# Every test here reads "today" at the canteen or whether an activity has started: each sets the
# clock to 10:30 in Shanghai on the suite's day, before lunch, whatever day the suite runs.
pytestmark = pytest.mark.clock_at(10, 30)


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("linli_lang", "en")


@pytest.fixture
def place(world) -> Canteen:
    """The community canteen serving today: pork at lunch, noodles at dinner; 20 % off from 60."""
    return world.canteen_serving([world.community.today()], senior_discount_percent=20)


@pytest.fixture
def staff(world):
    return world.person(Role.CANTEEN_STAFF, name="张师傅")


@pytest.fixture
def elsewhere(world) -> Community:
    other = Community(name="别的社区", hotline="0871-62222222", street_office=world.street)
    db.session.add(other)
    db.session.commit()
    return other


def _audited(action: str) -> list[int]:
    """The subjects of the audit entries of action."""
    query = select(AuditEntry.subject_id).where(AuditEntry.action == action)
    return list(db.session.scalars(query.order_by(AuditEntry.id)))


def _errors(response) -> str:
    summary = html(response).select_one(".error-summary")
    return " ".join(summary.get_text(" ").split()) if summary else ""


# Kitchen shifts ---------------------------------------------------------------------------------


def test_only_the_canteens_staff_and_admins_record_kitchen_shifts(
    client, world, sign_in, place, elsewhere
):
    url = f"/points/staff/kitchen/{place.id}"
    assert "/sign-in" in client.get(url).headers["Location"]
    outsider = world.person(Role.CANTEEN_STAFF, community=elsewhere)
    for person, status in (
        (world.person(Role.VOLUNTEER), 403),
        (world.person(Role.ORGANISER), 403),
        (outsider, 404),
        (world.person(Role.ADMIN), 200),
    ):
        sign_in.as_(person)
        assert client.get(url).status_code == status
        assert client.post(url, data={}).status_code in (status, 422)
        sign_in.out()


def test_a_shift_is_recorded_once_audited_and_listed(client, world, sign_in, place, staff):
    helper = world.person(Role.VOLUNTEER, name="王芳")
    today = place.community.today()
    sign_in.password(staff)
    shift = {"helper": helper.id, "day": today.isoformat(), "meal": "lunch", "hours": "2.5"}
    saved = client.post(f"/points/staff/kitchen/{place.id}", data=shift)
    assert saved.status_code == 303
    page = client.get(saved.headers["Location"])
    said = f"Shift recorded: 王芳, Lunch, {format_date(today, 'long', locale='en')}."
    assert said in html(page).select_one("#status").get_text()
    [row] = html(page).select("main table tbody tr")
    assert [cell.get_text(strip=True) for cell in row.select("th, td")][::2] == ["王芳", "Lunch"]
    assert row.select("td")[-1].get_text() == "2.5"
    db.session.expire_all()
    assert points.balance(helper, world.community.id) == 15
    assert db.session.scalar(select(ServiceRecord.minutes)) == 150
    assert _audited("points.shift_recorded") == [helper.id]
    again = client.post(f"/points/staff/kitchen/{place.id}", data=shift)
    assert again.status_code == 422
    assert said.replace("Shift recorded", "This shift is recorded already") in _errors(again)
    assert html(again).title.get_text().startswith("Error:")
    db.session.expire_all()
    assert points.balance(helper, world.community.id) == 15
    assert _audited("points.shift_recorded") == [helper.id]


def test_the_volunteers_are_the_communitys_non_staff_in_pinyin_order(
    client, world, sign_in, place, staff, elsewhere
):
    for name in ("张伟", "王芳", "李娜"):
        world.person(Role.VOLUNTEER, name=name)
    world.person(Role.VOLUNTEER, Role.GRID_WORKER, name="安静")  # staff: works shifts as work
    world.person(Role.VOLUNTEER, name="白云", community=elsewhere)
    sign_in.password(staff)
    page = html(client.get(f"/points/staff/kitchen/{place.id}"))
    names = [option.get_text() for option in page.select("#helper option")][1:]
    assert names == ["李娜", "王芳", "张伟"]
    assert page.select_one("#day")["value"] == place.community.today().isoformat()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"helper": ""}, "Choose the volunteer who helped."),
        ({"helper": "999999"}, "Choose the volunteer who helped."),
        ({"day": "tomorrow"}, "Enter a date like 2026-03-01."),
        ({"day": 1}, "Enter a day in the last 31 days, today at the latest."),
        ({"day": -32}, "Enter a day in the last 31 days, today at the latest."),
        ({"meal": "breakfast"}, "Choose lunch or dinner."),
        ({"hours": ""}, "Enter how many hours they helped."),
        ({"hours": "two"}, "Enter the hours as a number, like 3 or 2.5."),
        ({"hours": "NaN"}, "Enter the hours as a number, like 3 or 2.5."),
        ({"hours": "0.3"}, "Enter from 0.5 to 12 hours, in half hours."),
        ({"hours": "12.5"}, "Enter from 0.5 to 12 hours, in half hours."),
    ],
)
def test_a_shift_that_cannot_be_recorded_says_why(
    client, world, sign_in, place, staff, change, message
):
    helper = world.person(Role.VOLUNTEER, name="王芳")
    today = place.community.today()
    if isinstance(change.get("day"), int):
        change = {"day": (today + timedelta(days=change["day"])).isoformat()}
    shift = {"helper": helper.id, "day": today.isoformat(), "meal": "lunch", "hours": "3"}
    sign_in.password(staff)
    response = client.post(f"/points/staff/kitchen/{place.id}", data={**shift, **change})
    assert response.status_code == 422
    assert message in _errors(response)
    assert db.session.scalar(select(func.count()).select_from(ServiceRecord)) == 0


def test_the_kitchen_sheet_links_to_the_shifts(client, sign_in, place, staff):
    sign_in.password(staff)
    page = html(client.get(f"/canteen/staff/{place.id}/kitchen"))
    link = page.select_one(f"a[href='/points/staff/kitchen/{place.id}']")
    assert link.get_text() == "Record a volunteer's kitchen shift"


# Helpers of an activity -------------------------------------------------------------------------


def _started_event(world, organiser=None, minutes_ago: int = 30):
    """An activity of two hours in the world's community that started minutes_ago."""
    starts = shanghai(10, 30) - timedelta(minutes=minutes_ago)
    return world.event(starts.replace(tzinfo=None), "太极拳", hours=2, organiser=organiser)


def test_only_the_events_organiser_and_the_communitys_admins_credit_helpers(
    client, world, sign_in, elsewhere
):
    organiser = world.person(Role.ORGANISER, name="孙丽")
    event = _started_event(world, organiser)
    url = f"/points/staff/activities/{event.id}/helpers"
    for person, status in (
        (world.person(Role.ORGANISER), 403),  # organises the community, not this activity
        (world.person(Role.ORGANISER, community=elsewhere), 404),
        (world.person(Role.ADMIN, community=elsewhere), 404),
        (world.person(Role.CANTEEN_STAFF), 403),
        (world.person(Role.ADMIN), 200),
        (organiser, 200),
    ):
        sign_in.as_(person)
        assert client.get(url).status_code == status
        sign_in.out()


def test_the_organiser_credits_every_helper_at_once(client, world, sign_in, elsewhere):
    organiser = world.person(Role.ORGANISER, name="孙丽")
    event = _started_event(world, organiser)
    ours = [world.person(Role.VOLUNTEER, name=name) for name in ("王芳", "李娜")]
    visitor = world.person(Role.VOLUNTEER, name="白云", community=elsewhere)
    world.person(Role.VOLUNTEER, name="周强", community=elsewhere)  # did not sign up
    db.session.add(
        SignUp(
            event_id=event.id, resident_id=visitor.id, signed_up_by_id=visitor.id, status="going"
        )
    )
    db.session.commit()
    url = f"/points/staff/activities/{event.id}/helpers"
    sign_in.password(organiser)
    page = html(client.get(url))
    offered = [label.get_text(strip=True) for label in page.select(".choice__label")]
    assert offered == ["白云", "李娜", "王芳"]
    refused = client.post(url, data={})
    assert refused.status_code == 422
    assert "Choose at least one person who helped." in _errors(refused)
    saved = client.post(url, data={"helpers": [ours[0].id, visitor.id]})
    assert saved.status_code == 303
    page = html(client.get(url))
    assert "2 helpers credited." in page.select_one("#status").get_text()
    assert [label.get_text(strip=True) for label in page.select(".choice__label")] == ["李娜"]
    done = [" ".join(item.get_text(" ").split()) for item in page.select("main ul li")][-2:]
    assert done == ["Credited 白云", "Credited 王芳"]
    db.session.expire_all()
    assert points.balance(ours[0], world.community.id) == 10
    assert points.balance(ours[1], world.community.id) == 0
    assert sorted(_audited("points.helpers_credited")) == sorted([ours[0].id, visitor.id])
    # The same helper sent again (a second tab) is credited once.
    assert client.post(url, data={"helpers": [ours[0].id]}).status_code == 422
    db.session.expire_all()
    assert points.balance(ours[0], world.community.id) == 10


def test_helpers_are_credited_only_once_the_activity_has_started(client, world, sign_in):
    organiser = world.person(Role.ORGANISER, name="孙丽")
    event = _started_event(world, organiser, minutes_ago=-60)  # starts in an hour
    helper = world.person(Role.VOLUNTEER, name="王芳")
    url = f"/points/staff/activities/{event.id}/helpers"
    sign_in.password(organiser)
    page = client.get(url)
    said = "You can credit the helpers once the activity has started."
    assert page.status_code == 200 and said in text_of(page)
    assert not html(page).select(f"form[action='{url}']")
    refused = client.post(url, data={"helpers": [helper.id]})
    assert refused.status_code == 422 and said in html(refused).select_one("#status").get_text()
    db.session.expire_all()
    assert points.balance(helper, world.community.id) == 0
    assert _audited("points.helpers_credited") == []


def test_the_organisers_event_page_links_to_the_helpers(client, world, sign_in):
    organiser = world.person(Role.ORGANISER, name="孙丽")
    event = _started_event(world, organiser)
    sign_in.password(organiser)
    page = html(client.get(f"/activities/organise/events/{event.id}"))
    link = page.select_one(f"a[href='/points/staff/activities/{event.id}/helpers']")
    assert link.get_text() == "Credit the helpers"


# Meal vouchers at the counter -------------------------------------------------------------------


@pytest.fixture
def holder(world):
    return world.person(Role.RESIDENT, name="王秀英", birth_date=date(1950, 5, 1))


def _voucher(world, holder, key="k", **values) -> Voucher:
    """A voucher holder got for points: a lunch voucher up to ¥15.00 unless values say otherwise."""
    today = world.community.today()
    kind = VoucherKind(
        community_id=world.community.id,
        name=values.pop("name", "午餐券"),
        use=values.pop("use", "meal"),
        value_fen=values.pop("value_fen", 1500),
        points=50,
        valid_from=values.pop("valid_from", today - timedelta(days=30)),
        valid_until=values.pop("valid_until", today + timedelta(days=30)),
        **values,
    )
    db.session.add(kind)
    db.session.commit()
    points.earn(holder, world.community.id, 50, f"gift:{key}:person:{holder.id}")
    return vouchers.redeem(holder, kind, key)


def _pork(place) -> Dish:
    return db.session.scalar(select(Dish).where(Dish.name_en == "Braised pork"))


def test_the_counter_takes_a_meal_voucher_for_a_walk_in_meal(
    client, world, sign_in, place, staff, holder
):
    voucher = _voucher(world, holder)
    base = f"/points/staff/counter/{place.id}/voucher"
    sign_in.password(staff)
    assert html(client.get(base)).select_one("#reference")
    found = client.get(base, query_string={"reference": f"q{voucher.id}"})
    facts = text_of(found)
    assert found.status_code == 200
    assert "王秀英" in facts and "午餐券" in facts and voucher.reference in facts
    dishes = [label.get_text(strip=True) for label in html(found).select(".choice__label")]
    assert dishes == ["Lunch · Braised pork", "Dinner · Beef noodles"]
    unchosen = client.get(f"{base}/check", query_string={"reference": voucher.reference})
    assert unchosen.status_code == 422
    assert "Choose the meal the voucher pays for." in _errors(unchosen)
    pork = _pork(place)
    check = client.get(
        f"{base}/check", query_string={"reference": voucher.reference, "dish": pork.id}
    )
    # Aged 75: 20 % off the ¥15.00 pork; the voucher pays up to ¥15.00.
    assert "The voucher pays ¥12.00; to pay ¥0.00" in text_of(check)
    taken = client.post(f"{base}/take", data={"reference": voucher.reference, "dish": pork.id})
    assert taken.status_code == 303
    done = client.get(taken.headers["Location"])
    assert done.status_code == 200 and f"Reference {voucher.reference}" in text_of(done)
    db.session.expire_all()
    assert db.session.get(Voucher, voucher.id).status == VoucherStatus.USED
    assert _audited("points.voucher_used") == [holder.id]
    listed = html(client.get(base)).select("main table tbody tr")
    assert [row.th.get_text() for row in listed] == ["王秀英"]
    again = client.post(f"{base}/take", data={"reference": voucher.reference, "dish": pork.id})
    assert again.status_code == 422
    assert f"Voucher {voucher.reference} was used already." in _errors(again)
    assert _audited("points.voucher_used") == [holder.id]


def test_a_voucher_the_counter_cannot_take_is_explained(
    client, world, sign_in, place, staff, holder
):
    today = world.community.today()
    goods = _voucher(world, holder, "g", use="goods", name="理发券")
    ended = _voucher(world, holder, "e")
    ended.kind.valid_until = today - timedelta(days=1)  # got while it was valid, not used in time
    db.session.commit()
    later = _voucher(world, holder, "l", valid_from=today + timedelta(days=1))
    base = f"/points/staff/counter/{place.id}/voucher"
    sign_in.password(staff)
    for reference, message in (
        ("", "Enter the reference on the voucher, like Q000012."),
        ("Q999999", "There is no voucher Q999999 in this community."),
        (goods.reference, f"Voucher {goods.reference} (理发券) is not for meals."),
        (ended.reference, f"Voucher {ended.reference} ran out on"),
        (later.reference, f"Voucher {later.reference} can be used from"),
    ):
        response = client.get(base, query_string={"reference": reference})
        assert response.status_code == 422, reference
        assert message in _errors(response)
        assert html(response).title.get_text().startswith("Error:")
    taken = client.post(
        f"{base}/take", data={"reference": goods.reference, "dish": _pork(place).id}
    )
    assert taken.status_code == 422
    assert (
        db.session.scalar(select(func.count()).select_from(Voucher).where(Voucher.status == "used"))
        == 0
    )


def test_a_voucher_taken_at_another_counter_a_moment_ago_is_refused(
    client, world, sign_in, place, staff, holder, monkeypatch
):
    voucher = _voucher(world, holder)

    def taken_meanwhile(voucher, *args, **kwargs):
        raise vouchers.NotUsable(voucher.id)

    monkeypatch.setattr(vouchers, "use_at_counter", taken_meanwhile)
    sign_in.password(staff)
    taking = {"reference": voucher.reference, "dish": _pork(place).id}
    refused = client.post(f"/points/staff/counter/{place.id}/voucher/take", data=taking)
    assert refused.status_code == 422
    assert f"Voucher {voucher.reference} was used already." in _errors(refused)


def test_only_the_canteens_staff_take_vouchers(client, world, sign_in, place, holder, elsewhere):
    voucher = _voucher(world, holder)
    base = f"/points/staff/counter/{place.id}/voucher"
    for person, status in (
        (world.person(Role.VOLUNTEER), 403),
        (world.person(Role.CANTEEN_STAFF, community=elsewhere), 404),
    ):
        sign_in.as_(person)
        assert client.get(base).status_code == status
        taking = {"reference": voucher.reference, "dish": _pork(place).id}
        assert client.post(f"{base}/take", data=taking).status_code == status
        sign_in.out()
    assert db.session.get(Voucher, voucher.id).status == VoucherStatus.HELD


def test_the_counter_and_kitchen_show_what_vouchers_paid(
    client, world, sign_in, place, staff, holder
):
    pork = _pork(place)
    booking = Booking(
        meal_day_id=pork.meal_day_id,
        dish_id=pork.id,
        resident_id=holder.id,
        booked_by_id=holder.id,
        mode="dine_in",
        price_fen=1500,
        paid_with="Q000042",
        paid_with_fen=1000,
    )
    db.session.add(booking)
    db.session.commit()
    sign_in.password(staff)
    page = html(client.get(f"/canteen/staff/{place.id}/counter"))
    to_pay = page.select_one(f"#booking-{booking.id} td[data-label='To pay']")
    assert " ".join(to_pay.get_text(" ").split()) == "¥5.00 Voucher Q000042"
    figures = {div.dt.get_text(): div.dd.get_text() for div in page.select("#counter-totals div")}
    assert figures["Paid by voucher"] == "1"
    link = page.select_one(f"a[href='/points/staff/counter/{place.id}/voucher']")
    assert link.get_text() == "Take a meal voucher for a walk-in meal"
    sheet = html(client.get(f"/canteen/staff/{place.id}/kitchen")).select("section.kitchen-meal")[0]
    heading = [th.get_text() for th in sheet.select("table")[0].select("thead th")]
    assert heading[-1] == "Paid by voucher"
    assert sheet.select_one("tbody tr td:last-child").get_text() == "1"
