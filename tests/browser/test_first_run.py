"""A real office's first day, from an empty database: `portal setup` and `portal admin create` on
the command line, then everything else in the browser: its grid and building, its register
imported from a GBK spreadsheet, the new residents' slips, the activity room's tablet enrolled as
the kiosk, and a resident signing in there with the PIN on their slip."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

from portal import create_app
from tests.browser.conftest import LIVE_CONFIG, serving
from tests.browser.measure import problems_on
from tests.browser.support import (
    empty_database,
    follow,
    open_context,
    sign_in_at_kiosk,
    sign_in_with_password,
    submit,
)

pytestmark = pytest.mark.browser

PORTAL = str(Path(sys.executable).with_name("portal"))
FIRST_RUN_DATABASE = "linli_first_run"
ADMIN_PHONE = "13912345678"
ADMIN_PASSWORD = "our own office 2026"


def _portal(database_url: str, *args: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "DATABASE_URL": database_url}
    environment["LINLI_ADMIN_PASSWORD"] = ADMIN_PASSWORD
    return subprocess.run(
        [PORTAL, *args], env=environment, capture_output=True, text=True, check=False
    )


@pytest.fixture
def empty_portal(database_url, tmp_path):
    """A portal on an empty database that only `portal setup` and `portal admin create` have
    touched, on 127.0.0.1 and a free port."""
    url = empty_database(database_url, tmp_path, FIRST_RUN_DATABASE)
    set_up = _portal(url, "setup")
    assert set_up.returncode == 0, set_up.stderr
    created = _portal(
        url,
        "admin",
        "create",
        "--street-office",
        "花园街道",
        "--street-hotline",
        "0871-60000001",
        "--community",
        "锦绣园社区",
        "--community-hotline",
        "0871-61000001",
        "--name",
        "陈主任",
        "--phone",
        ADMIN_PHONE,
    )
    assert created.returncode == 0, created.stderr
    assert "陈主任 administers 锦绣园社区" in created.stdout
    with serving(create_app({**LIVE_CONFIG, "SQLALCHEMY_DATABASE_URI": url})) as live:
        yield live


def _register(path: Path) -> None:
    """The office's register as Excel saves a CSV on a Chinese Windows: GBK, a title line."""
    lines = [
        "锦绣园社区老年人台账,,,,",
        "姓名,出生日期,楼号,房号,联系电话",
        "欧阳秀珍,1941/3/5,2号楼,301,13912340101",
        "诸葛明,1938-11-02,2号楼,1202,",
    ]
    path.write_bytes("\r\n".join(lines).encode("gbk"))


def test_an_office_goes_from_an_empty_database_to_a_resident_signed_in_at_its_kiosk(
    browser, empty_portal, tmp_path
):
    live = empty_portal
    office = open_context(browser, live, language="en")
    admin = office.new_page()
    sign_in_with_password(admin, live, ADMIN_PHONE, password=ADMIN_PASSWORD)
    expect(admin.locator("h1")).to_have_text("Hello, 陈主任")

    follow(admin, admin.locator("main a.tile", has_text="Grids and buildings"))
    expect(admin.locator("main")).to_contain_text("No grids yet: add the first one.")
    assert not problems_on(admin)
    admin.locator("main form input[name$='-name']").fill("第一网格")
    submit(admin, admin.locator("main form button", has_text="Add a grid"))
    follow(admin, admin.locator("main tbody th a", has_text="第一网格"))
    follow(admin, admin.locator("main a", has_text="Add a building"))
    admin.fill("#name", "2号楼")
    admin.fill("#units", "2")
    admin.fill("#floors", "12")
    admin.locator("input[name=has_lift][value=yes]").check()
    submit(admin, admin.locator("main form button.button--primary"))
    expect(admin.locator("main")).to_contain_text("2号楼")

    register = tmp_path / "台账.csv"
    _register(register)
    admin.goto(live("/admin/residents/"))
    expect(admin.locator("main")).to_contain_text("No residents yet")
    assert not problems_on(admin)
    follow(admin, admin.locator("main a", has_text="Import from a spreadsheet"))
    admin.set_input_files("#file", str(register))
    submit(admin, admin.locator("main form[enctype] button"))
    expect(admin.locator("main")).to_contain_text("2 new residents")
    submit(admin, admin.locator("main form[action$='/run'] button"))
    expect(admin.locator("main")).to_contain_text("Imported: 2 new, 0 changed, 0 unchanged.")
    submit(admin, admin.locator("main form[action$='/slips'] button"))
    slip = admin.locator(".pin-slip").filter(has_text="欧阳秀珍")
    code = slip.locator("dd").nth(0).inner_text().strip()
    pin = slip.locator("dd").nth(1).inner_text().strip()

    # The activity room's tablet: the admin signs in on it once, enrols it and signs out.
    tablet = open_context(browser, live, language="en").new_page()
    sign_in_with_password(tablet, live, ADMIN_PHONE, password=ADMIN_PASSWORD)
    tablet.goto(live("/admin/kiosks"))
    tablet.fill("#location", "活动室")
    submit(tablet, tablet.locator("main form button", has_text="Enrol this device"))
    expect(tablet.locator("#status")).to_contain_text("This device is now the kiosk at 活动室")
    submit(tablet, tablet.locator("form[action='/sign-out'] button"))

    sign_in_at_kiosk(tablet, live, code, pin=pin)
    assert tablet.url == live("/resident")
    expect(tablet.locator("main")).to_contain_text("欧阳秀珍")
