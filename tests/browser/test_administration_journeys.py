"""An office runs itself: it imports its own messy register, prints the new residents' slips in
one go, and a new resident signs in at the kiosk with the PIN on their slip; it takes on a grid
worker; it records a resident moving out; and a family downloads a parent's data."""

import json
from pathlib import Path

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect
from sqlalchemy import select

from portal.accounts import services as accounts
from portal.accounts.models import Person
from portal.canteen import services as canteen
from portal.canteen.models import Booking, BookingStatus
from portal.community.models import Building, Community, Grid, today_in
from portal.config import DEFAULT_TIMEZONE
from portal.extensions import db
from portal.help import services as help
from portal.help.models import Category
from portal.site.demo import COMMUNITIES, GRID_NAMES
from tests.browser.measure import problems_on
from tests.browser.support import (
    ADMIN,
    FAMILY,
    PASSWORD,
    PHONE,
    STREET_ADMIN,
    follow,
    sign_in_at_kiosk,
    sign_in_with_password,
    submit,
)

pytestmark = pytest.mark.browser

NEW_WORKER = "13912340201"


def _register(path) -> None:
    """A register as offices keep it: a merged title, a blank line, full-width digits, dates as
    Excel serials and as 1941/3/5, and one row naming a building the community does not have."""
    book = Workbook()
    sheet = book.active
    sheet.append(["锦绣园社区老年人台账（2026年12月）"])
    sheet.merge_cells("A1:F1")
    sheet.append([])
    sheet.append(["序号", "老人姓名", "出生年月日", "楼号", "门牌号", "联系电话"])
    sheet.append([1, "欧阳秀珍", 15500, "２号楼", "301", "１３９１２３４０１０１"])
    sheet.append([])
    sheet.append([2, "诸葛明", "1938/11/2", "5", "1202", ""])
    sheet.append([3, "司马兰", "1940/2/30", "99号楼", "", ""])
    book.save(path)


def test_an_office_imports_its_register_and_a_new_resident_signs_in_with_their_slip(
    new_context, live, tmp_path
):
    register = tmp_path / "台账.xlsx"
    _register(register)
    admin = new_context(language="en").new_page()
    sign_in_with_password(admin, live, STREET_ADMIN)
    admin.goto(live("/admin/residents/"))
    follow(admin, admin.locator("main a", has_text="Import from a spreadsheet"))
    admin.set_input_files("#file", str(register))
    admin.select_option("#community", label=COMMUNITIES[1][0])
    submit(admin, admin.locator("main form[enctype] button"))

    expect(admin.locator("h1")).to_contain_text("台账.xlsx")
    expect(admin.locator("#name option:checked")).to_have_text("老人姓名")
    expect(admin.locator("main")).to_contain_text("2 new residents")
    expect(admin.locator("main")).to_contain_text("1 row with problems")
    expect(admin.locator("main")).to_contain_text("“1940/2/30” is not a date of birth")
    expect(admin.locator("main")).to_contain_text("The community has no building “99号楼”.")
    submit(admin, admin.locator("main form[action$='/run'] button"))
    expect(admin.locator("main")).to_contain_text("Imported: 2 new, 0 changed, 0 unchanged.")
    assert not problems_on(admin)

    submit(admin, admin.locator("main form[action$='/slips'] button"))
    slips = admin.locator(".pin-slip")
    expect(slips).to_have_count(2)
    assert not problems_on(admin)
    expect(admin.locator("[data-print]")).to_be_visible()
    slip = slips.filter(has_text="欧阳秀珍")
    code = slip.locator("dd").nth(0).inner_text().strip()
    pin = slip.locator("dd").nth(1).inner_text().strip()

    resident = new_context(kiosk=True, language="en").new_page()
    sign_in_at_kiosk(resident, live, code, pin=pin)
    assert resident.url == live("/resident")
    expect(resident.locator("main")).to_contain_text("欧阳秀珍")


def test_a_new_grid_worker_signs_in_with_their_code_and_stands_in_for_another_grid(
    new_context, live
):
    admin = new_context(language="en").new_page()
    sign_in_with_password(admin, live, ADMIN)
    admin.goto(live("/admin/staff/"))
    follow(admin, admin.locator("main a", has_text="Add a person"))
    admin.fill("#name", "新来的网格员")
    admin.fill("#phone", NEW_WORKER)
    admin.locator("input[name=roles][value=grid_worker]").check()
    admin.locator("input[name=worker_grids]").first.check()
    submit(admin, admin.locator("main form button.button--primary"))
    expect(admin.locator("h1")).to_contain_text("One-time code for 新来的网格员")
    assert not problems_on(admin)
    code = admin.locator(".pin-slip dd").nth(1).inner_text().strip()

    worker = new_context(language="en").new_page()
    sign_in_with_password(worker, live, NEW_WORKER, password=code)
    expect(worker.locator("h1")).to_have_text("Choose your own password")
    assert not problems_on(worker)
    worker.fill("#password", "a password of my own")
    worker.fill("#confirm", "a password of my own")
    submit(worker, worker.locator("main form button.button--primary"))
    expect(worker.locator("main")).to_contain_text("Your password is set.")
    # A resident of the second grid asks for help; the new worker of the first does not see it.
    with live.app.app_context():
        resident = db.session.scalar(
            select(Person)
            .join(Building, Building.id == Person.building_id)
            .join(Grid, Grid.id == Building.grid_id)
            .join(Community, Community.id == Grid.community_id)
            .where(Grid.name == GRID_NAMES[1], Community.name == COMMUNITIES[0][0])
            .where(Person.resident_code.is_not(None), Person.active.is_(True))
            .order_by(Person.id)
        )
        help.raise_request(resident, Category.COMPANY, resident)
        db.session.remove()
    card = worker.locator("#queue .queue__where", has_text=GRID_NAMES[1])
    worker.goto(live("/help/queue"))
    expect(card).to_have_count(0)

    # The admin has them stand in for the second grid from today, while its worker is away.
    admin.goto(live("/admin/staff/"))
    follow(admin, admin.locator("main tbody a", has_text="新来的网格员"))
    admin.select_option("#grid", label=GRID_NAMES[1])
    today = today_in(DEFAULT_TIMEZONE).isoformat()
    admin.fill("#starts_on", today)
    admin.fill("#ends_on", today)
    submit(admin, admin.locator("main form[action$='/backups'] button"))
    expect(admin.locator("main")).to_contain_text(f"stands in for {GRID_NAMES[1]}")
    worker.goto(live("/help/queue"))
    expect(card.first).to_be_visible()


# A resident of the demo's first community who has meal delivery and no part in other journeys.
MOVING_OUT = "100054"
HER_SON = "13912340301"


def test_a_resident_moves_out_their_meals_go_back_and_their_son_is_told(new_context, live):
    with live.app.app_context():
        resident = db.session.scalar(select(Person).where(Person.resident_code == MOVING_OUT))
        son = accounts.register_family_member("罗军", HER_SON, PASSWORD)
        accounts.decide_link(accounts.request_link(son, MOVING_OUT, "son"), resident, True)
        place = canteen.canteen_of(resident)
        today = resident.today()
        meal_day = next(
            m
            for m in canteen.open_meal_days(place, today)
            if m.day > today and canteen.existing_booking(resident, m) is None
        )
        booking, created = canteen.book(resident, meal_day.dishes[0], "dine_in", son)
        assert created
        deliveries = _standing_deliveries(resident)
        assert deliveries
        booking_id, resident_id = booking.id, resident.id
        db.session.remove()

    admin = new_context(language="en").new_page()
    sign_in_with_password(admin, live, ADMIN)
    admin.goto(live(f"/admin/residents/?q={MOVING_OUT}"))
    follow(admin, admin.locator("main tbody th a").first)
    follow(admin, admin.locator("main a", has_text="Record that they left home"))
    admin.locator("input[name=reason][value=moved_out]").check()
    submit(admin, admin.locator("main form button.button--primary"))
    status = admin.locator("#status")
    expect(status).to_contain_text("Moved out")
    expect(status).to_contain_text(f"Given back: 1 meal, {len(deliveries)} meal deliveries")
    expect(admin.locator("main a", has_text="Record that they left home")).to_have_count(0)

    family = new_context(language="en", viewport=PHONE).new_page()
    sign_in_with_password(family, live, HER_SON)
    family.goto(live("/inbox"))
    expect(family.locator("main")).to_contain_text("has recorded that 罗霞 moved out")
    with live.app.app_context():
        assert db.session.get(Booking, booking_id).status == BookingStatus.CANCELLED
        assert _standing_deliveries(db.session.get(Person, resident_id)) == []
        db.session.remove()


def _standing_deliveries(resident) -> list[int]:
    """The resident's meal deliveries that can still be given back: their cut-off is ahead."""
    query = select(Booking).where(
        Booking.resident_id == resident.id,
        Booking.mode == "delivery",
        Booking.status == BookingStatus.BOOKED,
    )
    return [b.id for b in db.session.scalars(query) if not b.meal_day.past_cutoff]


def test_a_daughter_downloads_everything_the_portal_holds_about_her_father(new_context, live):
    family = new_context(language="en", viewport=PHONE).new_page()
    sign_in_with_password(family, live, FAMILY)
    follow(family, family.locator("main a[href$='/data']").first)
    expect(family.locator("h1")).to_contain_text("Everything Linli holds about")
    name = family.locator("h1").inner_text().removeprefix("Everything Linli holds about ")
    with family.expect_download() as download:
        family.locator("main a[download]").click()
    copy = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert name in json.dumps(copy, ensure_ascii=False)
    assert download.value.suggested_filename.endswith(".json")
