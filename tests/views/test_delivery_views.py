"""Meal delivery for residents, their family and staff on their behalf: the overview, applying one
question per page, checking the answers, and pausing, resuming, changing days and stopping."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from portal.accounts.models import Role
from portal.audit.models import AuditEntry
from portal.canteen.models import Dish, MealDay
from portal.community.models import Community
from portal.delivery import services as deliveries
from portal.delivery.models import DeliveryEnrolment, DeliveryPause
from portal.extensions import db
from tests.helpers import html, text_of

STEPS = ("meals", "days", "start", "address", "diet", "phone")


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("linli_lang", "en")


@pytest.fixture
def place(world):
    """The community canteen, serving lunch and dinner, with a 20 % senior discount."""
    return world.canteen_serving(
        [], lunch_capacity=50, dinner_capacity=50, senior_discount_percent=20
    )


@pytest.fixture
def staff(world, place):
    return world.person(Role.CANTEEN_STAFF, name="食堂小陈")


def _today(place) -> date:
    return place.community.today()


def _url(resident, step: str) -> str:
    if step == "check":
        return f"/delivery/residents/{resident.id}/apply/check"
    return f"/delivery/residents/{resident.id}/apply/{step}"


def _first_on(place, weekdays) -> date:
    """The first day from tomorrow that falls on one of weekdays (0 is Monday)."""
    tomorrow = _today(place) + timedelta(days=1)
    return next(
        day for day in (tomorrow + timedelta(days=n) for n in range(7)) if day.weekday() in weekdays
    )


def _answers(place, **changes) -> dict:
    answers = {
        "meals": {"meals": ["lunch"]},
        "days": {"weekdays": ["0", "2", "4"]},
        "start": {"start": _first_on(place, (0, 2, 4)).isoformat(), "other_day": ""},
        "address": {"floor": "3", "has_lift": "no", "access_notes": ""},
        "diet": {"diet_tags": [], "diet_notes": ""},
        "phone": {"contact_phone": "13800138000"},
    }
    return {**answers, **changes}


def _answer_all(client, resident, place, **changes) -> None:
    """Answer every question; each answer leads on to the next question, the last to the check."""
    answers = _answers(place, **changes)
    for step, following in zip(STEPS, [*STEPS[1:], "check"], strict=True):
        response = client.post(_url(resident, step), data=answers[step])
        assert response.status_code == 303, (step, text_of(response))
        assert response.headers["Location"].endswith(_url(resident, following))


def _enrolments() -> list[DeliveryEnrolment]:
    return list(db.session.scalars(select(DeliveryEnrolment).order_by(DeliveryEnrolment.id)))


def _error(page, field: str) -> str:
    return " ".join(page.select_one(f"#{field}-error").get_text().split())


def _approved(resident, staff, place, weekdays=(0, 1, 2, 3, 4, 5, 6)) -> DeliveryEnrolment:
    answers = deliveries.Application(
        lunch=True,
        weekdays=list(weekdays),
        start_day=_today(place) + timedelta(days=1),
        floor=2,
        has_lift=True,
        contact_phone="13800138000",
    )
    enrolment, _created = deliveries.apply(resident, resident, answers)
    return deliveries.approve(enrolment, staff, enrolment.start_day)


def test_family_apply_for_a_linked_parent_one_question_at_a_time(client, people, sign_in, place):
    resident, family = people.resident, people.family
    resident.diet_notes = "不吃辣"
    resident.unit, resident.room = "2", "301"
    db.session.commit()
    sign_in.password(family)
    overview = html(client.get(f"/delivery/residents/{resident.id}"))
    assert overview.h1.get_text() == f"Meal delivery for {resident.name}"
    start = overview.select_one(f"a[href='{_url(resident, 'meals')}']")
    assert start.get_text() == "Apply for meal delivery"

    meals = html(client.get(_url(resident, "meals")))
    assert meals.select_one("legend h1").get_text() == "Which meals should be brought?"
    assert [box["value"] for box in meals.select("input[name=meals]")] == ["lunch", "dinner"]
    assert meals.select_one("a.back-link")["href"] == f"/delivery/residents/{resident.id}"
    client.post(_url(resident, "meals"), data={"meals": ["lunch", "dinner"]})
    client.post(_url(resident, "days"), data={"weekdays": ["0", "2", "4"]})

    # Only Mondays, Wednesdays and Fridays are offered for the first meal.
    start_page = html(client.get(_url(resident, "start")))
    options = start_page.select("input[name=start]")
    first = _first_on(place, (0, 2, 4))
    assert len(options) == 8 and options[0]["value"] == first.isoformat()
    offered = [date.fromisoformat(o["value"]) for o in options[:-1]]
    assert {day.weekday() for day in offered} <= {0, 2, 4} and offered == sorted(offered)
    tomorrow = _today(place) + timedelta(days=1)
    said = start_page.select_one("label[for=start-0]").get_text()
    assert said.startswith("Tomorrow, ") == (first == tomorrow)
    client.post(_url(resident, "start"), data={"start": first.isoformat()})

    address = html(client.get(_url(resident, "address")))
    assert "1号楼" in address.get_text() and "301" in address.get_text()
    assert not address.select("input[name=room], input[name=building]")
    assert address.select_one("input[name=has_lift][value=no]").has_attr("checked")
    # Room 301 says the floor: it is offered, to confirm or change.
    assert address.select_one("input[name=floor]")["value"] == "3"
    assert "Room 301 is on floor 3" in address.select_one("#floor-hint").get_text()
    client.post(
        _url(resident, "address"),
        data={"floor": "3楼", "has_lift": "no", "access_notes": "Ring twice"},
    )

    diet = html(client.get(_url(resident, "diet")))
    assert diet.select_one("textarea[name=diet_notes]").get_text().strip() == "不吃辣"
    client.post(
        _url(resident, "diet"), data={"diet_tags": ["soft", "low_salt"], "diet_notes": "不吃辣"}
    )

    phone = html(client.get(_url(resident, "phone")))
    box = phone.select_one("input[name=contact_phone]")
    assert box["value"] == family.phone and box["autocomplete"] == "tel"
    assert box["inputmode"] == "tel" and box["type"] == "tel"
    response = client.post(_url(resident, "phone"), data={"contact_phone": "138 0013 8000"})
    assert response.headers["Location"].endswith(_url(resident, "check"))

    check = html(client.get(_url(resident, "check")))
    text = " ".join(check.get_text().split())
    for words in (
        "Lunch and Dinner",
        "Monday, Wednesday, and Friday",
        first.strftime("%B"),
        "Floor 3 · No lift, only stairs",
        "Ring twice",
        "Soft and Low salt",
        "13800138000",
        "The senior price: 20% off each meal",
    ):
        assert words in text, words
    changes = [a["href"] for a in check.select("dd a.button")]
    assert changes == [f"{_url(resident, step)}?change=1" for step in STEPS]

    days = html(client.get(f"{_url(resident, 'days')}?change=1"))
    assert [box["value"] for box in days.select("input[name=weekdays][checked]")] == ["0", "2", "4"]
    assert days.select_one("a.back-link")["href"] == _url(resident, "check")
    response = client.post(f"{_url(resident, 'days')}?change=1", data={"weekdays": ["1", "3"]})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(_url(resident, "check"))

    # The first meal chosen may no longer fall on a chosen day: its question says so.
    refused = client.post(_url(resident, "check"))
    assert refused.status_code == 422
    assert "Meals come on Tuesday and Thursday only." in text_of(refused)
    later = _first_on(place, (1, 3))
    client.post(f"{_url(resident, 'start')}?change=1", data={"start": later.isoformat()})
    response = client.post(_url(resident, "check"))
    assert response.status_code == 303
    [enrolment] = _enrolments()
    assert response.headers["Location"].endswith(
        f"/delivery/residents/{resident.id}/enrolments/{enrolment.id}/applied"
    )
    assert (enrolment.lunch, enrolment.dinner, enrolment.weekdays) == (True, True, "1,3")
    assert (enrolment.start_day, enrolment.floor, enrolment.has_lift) == (later, 3, False)
    assert enrolment.access_notes == "Ring twice" and enrolment.diet_tags == "soft,low_salt"
    assert enrolment.diet_notes == "不吃辣" and enrolment.contact_phone == "13800138000"
    assert enrolment.applied_by_id == family.id and enrolment.status == "applied"

    applied = text_of(client.get(response.headers["Location"]))
    assert f"Reference {enrolment.reference}" in applied
    assert "usually within two working days, and calls 13800138000" in applied
    overview = html(client.get(f"/delivery/residents/{resident.id}"))
    assert "Waiting for the canteen to approve" in overview.get_text()
    assert enrolment.reference in overview.get_text()
    assert not overview.select_one(f"a[href='{_url(resident, 'meals')}']")
    assert "layout-remote" in overview.html["class"]


def test_a_resident_applies_for_themselves_on_the_kiosk_layout(client, world, sign_in, place):
    resident = world.person(Role.RESIDENT, name="张大爷")
    sign_in.resident(resident)
    home = html(client.get("/resident"))
    assert home.select_one(f"a.tile[href='/delivery/residents/{resident.id}']")
    page = html(client.get(f"/delivery/residents/{resident.id}"))
    assert page.h1.get_text() == "Meal delivery" and "layout-kiosk" in page.html["class"]
    _answer_all(client, resident, place)
    check = html(client.get(_url(resident, "check")))
    assert "layout-kiosk" in check.html["class"]
    assert "For" not in [term.get_text() for term in check.select("dt")]
    client.post(_url(resident, "check"))
    [enrolment] = _enrolments()
    assert enrolment.applied_by_id == resident.id and enrolment.weekdays == "0,2,4"


def test_staff_apply_on_a_residents_behalf_in_the_staff_layout(
    client, people, sign_in, place, staff
):
    resident = people.resident
    sign_in.password(staff)
    meals = html(client.get(_url(resident, "meals")))
    assert "layout-staff" in meals.html["class"]
    assert f"Meal delivery for {resident.name}" in meals.get_text()
    for step in STEPS[:-1]:
        client.post(_url(resident, step), data=_answers(place)[step])
    phone = html(client.get(_url(resident, "phone")))
    assert phone.select_one("input[name=contact_phone]").get("value", "") == ""
    client.post(_url(resident, "phone"), data={"contact_phone": "13800138000"})
    assert client.post(_url(resident, "check")).status_code == 303
    [enrolment] = _enrolments()
    assert enrolment.applied_by_id == staff.id
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "delivery.applied"))
    assert (entry.actor_id, entry.subject_id) == (staff.id, resident.id)
    overview = html(client.get(f"/delivery/residents/{resident.id}"))
    assert "layout-staff" in overview.html["class"] and "食堂小陈" in overview.get_text()


def test_people_who_cannot_apply_are_told_why_and_whom_to_call(client, world, sign_in, place):
    young = world.person(Role.RESIDENT, birth_date=_today(place).replace(year=1990))
    sign_in.resident(young)
    page = text_of(client.get(f"/delivery/residents/{young.id}"))
    assert "Meal delivery is for residents aged 60 and over." in page
    assert "please call the canteen on 0871-1234" in page
    assert "Apply for meal delivery" not in page
    response = client.get(_url(young, "meals"))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/delivery/residents/{young.id}")
    sign_in.out()

    homeless = world.person(Role.RESIDENT)
    homeless.building = None
    db.session.commit()
    sign_in.resident(homeless)
    page = text_of(client.get(f"/delivery/residents/{homeless.id}"))
    assert "We do not have your building and room yet" in page
    sign_in.out()

    db.session.delete(place.services[0])
    db.session.delete(place.services[1])
    db.session.delete(place)
    db.session.commit()
    elder = world.person(Role.RESIDENT)
    sign_in.resident(elder)
    page = text_of(client.get(f"/delivery/residents/{elder.id}"))
    assert "There is no community canteen for your home yet" in page
    assert "please call the community on 0871-61111111" in page


def test_a_missing_answer_sends_back_to_the_first_question_without_one(
    client, people, sign_in, place
):
    resident = people.resident
    sign_in.password(people.family)
    response = client.get(_url(resident, "address"))
    assert response.headers["Location"].endswith(_url(resident, "meals"))
    client.post(_url(resident, "meals"), data={"meals": ["dinner"]})
    assert client.get(_url(resident, "check")).headers["Location"].endswith(_url(resident, "days"))
    days = html(client.get(_url(resident, "days")))
    assert days.select_one("a.back-link")["href"] == _url(resident, "meals")


def test_no_weekday_is_refused_at_the_field_and_in_the_summary(client, people, sign_in, place):
    resident = people.resident
    sign_in.password(people.family)
    client.post(_url(resident, "meals"), data={"meals": ["lunch"]})
    response = client.post(_url(resident, "days"), data={})
    page = html(response)
    assert response.status_code == 422 and page.title.get_text().startswith("Error:")
    assert _error(page, "weekdays") == "Error: Choose at least one day of the week."
    assert "Choose at least one day of the week." in page.select_one(".error-summary").get_text()
    assert client.get(_url(resident, "start")).headers["Location"].endswith(_url(resident, "days"))


def test_a_first_day_in_the_past_or_unreadable_is_refused(client, people, sign_in, place):
    resident = people.resident
    sign_in.password(people.family)
    for step in ("meals", "days"):
        client.post(_url(resident, step), data=_answers(place)[step])
    yesterday = _today(place) - timedelta(days=1)
    page = html(
        client.post(
            _url(resident, "start"), data={"start": "other", "other_day": yesterday.isoformat()}
        )
    )
    assert "That day has passed" in _error(page, "other_day")
    page = html(client.post(_url(resident, "start"), data={"start": "other", "other_day": "tue"}))
    assert "Enter a date like 2026-03-01." in _error(page, "other_day")
    assert page.select_one("input[name=other_day]")["value"] == "tue"
    assert page.select_one("input[name=start][value=other]").has_attr("checked")
    page = html(client.post(_url(resident, "start"), data={"start": "other", "other_day": ""}))
    assert "Type the day" in _error(page, "other_day")
    far = _today(place) + timedelta(days=200)
    page = html(
        client.post(_url(resident, "start"), data={"start": "other", "other_day": far.isoformat()})
    )
    assert "in the next 90 days" in _error(page, "other_day")
    assert _enrolments() == []


def test_a_day_that_passed_while_checking_is_shown_on_its_question(client, people, sign_in, place):
    resident = people.resident
    sign_in.password(people.family)
    _answer_all(client, resident, place)
    with client.session_transaction() as session:
        draft = session["delivery_draft"]
        draft[str(resident.id)]["start"] = (_today(place) - timedelta(days=2)).isoformat()
        session["delivery_draft"] = draft
    response = client.post(_url(resident, "check"))
    page = html(response)
    assert response.status_code == 422 and page.select_one("legend h1").get_text().startswith(
        "Which day"
    )
    assert "That day has passed" in _error(page, "start")
    assert page.select_one("form[action*='/apply/']")["action"].endswith(
        f"{_url(resident, 'start')}?change=1"
    )
    assert _enrolments() == []


def test_a_second_enrolment_for_the_same_meal_is_refused(client, people, sign_in, place, staff):
    resident = people.resident
    sign_in.password(people.family)
    _answer_all(client, resident, place)
    first = _approved(resident, staff, place)
    response = client.post(_url(resident, "check"))
    page = html(response)
    assert response.status_code == 422
    assert f"Lunch is already asked for (reference {first.reference})" in _error(page, "meals")
    assert page.select_one(f"a[href='/delivery/residents/{resident.id}']")
    page = html(client.post(_url(resident, "meals"), data={"meals": ["lunch"]}))
    assert "Lunch is already asked for" in _error(page, "meals")
    assert len(_enrolments()) == 1
    overview = html(client.get(f"/delivery/residents/{resident.id}"))
    assert overview.select_one(f"a[href='{_url(resident, 'meals')}']")  # dinner is still free


def test_family_act_only_for_linked_residents(client, world, people, sign_in, place, staff):
    stranger = world.person(Role.RESIDENT)
    enrolment = _approved(stranger, staff, place)
    sign_in.password(people.family)
    assert client.get(f"/delivery/residents/{stranger.id}").status_code == 403
    assert client.post(_url(stranger, "meals"), data={"meals": ["dinner"]}).status_code == 403
    assert client.post(_url(stranger, "check")).status_code == 403
    assert client.get(f"/delivery/enrolments/{enrolment.id}/pause").status_code == 403
    assert client.post(f"/delivery/enrolments/{enrolment.id}/stop").status_code == 403
    assert client.get("/delivery/residents/99999").status_code == 404
    assert client.get(f"/delivery/residents/{people.admin.id}").status_code == 404
    assert client.get("/delivery/enrolments/99999/days").status_code == 404
    assert client.post("/delivery/pauses/99999/end").status_code == 404
    db.session.refresh(enrolment)
    assert enrolment.status == "active"
    sign_in.out()
    sign_in.password(people.volunteer)
    assert client.get(f"/delivery/residents/{stranger.id}").status_code == 403
    sign_in.out()
    elsewhere = Community(name="别的社区", hotline="0871-62222222", street_office=world.street)
    db.session.add(elsewhere)
    db.session.commit()
    sign_in.password(world.person(Role.CANTEEN_STAFF, community=elsewhere))
    assert client.get(f"/delivery/residents/{stranger.id}").status_code == 403
    assert client.post(f"/delivery/enrolments/{enrolment.id}/stop").status_code == 403


def test_sending_the_application_twice_makes_one(client, people, sign_in, place):
    resident = people.resident
    sign_in.password(people.family)
    _answer_all(client, resident, place)
    first = client.post(_url(resident, "check"))
    second = client.post(_url(resident, "check"))
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert len(_enrolments()) == 1


def test_pause_resume_change_days_and_stop_from_the_overview(client, people, sign_in, place, staff):
    resident = people.resident
    tomorrow = _today(place) + timedelta(days=1)
    lunch = MealDay(service=place.services[0], day=tomorrow, published=True, capacity=50)
    db.session.add_all([lunch, Dish(meal_day=lunch, name_zh_hans="红烧肉", price_fen=1500)])
    db.session.commit()
    enrolment = _approved(resident, staff, place)
    sign_in.password(people.family)
    overview = html(client.get(f"/delivery/residents/{resident.id}"))
    assert "Meals are delivered" in overview.get_text() and "红烧肉" in overview.get_text()

    pause_url = f"/delivery/enrolments/{enrolment.id}/pause"
    assert overview.select_one(f"a[href='{pause_url}']").get_text() == "Pause"
    page = text_of(client.get(pause_url))
    assert "Lunch: booking closes at 09:30 on the day" in page
    today = _today(place)
    response = client.post(
        pause_url,
        data={"first_day": today.isoformat(), "last_day": (today + timedelta(days=3)).isoformat()},
        follow_redirects=True,
    )
    page = html(response)
    assert "No meals will come from" in page.select_one("#status").get_text()
    assert "Paused until" in page.select_one(".status-sentence").get_text()
    assert "红烧肉" not in page.get_text()
    [paused] = db.session.scalars(select(DeliveryPause)).all()

    response = client.post(f"/delivery/pauses/{paused.id}/end", follow_redirects=True)
    assert "Deliveries start again" in text_of(response)
    assert "Meals are delivered" in text_of(response) and "红烧肉" in text_of(response)
    assert db.session.scalar(select(func.count()).select_from(DeliveryPause)) == 0

    days_url = f"/delivery/enrolments/{enrolment.id}/days"
    page = html(client.get(days_url))
    assert len(page.select("input[name=weekdays][checked]")) == 7
    response = client.post(days_url, data={"weekdays": ["1", "3"]}, follow_redirects=True)
    assert "Meals will come on Tuesday and Thursday." in text_of(response)
    db.session.refresh(enrolment)
    assert enrolment.weekdays == "1,3"

    stop_url = f"/delivery/enrolments/{enrolment.id}/stop"
    page = text_of(client.get(stop_url))
    assert "Stop meal delivery?" in page and "booking closes at 09:30" in page
    response = client.post(stop_url, follow_redirects=True)
    assert "Meal delivery has stopped." in text_of(response)
    db.session.refresh(enrolment)
    assert enrolment.status == "stopped"
    assert html(response).select_one(f"a[href='{_url(resident, 'meals')}']")


def test_a_bad_pause_is_refused_and_nothing_is_saved(client, people, sign_in, place, staff):
    enrolment = _approved(people.resident, staff, place)
    sign_in.password(people.family)
    url = f"/delivery/enrolments/{enrolment.id}/pause"
    today = _today(place)
    later, sooner = today + timedelta(days=5), today + timedelta(days=2)
    page = html(client.post(url, data={"first_day": later.isoformat(), "last_day": sooner}))
    assert "The last day must be the same as the first day or after it." in _error(page, "last_day")
    assert page.select_one("input[name=first_day]")["value"] == later.isoformat()
    yesterday, next_year = today - timedelta(days=1), today + timedelta(days=400)
    page = html(client.post(url, data={"first_day": yesterday, "last_day": later}))
    assert "That day has passed" in _error(page, "first_day")
    page = html(client.post(url, data={"first_day": today, "last_day": next_year}))
    assert "A pause can last a year at most." in _error(page, "last_day")
    page = html(client.post(url, data={"first_day": "", "last_day": "soon"}))
    assert "Enter the first day without meals" in _error(page, "first_day")
    assert "Enter a date like 2026-03-01." in _error(page, "last_day")
    assert db.session.scalar(select(func.count()).select_from(DeliveryPause)) == 0

    client.post(url, data={"first_day": sooner.isoformat(), "last_day": later.isoformat()})
    page = html(
        client.post(
            url,
            data={
                "first_day": later.isoformat(),
                "last_day": (later + timedelta(days=3)).isoformat(),
            },
        )
    )
    message = _error(page, "first_day")
    assert message.startswith("Error: There is already a pause from")
    assert str(sooner.day) in message and str(later.day) in message
    assert db.session.scalar(select(func.count()).select_from(DeliveryPause)) == 1


def test_a_declined_application_says_why(client, people, sign_in, place, staff):
    resident = people.resident
    enrolment, _created = deliveries.apply(
        resident,
        resident,
        deliveries.Application(
            dinner=True,
            weekdays=[0],
            start_day=_first_on(place, (0,)),
            contact_phone="13800138000",
        ),
    )
    deliveries.decline(enrolment, staff, "outside_area", "We will ask the next canteen.")
    sign_in.password(people.family)
    page = text_of(client.get(f"/delivery/residents/{resident.id}"))
    assert "Not approved" in page
    assert "Your home is outside the area the canteen delivers to." in page
    assert "We will ask the next canteen." in page


def test_an_application_can_be_withdrawn_before_it_is_decided(client, people, sign_in, place):
    resident = people.resident
    sign_in.password(people.family)
    _answer_all(client, resident, place)
    client.post(_url(resident, "check"))
    [enrolment] = _enrolments()
    overview = html(client.get(f"/delivery/residents/{resident.id}"))
    assert not overview.select_one(f"a[href='/delivery/enrolments/{enrolment.id}/pause']")
    stop = overview.select_one(f"a[href='/delivery/enrolments/{enrolment.id}/stop']")
    assert stop.get_text() == "Withdraw the application"
    response = client.post(stop["href"], follow_redirects=True)
    assert "The application is withdrawn." in text_of(response)
    response = client.post(stop["href"], follow_redirects=True)
    assert "These deliveries had already ended." in text_of(response)


@pytest.mark.parametrize(
    ("language", "html_lang"), [("zh_Hans", "zh-Hans"), ("zh_Hant", "zh-Hant"), ("en", "en")]
)
def test_every_page_renders_in_every_language(
    client, people, sign_in, place, staff, language, html_lang
):
    resident = people.resident
    enrolment = _approved(resident, staff, place)
    deliveries.pause(
        enrolment, resident, _today(place) + timedelta(days=3), _today(place) + timedelta(days=5)
    )
    client.set_cookie("linli_lang", language)
    sign_in.password(people.family)
    urls = [f"/delivery/residents/{resident.id}"]
    for step in STEPS:
        urls.append(_url(resident, step))
        client.post(_url(resident, step), data=_answers(place, meals={"meals": ["dinner"]})[step])
    urls.append(_url(resident, "check"))
    urls += [f"/delivery/enrolments/{enrolment.id}/{page}" for page in ("pause", "days", "stop")]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert html(response).html["lang"] == html_lang
    response = client.post(_url(resident, "check"))
    applied = client.get(response.headers["Location"])
    assert applied.status_code == 200 and html(applied).html["lang"] == html_lang
    page = html(client.post(f"/delivery/enrolments/{enrolment.id}/pause", data={"first_day": ""}))
    summary = page.select_one(".error-summary__title").get_text()
    assert (
        summary
        == {"zh_Hans": "出现问题", "zh_Hant": "出現問題", "en": "There is a problem"}[language]
    )


def test_after_applying_the_page_offers_only_the_other_meal_below_the_application(
    client, world, sign_in, place
):
    from tests.views.test_delivery_staff import application

    resident = world.person(Role.RESIDENT, name="王桂兰")
    application(place, resident)
    sign_in.resident(resident)
    page = html(client.get(f"/delivery/residents/{resident.id}"))
    assert "Apply for meal delivery" not in page.get_text()
    card, offer = page.select_one("main .card"), page.find("a", string="Apply for dinner as well")
    assert offer is not None and offer["href"] == _url(resident, "meals")
    assert card.find_all_next("a", string="Apply for dinner as well")
