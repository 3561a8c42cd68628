"""Pension authentication (养老金认证) done through a request: the resident taps the paperwork
button at the kiosk, chooses the pension and reads what to have ready; the grid worker, on a
phone, ticks the documents taken, the resident confirms handing them over, the worker records it
done and gives them back, the resident confirms having them back; next year's date is set, and a
month before it the resident and their daughter are reminded."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from portal.accounts.models import Person
from portal.notifications.models import Notification
from portal.paperwork import services as paperwork
from portal.paperwork.models import PaperworkDue
from tests.browser.support import (
    GRID_WORKER,
    PHONE,
    LiveServer,
    sign_in_at_kiosk,
    sign_in_with_password,
    submit,
)

pytestmark = pytest.mark.browser

# A resident of the demo in GRID_WORKER's grid with no pension date yet, and their daughter.
RESIDENT = "100098"
DAUGHTER = "13800000431"


def _ask_for_the_pension(live: LiveServer, new_context) -> tuple[Page, int]:
    """Three taps from the kiosk's home: paperwork, the pension, ask the grid worker."""
    resident = new_context(kiosk=True, language="zh_Hans").new_page()
    sign_in_at_kiosk(resident, live, RESIDENT)
    submit(resident, resident.locator(".help-buttons a.help-button[href^='/paperwork/ask']"))
    expect(resident.locator("h1")).to_have_text("您要办哪项事？")
    submit(resident, resident.locator("main a.help-button", has_text="养老金认证"))
    expect(resident.locator(".checklist li")).to_have_text(["身份证", "社保卡", "银行卡"])
    send = resident.locator("main button.button--huge")
    expect(send).to_have_text("请网格员上门办理")
    expect(send).to_be_in_viewport()  # the checklist and the button on the kiosk's first screen
    submit(resident, send)
    expect(resident.locator(".panel--confirmation")).to_contain_text("请为网格员准备好这些材料")
    return resident, int(resident.url.rstrip("/").split("/")[-2])


def _tick(worker: Page, action: str, document: str) -> None:
    card = worker.locator("section.paperwork .card", has_text=document)
    submit(worker, card.locator(f"form[action$='/{action}'] button"))


def test_pension_authentication_recorded_and_next_years_reminder_scheduled(new_context, live):
    resident, number = _ask_for_the_pension(live, new_context)

    worker = new_context(language="en", viewport=PHONE).new_page()
    sign_in_with_password(worker, live, GRID_WORKER)
    worker.goto(live(f"/help/requests/{number}"))
    submit(worker, worker.locator("main form[action$='/take'] button"))
    expect(worker.locator("section.paperwork h2")).to_have_text("Paperwork: Pension authentication")
    _tick(worker, "taken", "ID card")
    _tick(worker, "taken", "Social security card")
    expect(worker.locator(".notice--success")).to_contain_text("Recorded as taken")

    resident.goto(live("/resident"))
    submit(resident, resident.locator("a.tile[href^='/help/residents/']"))
    card = resident.locator(".card", has_text="养老金认证")
    expect(card).to_contain_text("记下了您交出的：身份证、社保卡。")
    submit(resident, card.locator("form:has(input[value='given']) button"))
    expect(resident.locator(".notice--success")).to_contain_text("谢谢，已记录。")

    worker.reload()
    expect(worker.locator("section.paperwork")).not_to_contain_text("not confirmed")
    submit(worker, worker.locator("section.paperwork a[href$='/outcome']"))
    worker.get_by_label("Done", exact=True).check()
    worker.fill("textarea[name=note]", "已人脸识别认证，本年度认证完成")
    submit(worker, worker.locator("main form[action$='/outcome'] button"))
    expect(worker.locator("section.paperwork dl.facts")).to_contain_text("Next due")
    _tick(worker, "returned", "ID card")
    _tick(worker, "returned", "Social security card")

    resident.reload()
    card = resident.locator(".card", has_text="养老金认证")
    expect(card).to_contain_text("记下了已还给您的：身份证、社保卡。")
    submit(resident, card.locator("form:has(input[value='back']) button"))
    card = resident.locator(".card", has_text="养老金认证")
    expect(card).to_contain_text("已人脸识别认证，本年度认证完成")
    expect(card).to_contain_text("到期前一个月和一周会提醒您和家人")
    expect(card.locator("form[action$='/confirm']")).to_have_count(0)

    worker.reload()
    expect(worker.locator("section.paperwork")).to_contain_text("confirmed by", use_inner_text=True)
    expect(worker.locator("section.paperwork form[action$='/returned']")).to_have_count(0)

    from portal.extensions import db

    with live.app.app_context():
        person = db.session.scalar(select(Person).where(Person.resident_code == RESIDENT))
        due = db.session.scalars(
            select(PaperworkDue).where(PaperworkDue.resident_id == person.id)
        ).one()
        done_on = due.last_done_on
        assert due.due_on == paperwork.add_months(done_on, 12)
        assert due.kind.code == "pension"
        # A month before, at ten in the morning, the reminders go out: to her and her daughter.
        zone = ZoneInfo(person.community.timezone)
        month_before = paperwork.add_months(due.due_on, -1)
        ten = datetime.combine(month_before, time(10), tzinfo=zone).astimezone(ZoneInfo("UTC"))
        instant = ten.replace(tzinfo=None)

        def told() -> list[int]:
            return db.session.scalars(
                select(Notification.recipient_id).where(
                    Notification.kind == "paperwork.due",
                    Notification.params["resident_id"].as_integer() == person.id,
                )
            ).all()

        paperwork.send_reminders(instant - timedelta(days=1))
        assert told() == []
        paperwork.send_reminders(instant)
        daughter = db.session.scalar(select(Person.id).where(Person.phone == DAUGHTER))
        assert sorted(told()) == sorted([person.id, daughter])
        db.session.remove()

    family = new_context(language="zh_Hans", viewport=PHONE).new_page()
    sign_in_with_password(family, live, DAUGHTER)
    family.goto(live("/inbox"))
    reminder = family.locator("main .card", has_text="养老金认证还有一个月到期")
    expect(reminder).to_have_count(1)
    submit(family, reminder.locator("a"))
    expect(family.locator("h1")).to_contain_text("养老金认证")
    expect(family.locator(".checklist li")).to_have_count(3)
