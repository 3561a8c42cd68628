"""Every page is valid HTML according to the Nu Html Checker (ACCESSIBILITY.md row 30)."""

import json
import re
import shutil
import subprocess
from collections import Counter
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from portal import PROJECT_ROOT
from portal.accounts.kiosk import KIOSK_COOKIE
from portal.accounts.models import Role
from portal.accounts.services import enrol_kiosk, request_link, set_password
from portal.administration import staff
from portal.canteen.models import Booking, Canteen, Dish, MealDay, MealService
from portal.community.models import Partner
from portal.extensions import db
from portal.help import catalogue
from portal.help import services as help_services
from portal.paperwork import services as paperwork
from tests.helpers import PASSWORD, ask_where, catalogue_service

VNU_JAR = PROJECT_ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def _canteen_booked_today(world, resident) -> Canteen:
    """A canteen whose lunch today the resident, who has diet notes, booked: so the kitchen
    sheet and the counter have rows."""
    place = Canteen(community=world.community, name="幸福食堂")
    service = MealService(
        canteen=place,
        kind="lunch",
        serving_start=time(11),
        serving_end=time(13),
        cutoff=time(9, 30),
        capacity=80,
    )
    db.session.add_all([place, service])
    db.session.flush()
    meal_day = MealDay(
        service=service, day=place.community.today(), published=True, capacity=80, booked=1
    )
    dish = Dish(meal_day=meal_day, name_zh_hans="红烧肉", price_fen=1500, booked=1)
    resident.diet_notes = "不吃辣"
    db.session.add_all([meal_day, dish])
    db.session.flush()
    db.session.add(
        Booking(
            meal_day_id=meal_day.id,
            dish_id=dish.id,
            resident_id=resident.id,
            booked_by_id=resident.id,
            mode="pick_up",
            price_fen=0,
        )
    )
    db.session.commit()
    return place


def _organised_today(world, resident) -> list[str]:
    """The organiser's pages, with an activity today that the resident has a place at."""
    from datetime import timedelta

    from portal.activities.models import Event, SignUp, Venue
    from portal.model_base import utcnow

    room = Venue(community=world.community, name="活动室", capacity=30, hearing_loop=True)
    start = utcnow() - timedelta(minutes=1)
    event = Event(
        community=world.community,
        venue=room,
        organiser=world.person(Role.ADMIN, name="孙丽"),
        title_zh_hans="手工课",
        category="crafts",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        capacity=1,
        going=1,
        access_notes="无障碍通道",
    )
    later = Event(
        community=world.community,
        venue=room,
        organiser=event.organiser,
        title_zh_hans="讲座",
        category="health_talk",
        starts_at=start + timedelta(days=1),
        ends_at=start + timedelta(days=1, hours=1),
    )
    db.session.add_all([room, event, later])
    db.session.flush()
    db.session.add(
        SignUp(
            event_id=event.id, resident_id=resident.id, signed_up_by_id=resident.id, status="going"
        )
    )
    db.session.commit()
    base = f"/activities/organise/{world.community.id}"
    page = f"/activities/organise/events/{later.id}"
    return [
        f"/activities/organise/events/{event.id}",
        f"{base}/",
        f"{base}/venues",
        f"{base}/venues/new",
        f"/activities/organise/venues/{room.id}",
        f"{base}/events/new",
        f"{base}/attendance",
        f"{page}/edit",
        f"{page}/move",
        f"{page}/cancel",
    ]


def _activity_pages(world, resident) -> list[str]:
    """The resident's activity pages, with a place at a full activity tomorrow and a waitlist
    place at another."""
    from datetime import timedelta

    from portal.activities import services as activities
    from portal.activities.models import Event, Venue
    from portal.model_base import utcnow

    room = Venue(community=world.community, name="阅览角", capacity=12, step_free=False)
    start = utcnow() + timedelta(days=1)
    full, waiting = (
        Event(
            community=world.community,
            venue=room,
            organiser=resident,
            title_zh_hans=title,
            category="chess",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            capacity=1,
        )
        for title in ("象棋", "书法")
    )
    db.session.add_all([room, full, waiting])
    db.session.commit()
    place, _created = activities.join(resident, full, resident)
    other = world.person(Role.RESIDENT, name="李桂英")
    activities.join(other, waiting, other)
    activities.join(resident, waiting, resident)
    base = f"/activities/residents/{resident.id}"
    return [
        base,
        f"{base}/week",
        f"{base}/week?week=2026-02-30&category=chess",
        f"{base}/month",
        f"{base}/events/{full.id}",
        f"{base}/events/{waiting.id}",
        f"{base}/signups/{place.id}",
        f"{base}/mine",
        f"{base}/events/{full.id}/leave?next={base}/mine",
        f"{base}/events/{waiting.id}/leave",
    ]


def _delivery_pages(world, place, resident, staff) -> dict[str, list[str]]:
    """Meal delivery for the resident and a neighbour, approved this morning, so that today's
    lunch has a round: the delivery pages of the resident, the staff and the volunteer."""
    from portal.delivery import rounds as delivery_rounds
    from portal.delivery import services as delivery

    day = place.community.today()
    zone = ZoneInfo(place.community.timezone)
    morning = datetime.combine(day, time(6), tzinfo=zone).astimezone(UTC).replace(tzinfo=None)
    neighbour = world.person(Role.RESIDENT, name="李秀兰", unit="2单元", room="502")
    enrolments = []
    for person in (resident, neighbour):
        answers = delivery.Application(
            lunch=True, weekdays=list(range(7)), start_day=day, floor=5, contact_phone="13900000001"
        )
        enrolment, _ = delivery.apply(person, person, answers, now=morning)
        delivery.approve(enrolment, staff, day, now=morning)
        enrolments.append(enrolment)
    meal_day = delivery_rounds.meals_of_day(place, day)[0]
    round_id = delivery_rounds.drops_of(meal_day)[0].round_id
    own = f"/delivery/enrolments/{enrolments[0].id}"
    return {
        "resident": [
            f"/delivery/residents/{resident.id}",
            f"/delivery/residents/{resident.id}/apply/meals",
            f"{own}/pause",
            f"{own}/days",
            f"{own}/stop",
        ],
        "staff": [
            f"/delivery/staff/canteens/{place.id}",
            f"/delivery/staff/enrolments/{enrolments[1].id}",
            f"/delivery/staff/canteens/{place.id}/rounds",
            f"/delivery/staff/meals/{meal_day.id}/sheet",
        ],
        "volunteer": ["/delivery/rounds/", f"/delivery/rounds/{round_id}"],
    }


def _own_points_pages(world, person) -> list[str]:
    """A person's points pages, with points to spend and a meal voucher held, which the canteen's
    check page then offers too."""
    from datetime import timedelta

    from portal.points import rules, vouchers
    from portal.points.models import VoucherKind

    today = world.community.today()
    kind = VoucherKind(
        community_id=world.community.id,
        name="爱心午餐券",
        use="meal",
        value_fen=1500,
        points=50,
        valid_from=today - timedelta(days=1),
        valid_until=today + timedelta(days=30),
    )
    db.session.add(kind)
    db.session.commit()
    event = world.event(datetime.now(UTC).replace(tzinfo=None) - timedelta(days=2), "义诊")
    rules.helped_at(event, [person], event.organiser)
    rules.award(
        person, world.community.id, 100, "帮邻居取药", f"pages-{person.id}", event.organiser
    )
    voucher = vouchers.redeem(person, kind, f"pages-{person.id}")
    return [
        "/points/",
        "/points/give",
        "/points/vouchers",
        f"/points/vouchers/{kind.id}",
        f"/points/vouchers/mine/{voucher.id}",
        "/points/certificate",
    ]


def _points_admin_pages(world, admin) -> list[str]:
    """The admins' points pages, with a kind of voucher to change and withdraw, and an award."""
    from datetime import date

    from portal.points import rules
    from portal.points.models import VoucherKind

    kind = VoucherKind(
        community_id=world.community.id,
        name="午餐券",
        use="meal",
        value_fen=1500,
        points=50,
        stock=100,
        valid_from=date(2026, 1, 1),
        valid_until=date(2099, 12, 31),
    )
    db.session.add(kind)
    db.session.commit()
    volunteer = world.person(Role.VOLUNTEER, name="志愿者小张")
    rules.award(volunteer, world.community.id, 30, "帮助邻居", "c" * 32, admin)
    return [
        "/points/admin/",
        "/points/admin/vouchers",
        "/points/admin/vouchers/new",
        f"/points/admin/vouchers/{kind.id}",
        f"/points/admin/vouchers/{kind.id}/withdraw",
        "/points/admin/award",
        "/points/admin/report",
        "/points/admin/report?month=2026-02-30",
    ]


def _service_with_questions(world, admin, partner):
    """A service of the test community's catalogue done by partner, with two questions."""
    service = catalogue_service(
        world,
        admin,
        hints={"zh_Hans": "没水、漏水"},
        handler="partner",
        partner_id=partner.id,
        charge="subsidised",
        price_fen=500,
        open_days="12345",
        opens=time(8, 30),
        closes=time(17, 30),
    )
    ask_where(admin, service)
    catalogue.add_question(admin, service, {"zh_Hans": "还有什么？"}, "text", [], False)
    return service


def _pages(client, world, sign_in) -> dict[str, str]:
    """Render every page of the foundation, signed out and as each role, in every language."""
    admin = world.person(Role.ADMIN)
    family = world.person(Role.FAMILY, name="李娜")
    resident = world.person(Role.RESIDENT, name="王桂兰")
    worker = world.person(Role.GRID_WORKER, name="王芳")
    request_link(family, resident.resident_code, "daughter")
    partner = Partner(community=world.community, name="物业服务中心")
    db.session.add(partner)
    resident.care_colour = "red"
    asked, _created = help_services.raise_request(resident, "repair", resident)
    help_services.take(asked, worker)
    help_services.hand_off(asked, worker, partner, "请物业上门")
    repairman, _code = staff.add_partner_person(admin, partner, "张师傅", "13912340001")
    set_password(repairman, PASSWORD)
    repairman.must_set_password = False
    accepted, _created = help_services.raise_request(resident, "other", resident)
    help_services.take(accepted, worker)
    help_services.hand_off(accepted, worker, partner, "请物业上门")
    help_services.accept(accepted, repairman)
    help_services.add_partner_note(accepted, repairman, "明天上午来", visible=True)
    water = Partner(community=world.community, name="自来水公司", kind="water")
    db.session.add(water)
    db.session.flush()
    leak = _service_with_questions(world, admin, water)
    unwell, _created = help_services.raise_request(resident, "unwell", resident)
    pension = paperwork.kind_by_code(world.community.id, "pension")
    papers, _created = paperwork.ask(resident, pension, resident)
    help_services.take(papers, worker)
    paperwork.take(worker, papers, paperwork.case_of(papers).documents[0].id)
    paperwork.set_due(worker, resident, pension, resident.today())
    _, token = enrol_kiosk(world.community, "活动室", admin)
    place = _canteen_booked_today(world, resident)
    canteen = f"/canteen/staff/{place.id}"
    lunch = place.services[0]
    dish = db.session.scalars(select(Dish)).first()
    meal = f"{canteen}/services/{lunch.id}/{dish.meal_day.day.isoformat()}"
    booking = f"/canteen/residents/{resident.id}"
    organised = _organised_today(world, resident)
    canteen_staff = world.person(Role.CANTEEN_STAFF)
    deliveries = _delivery_pages(world, place, resident, canteen_staff)
    volunteer = world.person(Role.VOLUNTEER, name="志愿者小李")
    # Before the booking pages: the check page offers the resident's meal voucher.
    resident_points = _own_points_pages(world, resident)
    visits = {
        None: ["/", "/sign-in", "/kiosk", "/register", "/no-such-page"],
        family: ["/family", "/family/links/new", "/calendar/mine"],
        volunteer: ["/volunteer", *deliveries["volunteer"], *_own_points_pages(world, volunteer)],
        worker: [
            "/day",
            "/help/queue",
            f"/help/requests/{asked.id}",
            f"/help/requests/{unwell.id}",
            "/help/reports",
            "/care/",
            f"/care/residents/{resident.id}",
            "/care/reports",
            "/care/reports?month=2026-02-30",
            f"/help/requests/{papers.id}",
            f"/paperwork/requests/{papers.id}/outcome",
            f"/paperwork/requests/{papers.id}/documents",
            "/paperwork/due",
            f"/paperwork/residents/{resident.id}/due",
        ],
        repairman: [
            "/partner/",
            f"/partner/requests/{asked.id}",
            f"/partner/requests/{accepted.id}",
        ],
        admin: [
            "/staff",
            "/admin/kiosks",
            "/admin/family-links",
            "/admin/audit/",
            "/admin/residents/",
            "/admin/residents/?q=wgl&state=all",
            f"/admin/residents/{resident.id}",
            f"/admin/residents/{resident.id}/pin",
            f"/admin/partners/{partner.id}",
            "/admin/partners",
            "/partner/settings",
            "/partner/report",
            f"/partner/report/{partner.id}/rating",
            "/help/catalogue/",
            "/help/catalogue/new",
            f"/help/catalogue/{leak.id}",
            "/help/catalogue/keys",
            "/paperwork/kinds",
            "/paperwork/kinds/new",
            f"/paperwork/kinds/{pension.id}",
            "/care/cadence",
            *_points_admin_pages(world, admin),
            f"/admin/staff/{repairman.id}",
        ],
        resident: [
            "/resident",
            "/help/services",
            "/help/services/water",
            "/help/services/water?step=1&a0=1",
            "/paperwork/ask?service=paperwork",
            "/paperwork/ask/pension",
            "/resident/family",
            booking,
            f"{booking}/meals/{dish.meal_day_id}",
            f"{booking}/meals/{dish.meal_day_id}/dishes/{dish.id}",
            f"{booking}/bookings",
            *_activity_pages(world, resident),
            "/calendar/mine",
            *deliveries["resident"],
            f"/help/requests/{unwell.id}/sent",
            f"/help/residents/{resident.id}/requests",
            *resident_points,
        ],
        canteen_staff: [
            f"{canteen}/kitchen",
            f"{canteen}/kitchen?day=2026-02-30",
            f"{canteen}/counter",
            f"{canteen}/counter?q=B999999",
            "/canteen/staff/",
            f"{canteen}/settings",
            f"{canteen}/services/new",
            f"{canteen}/services/{lunch.id}",
            f"{canteen}/menus",
            meal,
            f"{canteen}/dishes/{dish.id}",
            *deliveries["staff"],
        ],
        world.person(Role.ORGANISER, name="孙丽"): organised,
    }
    pages = {}
    for language in ("zh_Hans", "zh_Hant", "en"):
        client.set_cookie("linli_lang", language)
        for person, urls in visits.items():
            client.delete_cookie(KIOSK_COOKIE)
            if person is resident:
                sign_in.resident(resident, kiosk_token=token)
            elif person is not None:
                sign_in.password(person)
            for url in urls:
                response = client.get(url)
                assert response.status_code in (200, 404, 422), f"{url}: {response.status_code}"
                assert response.status_code == 200 or "no-such" in url or "02-30" in url, url
                pages[f"{language}{url}"] = response.get_data(as_text=True)
            if person is not None:
                sign_in.out()
        pages[f"{language}/sign-in errors"] = client.post("/sign-in", data={}).get_data(
            as_text=True
        )
        client.post("/kiosk", data={"code": "100001"})
        pages[f"{language}/kiosk/pin errors"] = client.post(
            "/kiosk/pin", data={"pin": "ab"}
        ).get_data(as_text=True)
        sign_in.password(volunteer)
        pages[f"{language}/points/give check"] = client.post(
            "/points/give", data={"to": "pool", "points": "5", "key": "k"}
        ).get_data(as_text=True)
        pages[f"{language}/points/give errors"] = client.post(
            "/points/give", data={"to": "neighbour", "points": "x", "key": "k"}
        ).get_data(as_text=True)
        sign_in.out()
        sign_in.password(admin)
        pages[f"{language}/points/admin/award errors"] = client.post(
            "/points/admin/award", data={"who": "李", "points": "x"}
        ).get_data(as_text=True)
        sign_in.out()
    return pages


def _points_staff_pages(client, world, sign_in) -> dict[str, str]:
    """The points pages of canteen staff and of an admin organising, after _pages: today's
    canteen with a volunteer's shift and a meal voucher to take (another taken already), today's
    started activity with one helper credited; each page in every language, with a refused form."""
    from portal.accounts.models import Person
    from portal.activities.models import Event
    from portal.points import rules, vouchers
    from portal.points import services as points
    from portal.points.models import VoucherKind

    place = db.session.scalars(select(Canteen)).first()
    resident = db.session.scalar(select(Person).where(Person.name == "王桂兰"))
    event = db.session.scalar(select(Event).where(Event.title_zh_hans == "手工课"))
    dish = db.session.scalars(select(Dish)).first()
    cook, admin = world.person(Role.CANTEEN_STAFF), world.person(Role.ADMIN)
    helpers = [world.person(Role.VOLUNTEER, name=name) for name in ("王小明", "李小红")]
    today = place.community.today()
    rules.kitchen_shift(helpers[0], place, today, "lunch", 150, cook)
    rules.helped_at(event, helpers[:1], admin)
    kind = VoucherKind(
        community_id=world.community.id,
        name="午餐券",
        use="meal",
        value_fen=1000,
        points=20,
        valid_from=today,
        valid_until=today,
    )
    db.session.add(kind)
    db.session.commit()
    points.earn(resident, world.community.id, 40, f"html:person:{resident.id}")
    held, used = (vouchers.redeem(resident, kind, key) for key in ("held", "used"))
    vouchers.use_at_counter(used, place, dish, cook)
    counter = f"/points/staff/counter/{place.id}"
    helpers_page = f"/points/staff/activities/{event.id}/helpers"
    visits = {
        cook: [
            f"/points/staff/kitchen/{place.id}",
            f"{counter}/voucher",
            f"{counter}/voucher?reference={held.reference}",
            f"{counter}/voucher?reference=Q999999",
            f"{counter}/voucher/check?reference={held.reference}&dish={dish.id}",
            f"{counter}/vouchers/{used.id}",
        ],
        admin: [helpers_page],
    }
    refused = {
        cook: [
            (f"/points/staff/kitchen/{place.id}", {"hours": "x"}),
            (f"{counter}/voucher/take", {"reference": used.reference, "dish": dish.id}),
        ],
        admin: [(helpers_page, {})],
    }
    pages = {}
    for language in ("zh_Hans", "zh_Hant", "en"):
        client.set_cookie("linli_lang", language)
        for person, urls in visits.items():
            sign_in.password(person)
            for url in urls:
                response = client.get(url)
                assert response.status_code == (422 if "Q999999" in url else 200), url
                pages[f"{language}{url}"] = response.get_data(as_text=True)
            for url, data in refused[person]:
                response = client.post(url, data=data)
                assert response.status_code == 422, url
                pages[f"{language}{url} refused"] = response.get_data(as_text=True)
            sign_in.out()
    return pages


def _duplicate_ids(body: str) -> list[str]:
    """The ids used more than once on a page: a label or an error link would find the first."""
    ids = Counter(element["id"] for element in BeautifulSoup(body, "html.parser").select("[id]"))
    return sorted(name for name, count in ids.items() if count > 1)


# A comma, colon or semicolon of Latin text between two Chinese words ("今天, 午餐", "午餐: 第二网格"),
# also where markup ends a word before it ("<strong>董宝山</strong>: 发起求助").
WESTERN_PUNCTUATION = re.compile(r"[\u4e00-\u9fff] ?[,:;] ?[\u4e00-\u9fff]")


def _western_punctuation(body: str) -> list[str]:
    """Where a Chinese page joins Chinese words with ASCII punctuation; Chinese has its own."""
    text = BeautifulSoup(body, "html.parser").get_text(" ")
    return WESTERN_PUNCTUATION.findall(text)


def _nu_messages(java: str, paths: list) -> list[dict]:
    """The Nu Html Checker's error messages on the files at paths, failing the test unless it
    checked every one of them and reported in its JSON format; a checker that is missing, crashes
    or prints something else must never pass for one that found no errors."""
    result = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", "--verbose", *paths],
        capture_output=True,
        text=True,
        timeout=600,
    )
    where = f"the Nu Html Checker exited {result.returncode}; it said:\n{result.stderr[-2000:]}"
    assert result.returncode in (0, 1), where
    try:
        report = json.loads(result.stderr)
    except json.JSONDecodeError:
        report = None
    assert isinstance(report, dict) and isinstance(report.get("messages"), list), (
        f"no JSON report: {where}"
    )
    messages = report["messages"]
    assert all(
        isinstance(m, dict) and isinstance(m.get("type"), str) and isinstance(m.get("message"), str)
        for m in messages
    ), where
    # It exits 1 exactly when it reports errors, and --verbose names on stdout each file it
    # checked: a file it could not read is skipped without a word.
    assert result.returncode == (1 if messages else 0), where
    unchecked = sorted(set(map(str, paths)) - set(result.stdout.splitlines()))
    assert not unchecked, (
        f"the Nu Html Checker skipped {len(unchecked)} of {len(paths)} pages: {unchecked[:3]}"
    )
    return messages


@pytest.mark.clock_at(10, 31)  # today's activity started a minute ago; lunch is still to come
def test_every_page_is_valid_html(client, world, sign_in, tmp_path):
    java = shutil.which("java")
    if java is None or not VNU_JAR.exists():
        pytest.fail("the Nu Html Checker needs java and node_modules/vnu-jar: run tests/setup.sh")
    files = {}
    pages = _pages(client, world, sign_in)
    pages.update(_points_staff_pages(client, world, sign_in))
    for index, (name, body) in enumerate(pages.items()):
        path = tmp_path / f"page{index}.html"
        path.write_text(body, encoding="utf-8")
        files[path.name] = name
    duplicated = {name: _duplicate_ids(body) for name, body in pages.items()}
    assert {name: ids for name, ids in duplicated.items() if ids} == {}
    western = {name: _western_punctuation(body) for name, body in pages.items() if name[:2] == "zh"}
    assert {name: found for name, found in western.items() if found} == {}
    messages = _nu_messages(java, sorted(tmp_path.glob("*.html")))
    problems = [
        f"{files.get(m.get('url', '').rsplit('/', 1)[-1])}: {m['message']} ({m.get('extract', '').strip()})"
        for m in messages
    ]
    assert problems == []
