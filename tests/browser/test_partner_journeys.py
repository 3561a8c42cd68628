"""A request that goes through partners: the resident taps "Water problem" at the kiosk and
answers its two questions; the grid worker hands it to the property company; its repairman, on
his phone, accepts it and hands it on to the water company, whose plumber fixes it and says so;
the resident confirms. And a partner that does not accept in time gives the request back to the
grid worker, who is warned."""

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from portal.accounts.models import Person, Role, RoleGrant
from portal.accounts.services import set_password
from portal.community.models import Partner
from portal.help import services as help
from portal.help.models import HelpRequest
from portal.notifications.models import Notification
from tests.browser.support import (
    GRID_WORKER,
    PASSWORD,
    PHONE,
    LiveServer,
    sign_in_at_kiosk,
    sign_in_with_password,
    submit,
)

pytestmark = pytest.mark.browser

# Residents of the demo in GRID_WORKER's grid, of 幸福里社区, one per journey.
RESIDENT_CHAIN = "100037"
RESIDENT_LAPSED = "100038"
PROPERTY_COMPANY = "幸福里物业服务中心"
WATER_COMPANY = "自来水公司 水务抢修"


def _partner_person(live: LiveServer, partner_name: str, name: str, phone: str) -> None:
    """Someone who acts for the demo's partner of that name in 幸福里社区, with a password."""
    from portal.extensions import db

    with live.app.app_context():
        partner = db.session.scalar(
            select(Partner).where(Partner.name == partner_name, Partner.community_id == 1)
        )
        if db.session.scalar(select(Person).where(Person.phone == phone)) is None:
            person = Person(name=name, phone=phone, community_id=partner.community_id)
            person.grants.append(RoleGrant(role=Role.PARTNER, partner=partner))
            set_password(person, PASSWORD)
            person.must_set_password = False
            db.session.add(person)
            db.session.commit()
        db.session.remove()


def _raise_repair(live: LiveServer, new_context, code: str) -> tuple[Page, int]:
    resident = new_context(kiosk=True, language="en").new_page()
    sign_in_at_kiosk(resident, live, code)
    submit(resident, resident.locator(".help-buttons form:has(input[value='repair']) button"))
    number = int(resident.url.rstrip("/").split("/")[-2])
    return resident, number


def _ask_about_water(live: LiveServer, new_context, code: str) -> tuple[Page, int]:
    """The resident taps "Water problem" at the kiosk and answers its two questions: five taps."""
    resident = new_context(kiosk=True, language="en").new_page()
    sign_in_at_kiosk(resident, live, code)
    submit(resident, resident.locator(".help-buttons a.help-button[href='/help/services/water']"))
    expect(resident.locator("h1")).to_have_text("Where is the problem?")
    resident.locator("label.choice", has_text="Kitchen").click()
    submit(resident, resident.locator("main button.button--huge"))
    expect(resident.locator("h1")).to_have_text("Do the neighbours have it too?")
    resident.locator("label.choice", has_text="Yes").click()
    send = resident.locator("main button.button--huge")
    expect(send).to_have_text("Send the request")
    expect(send).to_be_in_viewport()
    submit(resident, send)
    expect(resident.locator(".key-figure")).to_contain_text("Water problem")
    return resident, int(resident.url.rstrip("/").split("/")[-2])


def _hand_to(worker: Page, live: LiveServer, number: int, partner: str, text: str) -> None:
    worker.goto(live(f"/help/requests/{number}"))
    submit(worker, worker.locator("main form[action$='/take'] button"))
    worker.locator("details.action:has(form[action$='/hand-off']) > summary").click()
    worker.select_option("form[action$='/hand-off'] select", label=partner)
    worker.fill("form[action$='/hand-off'] textarea", text)
    submit(worker, worker.locator("form[action$='/hand-off'] button"))
    expect(worker.locator(".notice--info")).to_contain_text(partner)


def test_property_company_hands_on_to_the_water_company(new_context, live):
    _partner_person(live, PROPERTY_COMPANY, "张师傅", "13912349001")
    _partner_person(live, WATER_COMPANY, "刘师傅", "13912349002")
    resident, number = _ask_about_water(live, new_context, RESIDENT_CHAIN)

    worker = new_context(language="en").new_page()
    sign_in_with_password(worker, live, GRID_WORKER)
    worker.goto(live(f"/help/requests/{number}"))
    expect(worker.locator("main")).to_contain_text("Where is the problem?")
    expect(worker.locator("main dl.facts").last).to_contain_text("Kitchen")
    _hand_to(worker, live, number, PROPERTY_COMPANY, "厨房水龙头没有水，请上门")

    repairman = new_context(language="en", viewport=PHONE).new_page()
    sign_in_with_password(repairman, live, "13912349001")
    card = repairman.locator(f"main .queue a[href='/partner/requests/{number}']")
    expect(card).to_contain_text("Waiting for you to accept")
    submit(repairman, card)
    accept = repairman.locator("main form[action$='/accept'] button")
    expect(accept).to_be_in_viewport()  # the first thing to do, on the first screen
    submit(repairman, accept)
    expect(repairman.locator(".notice--success")).to_contain_text("Accepted")

    resident.goto(live("/resident"))
    submit(resident, resident.locator("a.tile[href^='/help/residents/']"))
    expect(resident.locator(".card").first).to_contain_text(
        f"{PROPERTY_COMPANY} has accepted it and is on the way."
    )

    repairman.locator("details.action:has(form[action$='/notes']) > summary").click()
    repairman.fill("form[action$='/notes'] textarea", "楼里水压低，是总管的问题")
    repairman.check("form[action$='/notes'] input[value='staff']")
    submit(repairman, repairman.locator("form[action$='/notes'] button"))
    repairman.locator("details.action:has(form[action$='/hand-on']) > summary").click()
    repairman.select_option("form[action$='/hand-on'] select", label=WATER_COMPANY)
    repairman.fill("form[action$='/hand-on'] textarea", "总管水压低，请检修")
    submit(repairman, repairman.locator("form[action$='/hand-on'] button"))
    expect(repairman.locator("h1")).to_contain_text("Requests handed to you")
    expect(repairman.locator(f"a[href='/partner/requests/{number}']")).to_have_count(0)

    plumber = new_context(language="zh_Hans", viewport=PHONE).new_page()
    sign_in_with_password(plumber, live, "13912349002")
    submit(plumber, plumber.locator(f"main .queue a[href='/partner/requests/{number}']"))
    expect(plumber.locator("main .history")).to_contain_text("楼里水压低，是总管的问题")
    submit(plumber, plumber.locator("main form[action$='/accept'] button"))
    plumber.locator("details.action:has(form[action$='/done']) > summary").click()
    plumber.fill("form[action$='/done'] textarea", "更换了减压阀，水压正常")
    submit(plumber, plumber.locator("form[action$='/done'] button"))
    expect(plumber.locator(".notice--success")).to_contain_text("已办结")

    resident.reload()
    card = resident.locator(".card", has_text="更换了减压阀，水压正常")
    expect(card).to_contain_text(f"{WATER_COMPANY} says it is done. Is it fixed?")
    expect(card).not_to_contain_text("楼里水压低")
    submit(resident, card.locator("form:has(input[value='yes']) button"))
    expect(resident.locator("#status")).to_contain_text("The request is closed")

    worker.goto(live(f"/help/requests/{number}"))
    history = worker.locator(".history")
    for words in ("Accepted it", "Handed it on", "楼里水压低", "更换了减压阀", "Said it is fixed"):
        expect(history).to_contain_text(words)
    from portal.extensions import db

    with live.app.app_context():
        told = db.session.scalars(
            select(Notification.params)
            .where(
                Notification.kind == "help.partner_news",
                Notification.recipient_id == db.session.get(HelpRequest, number).holder_id,
            )
            .order_by(Notification.id)
        ).all()
        assert [(p["reference"], p["what"]) for p in told if p["request_id"] == number] == [
            (HelpRequest.reference_of(number), "handed_on"),
            (HelpRequest.reference_of(number), "resolved"),
        ]
        db.session.remove()


def test_a_partner_that_does_not_accept_in_time_gives_it_back(new_context, live, clock):
    _resident, number = _raise_repair(live, new_context, RESIDENT_LAPSED)
    worker = new_context(language="zh_Hans").new_page()
    sign_in_with_password(worker, live, GRID_WORKER)
    _hand_to(worker, live, number, PROPERTY_COMPANY, "楼道灯不亮")

    clock.shift(timedelta(minutes=121))  # the community's two hours pass unanswered
    from portal.extensions import db

    with live.app.app_context():
        assert help.return_unaccepted() >= 1
        db.session.remove()
    worker.goto(live(f"/help/requests/{number}"))
    expect(worker.locator(".notice--error")).to_contain_text("合作单位")
    expect(worker.locator(".history")).to_contain_text("未按时接单")
    worker.locator("details.action:has(form[action$='/hand-off']) > summary").click()
    expect(worker.locator("form[action$='/hand-off'] select")).to_be_visible()
