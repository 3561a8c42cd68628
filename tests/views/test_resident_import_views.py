"""The office imports its register and exports its resident list, in the browser's forms."""

import io

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from portal.accounts.models import Person, Role
from portal.administration.models import ResidentImport
from portal.extensions import db
from tests.helpers import html


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("linli_lang", "en")


def _xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _send(client, content: bytes, name: str):
    return client.post(
        "/admin/residents/import",
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def test_an_upload_that_is_no_spreadsheet_is_refused_in_words(client, world, sign_in):
    sign_in.password(world.person(Role.ADMIN))
    page = html(client.get("/admin/residents/import"))
    assert page.select_one("form[enctype='multipart/form-data'] #file")
    empty = client.post("/admin/residents/import", data={}, content_type="multipart/form-data")
    assert empty.status_code == 422
    assert "Choose the spreadsheet" in html(empty).select_one("#file-error").text
    old = _send(client, b"\xd0\xcf\x11\xe0", "old.xls")
    assert "Save an .xls file as .xlsx first" in html(old).select_one("#file-error").text
    broken = _send(client, b"PK\x03\x04 broken", "broken.xlsx")
    assert broken.status_code == 422
    assert "holds no rows we can read" in html(broken).select_one("#file-error").text
    assert db.session.scalar(select(func.count(ResidentImport.id))) == 0


def test_an_office_imports_its_register_checks_it_and_prints_the_slips(client, world, sign_in):
    admin = world.person(Role.ADMIN)
    sign_in.password(admin)
    content = _xlsx(
        [
            ["老年人台账"],
            ["序号", "老人姓名", "出生年月日", "楼号", "门牌号", "联系电话"],
            [1, "王桂兰", "1941/3/5", "1号楼", "302", "13800138000"],
            [2, "李秀英", 15500, "9号楼", "", ""],
        ]
    )
    sent = _send(client, content, "台账.xlsx")
    assert sent.status_code in (302, 303)
    made = db.session.scalar(select(ResidentImport))
    page = html(client.get(sent.headers["Location"]))
    assert page.select_one("#name option[selected]").text == "老人姓名"
    assert page.select_one("#building option[selected]").text == "楼号"
    rows = page.get_text(" ")
    assert "1 new resident" in rows and "1 row with problems" in rows
    assert "The community has no building “9号楼”." in rows
    # The same column twice is refused.
    twice = client.post(
        f"/admin/residents/imports/{made.id}/columns", data={"name": "1", "building": "1"}
    )
    assert twice.status_code == 422
    assert "chosen for Name already" in html(twice).select_one("#building-error").text
    report = client.get(f"/admin/residents/imports/{made.id}/problems.csv")
    lines = report.data.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Line,序号,老人姓名")
    assert lines[1].startswith("4,2,李秀英") and "no building" in lines[1]

    done = client.post(f"/admin/residents/imports/{made.id}/run")
    assert done.status_code in (302, 303)
    result = html(client.get(done.headers["Location"]))
    assert "Imported: 1 new, 0 changed, 0 unchanged." in result.get_text()
    assert "1 new resident enrolled" in result.get_text()
    # A second tap shows what the first did and imports nothing.
    client.post(f"/admin/residents/imports/{made.id}/run")
    assert db.session.scalar(select(func.count(Person.id)).where(Person.name == "王桂兰")) == 1

    slips = client.post(f"/admin/residents/imports/{made.id}/slips")
    assert slips.headers["Cache-Control"] == "no-store"
    slip = html(slips).select_one(".pin-slip")
    resident = db.session.scalar(select(Person).where(Person.name == "王桂兰"))
    code, pin = (dd.text for dd in slip.select("dd"))
    assert code == resident.resident_code and len(pin) == 6
    again = html(client.post(f"/admin/residents/imports/{made.id}/slips"))
    assert again.select(".pin-slip") == []
    assert "has a PIN already" in again.get_text()


def test_the_resident_list_downloads_as_csv_and_xlsx_with_its_filters(client, world, sign_in):
    sign_in.password(world.person(Role.ADMIN))
    world.person(Role.RESIDENT, name="王芳", room="501")
    world.person(Role.RESIDENT, name="李娜")
    listed = html(client.get("/admin/residents/?q=wang"))
    assert listed.select_one("a[href='/admin/residents/export.xlsx?q=wang']")
    csv_text = client.get("/admin/residents/export.csv?q=wang").data.decode("utf-8-sig")
    lines = csv_text.splitlines()
    assert lines[0].startswith("居民编号,姓名,出生日期") and len(lines) == 2
    assert ",王芳," in lines[1]
    workbook = client.get("/admin/residents/export.xlsx")
    assert "attachment" in workbook.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(workbook.data)).active
    assert sorted(row[1] for row in sheet.iter_rows(min_row=2, values_only=True)) == [
        "李娜",
        "王芳",
    ]
    assert client.get("/admin/residents/export.csv?grid=nonsense").status_code == 422


def test_imports_of_another_community_are_not_found(client, world, sign_in):
    admin = world.person(Role.ADMIN)
    sign_in.password(admin)
    _send(client, _xlsx([["姓名", "楼栋"], ["王", "1号楼"]]), "a.xlsx")
    made = db.session.scalar(select(ResidentImport))
    sign_in.password(world.person(Role.GRID_WORKER))
    assert client.get(f"/admin/residents/imports/{made.id}").status_code == 403
