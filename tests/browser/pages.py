"""Every page of the portal, grouped by who sees it, and how a browser gets to each one."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import Page
from sqlalchemy import select

from portal.accounts.models import Person
from portal.canteen import services as canteen
from portal.canteen.models import Canteen
from portal.extensions import db
from portal.help.models import OPEN_STATUSES, Category, HelpRequest
from portal.paperwork import services as paperwork
from tests.browser.support import (
    ADMIN,
    CANTEEN_STAFF,
    FAMILY,
    GRID_WORKER,
    ORGANISER,
    PARTNER,
    RESIDENT_FOR_PAGES,
    STREET_ADMIN,
    VOLUNTEER,
    LiveServer,
    main_form_button,
    sign_in_at_kiosk,
    sign_in_with_password,
    submit,
)


@dataclass(frozen=True)
class Visit:
    name: str
    go: Callable[[Page, LiveServer], None]


@dataclass(frozen=True)
class Role:
    name: str
    kiosk: bool
    sign_in: Callable[[Page, LiveServer], None] | None
    visits: tuple[Visit, ...]
    # Residents, their families and volunteers (many of them retired) may read in any colour
    # scheme; office staff are checked in the default one.
    every_scheme: bool = True


def _get(path: str) -> Callable[[Page, LiveServer], None]:
    def go(page: Page, live: LiveServer) -> None:
        response = page.goto(live(path))
        assert response is not None
        assert page.url.split("?")[0] == live(path.split("?")[0]), f"{path} went to {page.url}"

    return go


def _not_found(page: Page, live: LiveServer) -> None:
    response = page.goto(live("/no-such-page"))
    assert response is not None and response.status == 404


def _sign_in_empty(page: Page, live: LiveServer) -> None:
    page.goto(live("/sign-in"))
    submit(page, main_form_button(page, "/sign-in"))
    assert page.locator(".error-summary").is_visible()


def _kiosk_code_empty(page: Page, live: LiveServer) -> None:
    page.goto(live("/kiosk"))
    submit(page, page.locator("button.button--huge"))
    assert page.locator(".error-summary").is_visible()


def _kiosk_pin(page: Page, live: LiveServer) -> None:
    page.goto(live("/kiosk"))
    page.fill("#code", RESIDENT_FOR_PAGES)
    submit(page, page.locator("button.button--huge"))
    assert page.url == live("/kiosk/pin")


def _password(phone: str) -> Callable[[Page, LiveServer], None]:
    def sign_in(page: Page, live: LiveServer) -> None:
        sign_in_with_password(page, live, phone)
        assert "/sign-in" not in page.url, f"{phone} could not sign in"

    return sign_in


def _resident(page: Page, live: LiveServer) -> None:
    sign_in_at_kiosk(page, live, RESIDENT_FOR_PAGES)
    assert page.url == live("/resident"), "the resident could not sign in"


def _follow(start: str, link: str) -> Callable[[Page, LiveServer], None]:
    """Open start, then follow the first link matching the CSS selector link."""

    def go(page: Page, live: LiveServer) -> None:
        page.goto(live(start))
        with page.expect_navigation(wait_until="load"):
            page.locator(link).first.click()

    return go


def _enrol_refused(page: Page, live: LiveServer) -> None:
    """The form to enrol a resident, sent with a bad landline: its errors, saving nothing."""
    page.goto(live("/admin/residents/new"))
    page.locator("#name").fill("测试")
    page.locator("#landline").fill("8555")
    with page.expect_navigation(wait_until="load"):
        page.locator("main form button[type=submit]").last.click()


def _leaving_form(page: Page, live: LiveServer) -> None:
    """The form to record that a resident left home, opened from their profile."""
    page.goto(live("/admin/residents/"))
    with page.expect_navigation(wait_until="load"):
        page.locator("main tbody a").first.click()
    with page.expect_navigation(wait_until="load"):
        page.locator("main a[href$='/leaving']").click()


def _import_checked(page: Page, live: LiveServer) -> None:
    """A register uploaded and checked, one row fine and one with problems; nothing imported."""
    page.goto(live("/admin/residents/import"))
    page.set_input_files(
        "#file",
        files=[
            {
                "name": "台账.csv",
                "mimeType": "text/csv",
                "buffer": "姓名,出生日期,楼栋\r\n新居民,1941/3/5,1号楼\r\n,1941/2/30,99号楼\r\n".encode(
                    "gbk"
                ),
            }
        ],
    )
    with page.expect_navigation(wait_until="load"):
        page.locator("main form[enctype] button").click()


def _staff_refused(page: Page, live: LiveServer) -> None:
    """The form to add someone to the staff, sent with a grid worker's role and no grid."""
    page.goto(live("/admin/staff/new"))
    page.locator("input[name=roles][value=grid_worker]").check()
    with page.expect_navigation(wait_until="load"):
        page.locator("main form button[type=submit]").last.click()


def _family_code(page: Page, live: LiveServer) -> None:
    """The check before a family member who forgot their password gets a one-time code."""
    with live.app.app_context():
        family_id = db.session.scalar(select(Person.id).where(Person.phone == FAMILY))
        db.session.remove()
    page.goto(live(f"/admin/family/{family_id}/code"))


def _from_profile(link: str) -> Callable[[Page, LiveServer], None]:
    """The first resident's profile in the list, then the link matching the CSS selector link."""

    def go(page: Page, live: LiveServer) -> None:
        _follow("/admin/residents/", "main tbody a")(page, live)
        with page.expect_navigation(wait_until="load"):
            page.locator(link).first.click()

    return go


def _merge_asked(page: Page, live: LiveServer) -> None:
    """The question before a grid is merged into another: nothing is merged yet."""
    _follow("/admin/places/", "main tbody th a")(page, live)
    with page.expect_navigation(wait_until="load"):
        page.locator("main form[action$='/merge'] button").click()


def _building_refused(page: Page, live: LiveServer) -> None:
    """The form to add a building, sent without a name and with too many floors."""
    _follow("/admin/places/", "main tbody th a")(page, live)
    with page.expect_navigation(wait_until="load"):
        page.locator("main a[href$='/buildings/new']").click()
    page.locator("#floors").fill("120")
    with page.expect_navigation(wait_until="load"):
        page.locator("main form button[type=submit]").last.click()


def _delivery_round(page: Page, live: LiveServer) -> None:
    """The volunteer's first round of the day, taken, so that its doors can be marked."""
    _follow("/delivery/rounds/", "main a.button[href^='/delivery/rounds/']")(page, live)
    take = page.locator("main form[action$='/take'] button")
    if take.count():
        submit(page, take)
    assert page.locator("main form button[name=outcome]").count(), page.url


def _help_sent(page: Page, live: LiveServer) -> None:
    """The confirmation after one tap on "feeling unwell", which also shows the 120 panel."""
    page.goto(live("/resident"))
    submit(page, page.locator(".help-button--urgent"))
    assert page.url.endswith("/sent"), page.url


def _canteen_last_day(page: Page, live: LiveServer) -> None:
    """The meals of the last day of the booking window, which is always still open."""
    _follow("/resident", "a.tile--primary")(page, live)
    page.goto(live(page.locator("a.day-picker__day").last.get_attribute("href")))


def _canteen_check(page: Page, live: LiveServer) -> None:
    _canteen_last_day(page, live)
    page.goto(live(page.locator("a.dish").first.get_attribute("href")))


# A resident of the demo's first grid whose pension authentication the grid worker's pages show.
RESIDENT_PAPERWORK = "100073"


def _paperwork_request(path: str) -> Callable[[Page, LiveServer], None]:
    """The resident's open pension request (asked once, the first time), at the grid worker's
    address path ("/help/requests/{id}")."""

    def go(page: Page, live: LiveServer) -> None:
        with live.app.app_context():
            resident = db.session.scalar(
                select(Person).where(Person.resident_code == RESIDENT_PAPERWORK)
            )
            number = db.session.scalar(
                select(HelpRequest.id).where(
                    HelpRequest.resident_id == resident.id,
                    HelpRequest.category == Category.PAPERWORK,
                    HelpRequest.status.in_(OPEN_STATUSES),
                )
            )
            if number is None:
                pension = paperwork.kind_by_code(resident.community_id, "pension")
                number = paperwork.ask(resident, pension, resident)[0].id
            db.session.remove()
        page.goto(live(path.format(id=number)))

    return go


# A resident of the demo's first grid whom no journey changes, for staff acting for them.
RESIDENT_ACTED_FOR = "100014"


def _meal_check_for_resident(page: Page, live: LiveServer) -> None:
    """The check of a meal staff book for a resident who asked them: it asks how they asked."""
    page.goto(live(f"/admin/residents/act?code={RESIDENT_ACTED_FOR}"))
    page.goto(live(page.locator("a.tile[href^='/canteen/residents/']").get_attribute("href")))
    page.goto(live(page.locator("a.dish").first.get_attribute("href")))


def _canteen_menu(page: Page, live: LiveServer) -> None:
    """One meal's dishes, as shown with alternatives when a dish has just sold out."""
    _canteen_last_day(page, live)
    meal = page.locator("section.meal").last.get_attribute("aria-labelledby").split("-")[1]
    resident = page.url.split("/canteen/residents/")[1].split("?")[0]
    page.goto(live(f"/canteen/residents/{resident}/meals/{meal}"))


def _canteen_booked(page: Page, live: LiveServer) -> None:
    _canteen_check(page, live)
    submit(page, page.locator("main form button.button--primary"))
    assert "/canteen/bookings/" in page.url, page.url


def _canteen_cancel(page: Page, live: LiveServer) -> None:
    """The question before a booking is cancelled."""
    _canteen_booked(page, live)
    with page.expect_navigation(wait_until="load"):
        page.locator("main a.button--primary").click()
    with page.expect_navigation(wait_until="load"):
        page.locator("main a[href$='/cancel']").first.click()
    assert page.url.endswith("/cancel"), page.url


def _booked_today(live: LiveServer) -> str:
    """Three residents of the canteen staff member's community (the last by resident code, whom
    no journey signs in as) book today's lunch there, once, the first with a diet note: so the
    kitchen sheet and the counter have rows. Returns the address of that canteen's staff pages."""
    with live.app.app_context():
        staff = db.session.scalar(select(Person).filter_by(phone=CANTEEN_STAFF))
        place = db.session.scalar(select(Canteen).filter_by(community_id=staff.community_id))
        today = place.community.today()
        early = datetime.combine(today, time(6), tzinfo=ZoneInfo(place.community.timezone))
        lunch = canteen.open_meal_days(place, today, days=1)[0]
        residents = db.session.scalars(
            select(Person)
            .where(Person.community_id == place.community_id, Person.resident_code.is_not(None))
            .order_by(Person.resident_code.desc())
            .limit(3)
        ).all()
        for index, resident in enumerate(residents):
            resident.diet_notes = "不吃辣，少油" if index == 0 else None
            dish = lunch.dishes[index % len(lunch.dishes)]
            mode = ("dine_in", "pick_up")[index % 2]
            canteen.book(
                resident, dish, mode, resident, now=early.astimezone(UTC).replace(tzinfo=None)
            )
        path = f"/canteen/staff/{place.id}"
        db.session.remove()
    return path


def _canteen_staff_page(name: str) -> Callable[[Page, LiveServer], None]:
    def go(page: Page, live: LiveServer) -> None:
        _get(f"{_booked_today(live)}/{name}")(page, live)

    return go


def menu_editor(page: Page, live: LiveServer) -> None:
    """Tomorrow's lunch in the menu editor, at the address the week's menus link it from (the week
    starts on Monday, so tomorrow may be in the next one)."""
    _canteen_staff_page("menus")(page, live)
    first_lunch = page.locator("main table tbody tr").first.locator("a").first.get_attribute("href")
    tomorrow = datetime.now(ZoneInfo("Asia/Shanghai")).date() + timedelta(days=1)
    response = page.goto(live(f"{first_lunch.rsplit('/', 1)[0]}/{tomorrow.isoformat()}"))
    assert response is not None and response.status == 200, page.url


def _menu_editor_errors(page: Page, live: LiveServer) -> None:
    """The menu editor after adding a dish with nothing filled in."""
    menu_editor(page, live)
    submit(page, page.locator("main form[action$='/dishes'] button.button--primary"))


def _dish_change(page: Page, live: LiveServer) -> None:
    menu_editor(page, live)
    with page.expect_navigation(wait_until="load"):
        page.locator("main .card--dish a.button").first.click()


def _organise_page(suffix: str) -> Callable[[Page, LiveServer], None]:
    """A page of the organiser's community, below the calendar the organiser lands on."""

    def go(page: Page, live: LiveServer) -> None:
        page.goto(live("/activities/organise/"))
        response = page.goto(page.url.split("?")[0] + suffix)
        assert response is not None and response.status == 200, page.url

    return go


def _new_activity_errors(page: Page, live: LiveServer) -> None:
    """The new activity form sent with nothing filled in."""
    _organise_page("events/new")(page, live)
    submit(page, page.locator("main form[action$='/events/new'] button.button--primary"))


def _attendee_list(page: Page, live: LiveServer) -> None:
    """The attendee list of the craft class (full, with a waitlist), from the calendar."""
    _organise_page("")(page, live)
    with page.expect_navigation(wait_until="load"):
        page.locator("main .organise-item__title a").first.click()


def _activities(view: str = "") -> Callable[[Page, LiveServer], None]:
    """The resident's activities from the home page's tile, in the week or month view if given."""

    def go(page: Page, live: LiveServer) -> None:
        _follow("/resident", "a.tile[href^='/activities/residents/']")(page, live)
        if view:
            page.goto(page.url.split("?")[0] + view)

    return go


def _activity_check(page: Page, live: LiveServer) -> None:
    """The check page of the next anti-fraud talk, which always has places to spare."""
    _activities("?category=anti_fraud")(page, live)
    with page.expect_navigation(wait_until="load"):
        page.locator("main .activity__title a").first.click()


def _activity_joined(page: Page, live: LiveServer) -> None:
    """The confirmation of a place at that talk: joined now, or opened from its reference."""
    _activity_check(page, live)
    join = page.locator("main form button.button--huge")
    if join.count():
        submit(page, join)
    else:
        with page.expect_navigation(wait_until="load"):
            page.locator("main a[href*='/signups/']").click()
    assert "/signups/" in page.url, page.url


def _activity_leave(page: Page, live: LiveServer) -> None:
    """The question before a place at that talk is given up."""
    _activity_joined(page, live)
    with page.expect_navigation(wait_until="load"):
        page.locator("main a[href*='/leave']").click()
    assert "/leave" in page.url, page.url


def _counter_served(page: Page, live: LiveServer) -> None:
    """The counter after the first booking's Served button, answered in place with JavaScript."""
    _canteen_staff_page("counter")(page, live)
    button = page.locator("tr.counter-row button[id^='mark-served-']").first
    if page.evaluate("() => Boolean(window.htmx)"):
        with page.expect_response(lambda response: response.request.method == "POST"):
            button.click()
        page.wait_for_function("() => document.getElementById('status').textContent.trim()")
    else:
        submit(page, button)


def _delivery_question(step: str) -> Callable[[Page, LiveServer], None]:
    """A question of the resident's application for meal delivery (or the check page), the
    earlier ones answered: each question the journey sends back to is answered once, and the
    answers stay in the session for the next visit."""
    answers = {
        "meals": lambda page: page.locator("input[name='meals']").first.check(),
        "days": lambda page: page.locator("input[name='weekdays']").first.check(),
        "start": lambda page: page.locator("input[name='start']").first.check(),
        "address": lambda page: page.fill("input[name='floor']", "2"),
        "diet": lambda page: None,
        "phone": lambda page: page.fill("input[name='contact_phone']", "13912345678"),
    }

    def go(page: Page, live: LiveServer) -> None:
        _follow("/resident", "a.tile[href^='/delivery/residents/']")(page, live)
        target = page.url.split("?")[0] + f"/apply/{step}"
        for _ in range(len(answers) + 1):
            page.goto(target)
            if page.url.split("?")[0] == target:
                return
            asked = page.url.split("?")[0].rsplit("/", 1)[-1]
            answers[asked](page)
            submit(page, page.locator("main form button.button--huge"))
        raise AssertionError(f"{target} went to {page.url}")

    return go


def _delivery_question_errors(page: Page, live: LiveServer) -> None:
    """The first question of the application, sent without an answer."""
    _delivery_question("meals")(page, live)
    submit(page, page.locator("main form button.button--huge"))
    assert page.locator(".error-summary").is_visible()


def _delivery_staff(suffix: str = "") -> Callable[[Page, LiveServer], None]:
    """A meal delivery page of the canteen staff member's canteen."""

    def go(page: Page, live: LiveServer) -> None:
        page.goto(live("/delivery/staff/"))
        if suffix:
            response = page.goto(page.url.split("?")[0] + suffix)
            assert response is not None and response.status == 200, page.url

    return go


def _delivery_application(page: Page, live: LiveServer) -> None:
    """The first application waiting for approval, from the delivery page."""
    _delivery_staff()(page, live)
    with page.expect_navigation(wait_until="load"):
        page.locator("main a[href^='/delivery/staff/enrolments/']").first.click()


def _round_sheet(page: Page, live: LiveServer) -> None:
    """Today's lunch round sheet for every grid, from the rounds page."""
    _delivery_staff("/rounds")(page, live)
    with page.expect_navigation(wait_until="load"):
        page.locator("main a[href*='/sheet']").first.click()


def _idle_warning(page: Page, live: LiveServer) -> None:
    """/resident with the idle warning showing, as the kiosk's script shows it."""
    _get("/resident")(page, live)
    page.evaluate(
        """() => {
            const dialog = document.querySelector("[data-idle-warning]");
            dialog.hidden = false;
            dialog.querySelector("[data-still-here]").focus();
        }"""
    )


def _canteen_id(live: LiveServer) -> str:
    return _booked_today(live).rsplit("/", 1)[1]


def _points_staff_page(path: str) -> Callable[[Page, LiveServer], None]:
    """A points page of the canteen staff member's canteen: path names it as {place}."""

    def go(page: Page, live: LiveServer) -> None:
        _get("/points/staff/" + path.format(place=_canteen_id(live)))(page, live)

    return go


def _counter_voucher(dish: bool) -> Callable[[Page, LiveServer], None]:
    """The counter's walk-in meal paid by voucher: a held meal voucher of the canteen's
    community found by its reference, then (dish) the check of the first of today's dishes."""

    def go(page: Page, live: LiveServer) -> None:
        from portal.points.models import Voucher, VoucherKind

        place = _canteen_id(live)
        with live.app.app_context():
            community_id = db.session.get(Canteen, int(place)).community_id
            voucher = db.session.scalars(
                select(Voucher)
                .join(VoucherKind)
                .where(
                    Voucher.community_id == community_id,
                    Voucher.status == "held",
                    VoucherKind.use == "meal",
                )
                .order_by(Voucher.id)
            ).first()
            reference = voucher.reference
        _get(f"/points/staff/counter/{place}/voucher?reference={reference}")(page, live)
        if dish:
            page.locator("input[name=dish]").first.check()
            submit(page, page.locator("main form[action$='/check'] button"))

    return go


def _helpers_of_an_activity(page: Page, live: LiveServer) -> None:
    """The helpers of an activity of the organiser's that ended an hour ago, made once."""
    from portal.activities.models import Event, Venue
    from portal.model_base import utcnow

    title = "义务理发"
    with live.app.app_context():
        organiser = db.session.scalar(select(Person).filter_by(phone=ORGANISER))
        event = db.session.scalar(select(Event).filter_by(title_zh_hans=title))
        if event is None:
            venue = db.session.scalars(
                select(Venue).filter_by(community_id=organiser.community_id)
            ).first()
            ended = utcnow().replace(microsecond=0) - timedelta(hours=1)
            event = Event(
                community_id=organiser.community_id,
                venue_id=venue.id,
                organiser_id=organiser.id,
                title_zh_hans=title,
                title_en="Free haircuts",
                category="crafts",
                starts_at=ended - timedelta(hours=2),
                ends_at=ended,
                signup_required=False,
            )
            db.session.add(event)
            db.session.commit()
        event_id = event.id
        db.session.remove()
    _get(f"/points/staff/activities/{event_id}/helpers")(page, live)


def _wechat_code(page: Page, live: LiveServer) -> None:
    """The settings page showing the code to scan in WeChat, asked for when it is not yet."""
    page.goto(live("/account/notifications"))
    ask = page.locator("main form[action$='/wechat-code'] button")
    if ask.count():
        with page.expect_navigation(wait_until="load"):
            ask.click()
    assert page.locator("#wechat img.wechat-code").count() == 1


ROLES = (
    Role(
        "visitor",
        kiosk=False,
        sign_in=None,
        visits=(
            Visit("/", _get("/")),
            Visit("/sign-in", _get("/sign-in")),
            Visit("/sign-in (errors)", _sign_in_empty),
            Visit("/kiosk", _get("/kiosk")),
            Visit("/kiosk (error)", _kiosk_code_empty),
            Visit("/kiosk/pin", _kiosk_pin),
            Visit("/register", _get("/register")),
            Visit("404", _not_found),
        ),
    ),
    Role(
        "resident",
        kiosk=True,
        sign_in=_resident,
        visits=(
            Visit("/resident", _get("/resident")),
            Visit("/resident/family", _get("/resident/family")),
            Visit("/account/sign-ins", _get("/account/sign-ins")),
            Visit("/resident (idle warning)", _idle_warning),
            Visit("help sent", _help_sent),
            Visit("a service's question", _get("/help/services/water")),
            Visit("kinds of paperwork", _get("/paperwork/ask?service=paperwork")),
            Visit("what to have ready", _get("/paperwork/ask/pension")),
            Visit("my requests", _follow("/resident", "a.tile[href^='/help/residents/']")),
            Visit("/inbox", _get("/inbox")),
            Visit("canteen meals", _follow("/resident", "a.tile--primary")),
            Visit("canteen last day", _canteen_last_day),
            Visit("canteen menu", _canteen_menu),
            Visit("canteen check", _canteen_check),
            Visit("canteen booked", _canteen_booked),
            Visit("canteen cancel", _canteen_cancel),
            Visit("meal bookings", _follow("/resident", "a.tile[href$='/bookings']")),
            Visit("activities", _activities()),
            Visit("activities week", _activities("/week")),
            Visit("activities month", _activities("/month")),
            Visit("activity check", _activity_check),
            Visit("activity joined", _activity_joined),
            Visit("activity leave", _activity_leave),
            Visit("my activities", _activities("/mine")),
            Visit("meal delivery", _follow("/resident", "a.tile[href^='/delivery/residents/']")),
            Visit("daily check-in", _follow("/resident", "a.tile[href^='/care/check-ins/']")),
            Visit("delivery question: meals (errors)", _delivery_question_errors),
            Visit("delivery question: days", _delivery_question("days")),
            Visit("delivery question: start", _delivery_question("start")),
            Visit("delivery question: address", _delivery_question("address")),
            Visit("delivery check", _delivery_question("check")),
            Visit("my points", _follow("/resident", "a.tile[href='/points/']")),
            Visit("vouchers on offer", _get("/points/vouchers")),
            Visit("voucher check", _follow("/points/vouchers", "main .card a.button")),
            Visit("certificate of service hours", _get("/points/certificate")),
            Visit("give points", _get("/points/give")),
        ),
    ),
    Role(
        "family",
        kiosk=False,
        sign_in=_password(FAMILY),
        visits=(
            Visit("/family", _get("/family")),
            Visit("/family/links/new", _get("/family/links/new")),
            Visit("parent's requests", _follow("/family", "main a[href^='/help/residents/']")),
            Visit("parent's meals", _follow("/family", "main a[href^='/canteen/residents/']")),
            Visit(
                "parent's activities", _follow("/family", "main a[href^='/activities/residents/']")
            ),
            Visit(
                "parent's meal delivery", _follow("/family", "main a[href^='/delivery/residents/']")
            ),
            Visit("parent's data", _follow("/family", "main a[href$='/data']")),
            Visit(
                "parent's daily check-in", _follow("/family", "main a[href^='/care/check-ins/']")
            ),
            Visit("/inbox", _get("/inbox")),
            Visit("/account/sign-ins", _get("/account/sign-ins")),
            Visit("/account/password", _get("/account/password")),
            Visit("/account/notifications (WeChat code)", _wechat_code),
        ),
    ),
    Role(
        "volunteer",
        kiosk=False,
        sign_in=_password(VOLUNTEER),
        visits=(
            Visit("/volunteer", _get("/volunteer")),
            Visit("/help/queue", _get("/help/queue")),
            Visit("delivery rounds", _get("/delivery/rounds/")),
            Visit("a delivery round", _delivery_round),
            Visit("my points", _get("/points/")),
        ),
    ),
    Role(
        "grid worker",
        every_scheme=False,
        kiosk=False,
        sign_in=_password(GRID_WORKER),
        visits=(
            Visit("/day", _get("/day")),
            Visit("/staff", _get("/staff")),
            Visit("/help/queue", _get("/help/queue")),
            Visit("help request", _follow("/help/queue", "#queue a.queue__link")),
            Visit("/help/reports", _get("/help/reports")),
            Visit("/help/for-resident", _get("/help/for-resident")),
            Visit("/help/closed", _get("/help/closed")),
            Visit("/admin/residents/act", _get("/admin/residents/act")),
            Visit("/care/", _get("/care/")),
            Visit("a care visit", _follow("/care/", "main .care-due a.queue__link")),
            Visit("/care/reports", _get("/care/reports")),
            Visit("/paperwork/due", _get("/paperwork/due")),
            Visit("a paperwork request", _paperwork_request("/help/requests/{id}")),
            Visit("how the paperwork went", _paperwork_request("/paperwork/requests/{id}/outcome")),
        ),
    ),
    Role(
        "admin",
        every_scheme=False,
        kiosk=False,
        sign_in=_password(ADMIN),
        visits=(
            Visit("/staff", _get("/staff")),
            Visit("/admin/kiosks", _get("/admin/kiosks")),
            Visit("/admin/family-links", _get("/admin/family-links")),
            Visit("/admin/audit/", _get("/admin/audit/")),
            Visit("/admin/partners", _get("/admin/partners")),
            Visit("a partner", _follow("/admin/partners", "main .plain-list a")),
            Visit("/partner/settings", _get("/partner/settings")),
            Visit("/partner/report", _get("/partner/report")),
            Visit("a partner's rating", _follow("/partner/report", "main a[href*='/rating']")),
            Visit("/help/catalogue/", _get("/help/catalogue/")),
            Visit("/paperwork/kinds", _get("/paperwork/kinds")),
            Visit("a kind of paperwork", _follow("/paperwork/kinds", "main .card__title a")),
            Visit("a resident's yearly paperwork", _from_profile("main a[href$='/due']")),
            Visit("/care/cadence", _get("/care/cadence")),
            Visit("/admin/residents/", _get("/admin/residents/")),
            Visit("/admin/residents/ (found)", _get("/admin/residents/?q=wang&page=2")),
            Visit("a resident's profile", _follow("/admin/residents/", "main tbody a")),
            Visit("enrol a resident (refused)", _enrol_refused),
            Visit("a resident left home", _leaving_form),
            Visit("/admin/places/", _get("/admin/places/")),
            Visit("a grid", _follow("/admin/places/", "main tbody th a")),
            Visit("a building", _follow("/admin/places/", "main tbody td a")),
            Visit("merge a grid (asked)", _merge_asked),
            Visit("add a building (refused)", _building_refused),
            Visit("/admin/residents/import", _get("/admin/residents/import")),
            Visit("/admin/staff/", _get("/admin/staff/")),
            Visit("a copy of a resident's data", _from_profile("main a[href$='/data']")),
            Visit("deleting a resident's details (asked)", _from_profile("main a[href$='/erase']")),
            Visit("a person of the staff", _follow("/admin/staff/", "main tbody th a")),
            Visit("add a person to the staff (refused)", _staff_refused),
            Visit("a family member's one-time code", _family_code),
            Visit("an import checked", _import_checked),
            Visit("act for a resident", _get(f"/admin/residents/act?code={RESIDENT_ACTED_FOR}")),
            Visit("/admin/outbox", _get("/admin/outbox")),
            Visit("a meal booked for a resident (check)", _meal_check_for_resident),
            Visit("/admin/sign-ins", _get(f"/admin/sign-ins?person={RESIDENT_FOR_PAGES}")),
            Visit("/help/queue", _get("/help/queue")),
            Visit("/help/reports", _get("/help/reports")),
            Visit("points for deeds", _get("/points/admin/")),
            Visit("kinds of voucher", _get("/points/admin/vouchers")),
            Visit("new kind of voucher", _get("/points/admin/vouchers/new")),
            Visit("award points", _get("/points/admin/award")),
            Visit("service points report", _get("/points/admin/report")),
        ),
    ),
    Role(
        "street admin",
        every_scheme=False,
        kiosk=False,
        sign_in=_password(STREET_ADMIN),
        visits=(
            Visit("/admin/retention", _get("/admin/retention")),
            Visit("/admin/places/ (every community)", _get("/admin/places/")),
            Visit("/admin/communities/new", _get("/admin/communities/new")),
        ),
    ),
    Role(
        "canteen staff",
        every_scheme=False,
        kiosk=False,
        sign_in=_password(CANTEEN_STAFF),
        visits=(
            Visit("kitchen sheet", _canteen_staff_page("kitchen")),
            Visit("counter", _canteen_staff_page("counter")),
            Visit("counter (served)", _counter_served),
            Visit("canteens", _get("/canteen/staff/")),
            Visit("meals and prices", _canteen_staff_page("settings")),
            Visit("add a meal", _canteen_staff_page("services/new")),
            Visit("week's menus", _canteen_staff_page("menus")),
            Visit("menu editor", menu_editor),
            Visit("menu editor (errors)", _menu_editor_errors),
            Visit("change a dish", _dish_change),
            Visit("meal delivery", _delivery_staff()),
            Visit("delivery application", _delivery_application),
            Visit("delivery rounds", _delivery_staff("/rounds")),
            Visit("round sheet", _round_sheet),
            Visit("kitchen shifts", _points_staff_page("kitchen/{place}")),
            Visit("meal voucher found", _counter_voucher(dish=False)),
            Visit("meal voucher check", _counter_voucher(dish=True)),
        ),
    ),
    Role(
        "organiser",
        every_scheme=False,
        kiosk=False,
        sign_in=_password(ORGANISER),
        visits=(
            Visit("activities calendar", _organise_page("")),
            Visit("attendee list", _attendee_list),
            Visit("venues", _organise_page("venues")),
            Visit("add a venue", _organise_page("venues/new")),
            Visit("add an activity", _organise_page("events/new")),
            Visit("add an activity (errors)", _new_activity_errors),
            Visit("attendance", _organise_page("attendance")),
            Visit("helpers of an activity", _helpers_of_an_activity),
        ),
    ),
    Role(
        "partner",
        every_scheme=False,
        kiosk=False,
        sign_in=_password(PARTNER),
        visits=(
            Visit("/partner/", _get("/partner/")),
            Visit("a request handed over", _follow("/partner/", "main .queue a")),
            Visit("a request accepted", _follow("/partner/", "main .queue li:nth-child(2) a")),
        ),
    ),
)

ROLES_BY_NAME = {role.name: role for role in ROLES}
# (role name, page name) for every page, in order.
ALL_PAGES = tuple((role.name, visit.name) for role in ROLES for visit in role.visits)
