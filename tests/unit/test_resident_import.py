"""Importing residents from the community's own spreadsheets: messy files read, each row's
problems in words, good rows imported once, and the same file twice changing nothing."""

import io
from datetime import date

import pytest
from flask_babel import force_locale
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from portal.accounts.models import Person, Role
from portal.administration import imports, residents
from portal.administration.models import ImportColumns
from portal.audit.models import AuditEntry
from portal.community.models import Building
from portal.extensions import db
from portal.web import spreadsheets

TODAY = date(2026, 3, 1)


@pytest.fixture(autouse=True)
def english(app):
    """Problems are put in the words of the admin's language."""
    with app.test_request_context(), force_locale("en"):
        yield


def _xlsx(rows, merge=None) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for cells in merge or ():
        sheet.merge_cells(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _csv(lines: list[str], encoding="gbk") -> bytes:
    return "\r\n".join(lines).encode(encoding)


@pytest.fixture
def buildings(world):
    three = Building(name="3号楼", grid=world.grid)
    db.session.add(three)
    db.session.commit()
    return world.building, three


def _residents():
    return db.session.scalar(select(func.count(Person.id)).where(Person.resident_code.is_not(None)))


def test_a_register_with_a_merged_title_blank_lines_and_full_width_digits_is_read():
    data = _xlsx(
        [
            ["幸福里社区老年人台账（2026年）", None, None, None],
            [None, None, None, None],
            ["序号", "姓名", "出生日期", "手机号码"],
            [1, "王桂兰", 15040, "１３８００１３８０００"],
            [None, None, None, None],
            [2, "李秀英", "1941/3/5", None],
        ],
        merge=["A1:D1"],
    )
    rows = spreadsheets.read("台账.xlsx", data)
    # Blank lines are left out, and each row keeps its line; the merged title fills its row.
    assert [line for line, _row in rows] == [1, 3, 4, 6]
    assert rows[0][1] == ["幸福里社区老年人台账(2026年)"] * 4
    assert spreadsheets.header_row(rows, imports.known) == 1
    assert rows[2][1] == ["1", "王桂兰", "15040", "13800138000"]


def test_a_csv_is_read_as_utf8_or_gbk():
    lines = ["姓名,出生日期", "王桂兰,1941-03-05"]
    assert spreadsheets.read("a.csv", _csv(lines, "gbk"))[1] == (2, ["王桂兰", "1941-03-05"])
    assert spreadsheets.read("a.csv", _csv(lines, "utf-8-sig"))[1][1][0] == "王桂兰"
    assert spreadsheets.read("a.csv", _csv(["姓名\t楼栋", "王桂兰\t3"], "utf-8"))[1][1] == [
        "王桂兰",
        "3",
    ]
    with pytest.raises(spreadsheets.Unreadable):
        spreadsheets.read("a.csv", b"\r\n\r\n")
    with pytest.raises(spreadsheets.Unreadable):
        spreadsheets.read("a.xlsx", b"PK\x03\x04 not really a workbook")
    with pytest.raises(spreadsheets.Unreadable):
        spreadsheets.read("old.xls", b"\xd0\xcf\x11\xe0")


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("1941-03-05", date(1941, 3, 5)),
        ("1941/3/5", date(1941, 3, 5)),
        ("1941.3.5", date(1941, 3, 5)),
        ("1941年3月5日", date(1941, 3, 5)),
        ("19410305", date(1941, 3, 5)),
        ("15040", date(1941, 3, 5)),
        ("15040.0", date(1941, 3, 5)),
        ("1941-03-05 00:00:00", date(1941, 3, 5)),
    ],
)
def test_dates_are_read_as_registers_write_them(text, day):
    assert imports.read_date(text) == day


@pytest.mark.parametrize("text", ["1941-02-30", "三月五日", "41/3/5", "1941-13-01"])
def test_impossible_dates_are_refused(text):
    with pytest.raises(ValueError):
        imports.read_date(text)


def test_columns_are_guessed_by_the_names_offices_use_then_by_the_last_import():
    header = ["序号", "姓 名", "出生日期（年/月/日）", "楼号", "房间号", "联系电话", "备注"]
    assert imports.guess(header) == {
        "name": 1,
        "birth_date": 2,
        "building": 3,
        "room": 4,
        "phone": 5,
    }
    # This community imported 备注 as diet notes last time.
    assert imports.guess(header, {"diet_notes": "备注"})["diet_notes"] == 6


def _upload(world, admin, rows, name="台账.xlsx"):
    made = imports.upload(admin, world.community, name, _xlsx(rows))
    return made, imports.check(made, TODAY)


HEADER = ["姓名", "出生日期", "性别", "楼栋", "房号", "手机", "三色", "特困供养"]


def test_each_rows_problems_are_put_in_words(world, buildings):
    admin = world.person(Role.ADMIN)
    family = world.person(Role.FAMILY, name="李娜", phone="13912345678")
    world.person(Role.RESIDENT, name="张建国", birth_date=date(1940, 1, 1))
    made, checked = _upload(
        world,
        admin,
        [
            HEADER,
            ["王桂兰", "1941/3/5", "女", "3号楼", "302", "13800138000", "红", "是"],
            ["", "1941/3/5", "女", "3", "302", "", "", ""],
            ["李秀英", "1941-02-30", "女", "9号楼", "", "1380013", "紫", "也许"],
            ["赵淑芬", "2030-01-01", "x", "3", "", family.phone, "", ""],
            ["张建国", "", "男", "1号楼", "", "", "", ""],
            ["王桂兰", "1941-03-05", "女", "3", "", "13800138000", "", ""],
            ["孙立", "", "男", "3", "", "13800138000", "", ""],
        ],
    )
    problems = {row.line: [str(p) for p in row.problems] for row in checked.rows}
    assert problems[2] == []
    assert problems[3] == ["The name is missing."]
    assert problems[4] == [
        "“1941-02-30” is not a date of birth, like 1941-03-05.",
        "The community has no building “9号楼”.",
        "“1380013” is not a mobile number of 11 digits, like 138 0013 8000.",
        "“也许” does not say yes or no to special support: write 是 or 否.",
        "“紫” is not a care colour: write 红, 黄 or 绿.",
    ]
    assert problems[5] == [
        "“2030-01-01” is not a possible date of birth.",
        f"The mobile number {family.phone} belongs to another account: 李娜.",
        "“x” is not a sex: write 男 or 女.",
    ]
    assert problems[6][0].startswith("May be 张建国 (")
    assert problems[7] == [
        "Line 2 is the same resident already.",
        "Line 2 has the same mobile number.",
    ]
    assert problems[8] == ["Line 2 has the same mobile number."]
    assert checked.counts == {"new": 1, "changed": 0, "same": 0, "problem": 6}
    header, report = imports.problem_report(made, checked.rows)
    assert header[0] == "Line" and header[-1] == "Problems"
    assert report[0][:2] == ["3", ""] and report[0][-1] == "The name is missing."


def test_good_rows_import_once_and_the_same_file_again_changes_nothing(world, buildings):
    admin = world.person(Role.ADMIN)
    rows = [
        HEADER,
        ["王桂兰", "1941/3/5", "女", "3号楼", "302", "13800138000", "红", "是"],
        ["李秀英", 15500, "女", "1号楼", "501", "", "", "否"],
        ["", "", "", "", "", "", "", ""],
        ["无名", "1941-02-30", "", "3", "", "", "", ""],
    ]
    made, checked = _upload(world, admin, rows)
    assert checked.counts == {"new": 2, "changed": 0, "same": 0, "problem": 1}
    before = _residents()
    counts = imports.run(admin, made, TODAY)
    assert counts == {"added": 2, "changed": 0, "same": 0, "problems": 1}
    assert _residents() == before + 2
    wang = db.session.scalar(select(Person).where(Person.name == "王桂兰"))
    assert (wang.building.name, wang.room, wang.floor) == ("3号楼", "302", 3)
    assert wang.care_colour == "red" and wang.special_support is True
    assert wang.care_colour_reason == "From the spreadsheet 台账.xlsx"
    assert wang.sex == "female" and wang.birth_date == date(1941, 3, 5)
    assert wang.pin_hash is None and len(wang.resident_code) == 6
    enrolled = db.session.scalar(
        select(AuditEntry).where(
            AuditEntry.action == "resident.enrolled", AuditEntry.subject_id == wang.id
        )
    )
    assert enrolled.detail["import"] == "台账.xlsx"
    # A second tap, or a run at the same moment, imports nothing more.
    with pytest.raises(imports.AlreadyImported):
        imports.run(admin, made, TODAY)
    # The columns are remembered for the community's next file.
    remembered = db.session.scalar(select(ImportColumns.columns))
    assert remembered["building"] == "楼栋"

    again, checked = _upload(world, admin, rows)
    assert checked.counts == {"new": 0, "changed": 0, "same": 2, "problem": 1}
    assert imports.run(admin, again, TODAY)["added"] == 0
    assert _residents() == before + 2

    corrected = [list(row) for row in rows]
    corrected[1][4] = "502"
    corrected[2][5] = "13900139000"
    fixed, checked = _upload(world, admin, corrected)
    assert [row.changes for row in checked.of("changed")] == [
        ["Room", "Floor"],
        ["Mobile number"],
    ]
    imports.run(admin, fixed, TODAY)
    db.session.expire_all()
    assert (wang.room, wang.floor) == ("502", 5)
    assert _residents() == before + 2
    changed = db.session.scalar(
        select(AuditEntry).where(
            AuditEntry.action == "resident.changed", AuditEntry.subject_id == wang.id
        )
    )
    assert changed.detail["room"] == "302 → 502"


def test_an_exported_list_imports_back_unchanged(world, buildings):
    admin = world.person(Role.ADMIN)
    made, _checked = _upload(
        world,
        admin,
        [
            HEADER + ["紧急联系人", "与本人关系", "紧急联系人电话", "座机"],
            [
                "王桂兰",
                "1941/3/5",
                "女",
                "3号楼",
                "302",
                "13800138000",
                "黄",
                "否",
                "李娜",
                "女儿",
                "+852 9123 4567",
                "010-85551234",
            ],
        ],
    )
    imports.run(admin, made, TODAY)
    people = residents.export(admin, residents.Filters())
    header, rows = imports.export_rows(people)
    assert header[:3] == ["居民编号", "姓名", "出生日期"]
    wang = next(row for row in rows if row[1] == "王桂兰")
    assert wang[2:9] == ["1941-03-05", "女", "3号楼", "", "302", "3", "13800138000"]
    assert wang[-3:] == ["李娜", "女儿", "+852 9123 4567"]
    for content, name in (
        (spreadsheets.to_xlsx(header, rows, "Residents"), "back.xlsx"),
        (spreadsheets.to_csv(header, rows), "back.csv"),
    ):
        back = imports.upload(admin, world.community, name, content)
        checked = imports.check(back, TODAY)
        assert checked.counts["problem"] == 0, [r.problems for r in checked.rows]
        assert checked.counts["new"] == 0 and checked.counts["changed"] == 0
    assert db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "resident.exported")
    ).detail["people"] == str(len(people))


def test_an_export_in_xlsx_has_text_cells_that_start_like_formulas_kept_as_text():
    content = spreadsheets.to_xlsx(["姓名"], [["=HYPERLINK(1)"]], "Residents")
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet["A2"].value == "'=HYPERLINK(1)"
    assert spreadsheets.to_csv(["姓名"], [["@SUM(1)"], ["+852 9123 4567"]]).decode(
        "utf-8-sig"
    ).splitlines()[1:] == ["'@SUM(1)", "+852 9123 4567"]


def test_slips_issue_pins_once_to_the_residents_an_import_added(world, buildings):
    admin = world.person(Role.ADMIN)
    made, _checked = _upload(
        world,
        admin,
        [
            HEADER,
            ["王桂兰", "1941/3/5", "女", "3", "", "", "", ""],
            ["李秀英", "", "女", "3", "", "", "", ""],
        ],
    )
    imports.run(admin, made, TODAY)
    slips = imports.issue_slips(admin, made)
    assert sorted(person.name for person, _pin in slips) == ["李秀英", "王桂兰"]
    assert all(len(pin) == 6 and person.pin_hash for person, pin in slips)
    assert imports.issue_slips(admin, made) == []


def test_an_admin_imports_only_into_their_own_community(world):
    street_office_admin = world.person(Role.ADMIN, community=None)
    grid_worker = world.person(Role.GRID_WORKER)
    with pytest.raises(residents.NotAdministered):
        imports.upload(grid_worker, world.community, "a.csv", _csv(["姓名", "王"]))
    assert imports.upload(street_office_admin, world.community, "a.csv", _csv(["姓名", "王"]))
