"""The points pages of a community's admins: the points each deed earns and when points expire,
the kinds of voucher (new, changed, withdrawn after asking once), awards by hand that count once
however often the form is sent, and the month's report with its CSV and XLSX; each form refuses
in words, and only the community's own admins get in."""

import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from portal.accounts.models import Role
from portal.audit.models import AuditEntry
from portal.community.models import Community
from portal.extensions import db
from portal.points import rules
from portal.points import services as points
from portal.points.models import PointsSettings, VoucherKind
from tests.helpers import html, text_of

PAGES = [
    "/points/admin/",
    "/points/admin/vouchers",
    "/points/admin/vouchers/new",
    "/points/admin/award",
    "/points/admin/report",
    "/points/admin/report.csv",
]


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("linli_lang", "en")


@pytest.fixture
def admin(people, sign_in):
    sign_in.password(people.admin)
    return people.admin


def _kind(community_id: int, **values) -> VoucherKind:
    kind = VoucherKind(
        community_id=community_id,
        **{
            "name": "午餐券",
            "use": "meal",
            "value_fen": 1500,
            "points": 50,
            "valid_from": date(2026, 1, 1),
            "valid_until": date(2099, 12, 31),
            **values,
        },
    )
    db.session.add(kind)
    db.session.commit()
    return kind


def _actions(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def _errors(response) -> list[str]:
    summary = html(response).select_one(".error-summary")
    return [a.get_text(strip=True) for a in summary.select("a")] if summary else []


def _follow(client, response):
    assert response.status_code == 303, response.status_code
    return client.get(response.headers["Location"])


# Access -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["resident", "worker", "volunteer", "family"])
def test_only_admins_get_in(client, people, sign_in, role):
    sign_in.as_(getattr(people, role))
    for url in PAGES:
        assert client.get(url).status_code == 403, url


def test_the_street_office_has_no_community_of_points_here(client, world, sign_in):
    sign_in.password(world.person(Role.ADMIN, name="陈建华", community=None))
    assert client.get("/points/admin/").status_code == 404


def test_another_community_s_kind_is_not_found(client, world, admin):
    other = Community(name="锦绣园社区", hotline="0871-62222222", street_office=world.street)
    db.session.add(other)
    db.session.commit()
    theirs = _kind(other.id)
    for url in (
        f"/points/admin/vouchers/{theirs.id}",
        f"/points/admin/vouchers/{theirs.id}/withdraw",
    ):
        assert client.get(url).status_code == 404
        assert client.post(url, data={}).status_code == 404
    db.session.expire_all()
    assert db.session.get(VoucherKind, theirs.id).withdrawn_at is None


# Rules ------------------------------------------------------------------------------------------

RULES = {"help": "10", "round": "20", "activity": "10", "kitchen": "15", "expire_after_months": ""}


def test_the_rules_page_says_what_each_deed_is_and_its_points(client, admin):
    page = html(client.get("/points/admin/"))
    assert page.select_one("h1").get_text() == "Points for deeds"
    assert page.select_one("#help")["value"] == "10"
    assert page.select_one("#kitchen")["value"] == "15"
    assert page.select_one("#expire_after_months")["value"] == ""
    assert "A volunteer delivers a round of meals to its last door." in page.get_text()
    assert page.select_one("a[aria-current=page]")["href"] == "/points/admin/"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"help": ""}, "Enter a number of points from 0 to 500."),
        ({"round": "501"}, "Enter a number of points from 0 to 500."),
        ({"kitchen": "lots"}, "Enter a whole number, like 3."),
        ({"expire_after_months": "0"}, "Enter a number of months from 1 to 120, or nothing."),
        ({"expire_after_months": "121"}, "Enter a number of months from 1 to 120, or nothing."),
    ],
)
def test_the_rules_refuse_numbers_out_of_range(client, world, admin, changes, message):
    refused = client.post("/points/admin/", data={**RULES, **changes})
    assert refused.status_code == 422
    assert _errors(refused) == [message]
    assert html(refused).title.get_text().startswith("Error:")
    assert db.session.get(PointsSettings, world.community.id) is None


def test_saving_the_rules_changes_what_deeds_earn_and_is_audited(client, world, admin):
    sent = client.post(
        "/points/admin/", data={**RULES, "help": "12", "activity": "0", "expire_after_months": "24"}
    )
    page = _follow(client, sent)
    assert "Saved: deeds earn these points from now on." in text_of(page)
    db.session.expire_all()
    assert rules.rules_of(world.community.id) == {
        "help": 12,
        "round": 20,
        "activity": 0,
        "kitchen": 15,
    }
    assert db.session.get(PointsSettings, world.community.id).expire_after_months == 24
    assert sorted(e.detail["rule"] for e in _actions("points.rule_changed")) == ["activity", "help"]
    [changed] = _actions("points.settings_changed")
    assert changed.actor_id == admin.id and changed.detail == {"expire_after_months": "24"}
    client.post("/points/admin/", data={**RULES, "help": "12", "activity": "0"})
    db.session.expire_all()
    assert db.session.get(PointsSettings, world.community.id).expire_after_months is None
    assert len(_actions("points.rule_changed")) == 2  # nothing changed this time


# Kinds of voucher -------------------------------------------------------------------------------

KIND = {
    "name": "午餐券",
    "use": "meal",
    "value": "15.50",
    "points": "50",
    "stock": "100",
    "valid_from": "2026-03-01",
    "valid_until": "2026-12-31",
    "per_person": "2",
}


def test_a_new_kind_is_saved_listed_and_audited(client, world, admin):
    assert html(client.get("/points/admin/vouchers/new")).select_one("h1").get_text() == (
        "New kind of voucher"
    )
    page = html(_follow(client, client.post("/points/admin/vouchers/new", data=KIND)))
    assert "“午餐券” is saved." in page.get_text()
    db.session.expire_all()
    [kind] = db.session.scalars(select(VoucherKind))
    assert (kind.community_id, kind.value_fen, kind.stock, kind.per_person) == (
        world.community.id,
        1550,
        100,
        2,
    )
    row = page.select_one("table.voucher-kinds tbody tr")
    cells = [td.get_text(" ", strip=True) for td in row.select("td")]
    assert cells[0] == "What it buys: A canteen meal up to a value · ¥15.50"
    assert cells[1:6] == ["Price in points: 50", "Stock: 100", "Issued: 0", "Left: 100", cells[5]]
    assert cells[6] == "Per person: 2"
    [saved] = _actions("points.kind_saved")
    assert saved.detail == {"kind": str(kind.id), "name": "午餐券"}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, "Enter the name of the voucher."),
        ({"name": "券" * 61}, "Type at most 60 characters."),
        ({"use": ""}, "Choose what the voucher buys."),
        ({"value": ""}, "Enter the value, like 15 or 15.50."),
        ({"value": "15.555"}, "Enter an amount in yuan, like 12 or 12.50."),
        ({"value": "0"}, "Enter a value from ¥0.01 to ¥10,000."),
        ({"points": "0"}, "Enter the price in points, from 1 to 10000."),
        ({"points": "10001"}, "Enter the price in points, from 1 to 10000."),
        ({"stock": "-1"}, "Enter a number from 0 to 100000, or nothing."),
        ({"valid_from": ""}, "Enter the first day it can be used."),
        ({"valid_until": "2026-02-28"}, "The last day cannot be before the first."),
        ({"per_person": "0"}, "Enter a number from 1 to 1000, or nothing."),
    ],
)
def test_a_kind_of_voucher_is_refused_in_words(client, admin, changes, message):
    refused = client.post("/points/admin/vouchers/new", data={**KIND, **changes})
    assert refused.status_code == 422
    assert _errors(refused) == [message]
    assert db.session.scalar(select(VoucherKind.id)) is None


def test_a_free_meal_needs_no_value_and_any_value_is_dropped(client, admin):
    sent = client.post("/points/admin/vouchers/new", data={**KIND, "use": "free_meal", "value": ""})
    assert sent.status_code == 303
    db.session.expire_all()
    assert db.session.scalars(select(VoucherKind)).one().value_fen is None


def test_a_kind_s_stock_cannot_go_below_what_is_issued(client, world, admin):
    kind = _kind(world.community.id, stock=10, issued=3)
    page = html(client.get(f"/points/admin/vouchers/{kind.id}"))
    assert page.select_one("#name")["value"] == "午餐券"
    assert page.select_one("#value")["value"] == "15.00"
    assert "3 are issued already." in page.select_one("#stock-hint").get_text()
    refused = client.post(f"/points/admin/vouchers/{kind.id}", data={**KIND, "stock": "2"})
    assert refused.status_code == 422
    assert _errors(refused) == ["3 are issued already: enter at least that many."]
    sent = client.post(f"/points/admin/vouchers/{kind.id}", data={**KIND, "stock": "3"})
    assert sent.status_code == 303
    db.session.expire_all()
    assert db.session.get(VoucherKind, kind.id).stock == 3


def test_withdrawing_asks_once_then_offers_the_kind_no_more(client, world, admin):
    kind = _kind(world.community.id, issued=2)
    listed = html(client.get("/points/admin/vouchers"))
    link = listed.select_one(f"a[href='/points/admin/vouchers/{kind.id}/withdraw']")
    asked = html(client.get(link["href"]))
    assert asked.select_one("h1").get_text() == "Withdraw “午餐券”?"
    assert "2 were got already: they can still be used until their last day." in asked.get_text()
    page = html(_follow(client, client.post(link["href"])))
    assert "“午餐券” is withdrawn: no one can get it now." in page.get_text()
    assert page.select_one("table.voucher-kinds tbody th .tag").get_text() == "Withdrawn"
    assert not page.select(f"a[href='/points/admin/vouchers/{kind.id}/withdraw']")
    db.session.expire_all()
    assert db.session.get(VoucherKind, kind.id).withdrawn_at is not None
    assert len(_actions("points.kind_withdrawn")) == 1


# Awards -----------------------------------------------------------------------------------------


def _key(client) -> str:
    key = html(client.get("/points/admin/award")).select_one("input[name=key]")["value"]
    assert re.fullmatch(r"[0-9a-f]{32}", key)
    return key


def test_an_award_by_mobile_number_counts_once_however_often_it_is_sent(
    client, world, people, admin
):
    form = {
        "who": people.volunteer.phone,
        "points": "30",
        "reason": "帮助邻居搬家",
        "key": _key(client),
    }
    page = _follow(client, client.post("/points/admin/award", data=form))
    assert "Awarded 30 points to 志愿者小张." in text_of(page)
    assert client.post("/points/admin/award", data=form).status_code == 303
    db.session.expire_all()
    assert points.balance(people.volunteer, world.community.id) == 30
    [awarded] = _actions("points.awarded")
    assert awarded.subject_id == people.volunteer.id and awarded.actor_id == admin.id
    row = html(client.get("/points/admin/award")).select_one("table tbody tr")
    assert row.select_one("th").get_text() == "志愿者小张"
    assert row.select("td")[-1].get_text() == "帮助邻居搬家"
    assert _key(client) != form["key"]


def test_an_award_by_resident_code_or_a_name_several_share(client, world, people, admin):
    namesake = world.person(Role.RESIDENT, name="王桂芳")
    form = {"who": "王桂", "points": "1", "reason": "清扫楼道", "key": _key(client)}
    refused = client.post("/points/admin/award", data=form)
    assert refused.status_code == 422
    assert _errors(refused) == ["Several people match: choose one."]
    choices = [i["value"] for i in html(refused).select("input[name=person]")]
    assert set(choices) == {str(people.resident.id), str(namesake.id)}
    assert html(refused).select_one("input[name=key]")["value"] == form["key"]
    chosen = client.post("/points/admin/award", data={**form, "person": str(namesake.id)})
    assert "Awarded 1 point to 王桂芳." in text_of(_follow(client, chosen))
    by_code = {**form, "who": people.resident.resident_code, "key": _key(client)}
    assert client.post("/points/admin/award", data=by_code).status_code == 303
    db.session.expire_all()
    assert points.balance(namesake, world.community.id) == 1
    assert points.balance(people.resident, world.community.id) == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"who": ""}, "Enter a mobile number, a resident code or a name."),
        (
            {"who": "13900009999"},
            "No volunteer or resident of your community has this mobile number, code or name.",
        ),
        ({"points": "0"}, "Enter a number of points from 1 to 500."),
        ({"points": "501"}, "Enter a number of points from 1 to 500."),
        ({"reason": " "}, "Say why the points are awarded."),
        ({"reason": "好" * 201}, "Type at most 200 characters."),
    ],
)
def test_an_award_is_refused_in_words(client, world, people, admin, changes, message):
    form = {"who": people.volunteer.phone, "points": "30", "reason": "帮忙", "key": _key(client)}
    refused = client.post("/points/admin/award", data={**form, **changes})
    assert refused.status_code == 422
    assert _errors(refused) == [message]
    assert points.balance(people.volunteer, world.community.id) == 0


def test_staff_are_not_awarded_points_for_their_work(client, world, admin):
    helper = world.person(Role.VOLUNTEER, Role.GRID_WORKER, name="王芳")
    form = {"who": helper.phone, "points": "30", "reason": "加班", "key": _key(client)}
    refused = client.post("/points/admin/award", data=form)
    assert refused.status_code == 422
    assert _errors(refused) == ["王芳 is staff: staff earn no points for their work."]
    assert points.balance(helper, world.community.id) == 0
    assert _actions("points.awarded") == []


# The month's report -----------------------------------------------------------------------------


@pytest.fixture
def awarded(world, people, admin):
    rules.award(people.volunteer, world.community.id, 30, "帮忙", "b" * 32, admin)
    return people.volunteer


def test_the_month_s_report_shows_every_movement(client, world, awarded):
    page = html(client.get("/points/admin/report"))
    assert page.select_one("h1").get_text() == "Service points report"
    assert page.select_one("#month")["value"] == world.community.today().strftime("%Y-%m")
    rows = {
        r.select_one("th").get_text(): [td.get_text(" ", strip=True) for td in r.select("td")]
        for r in page.select("table.points-report tbody tr")
    }
    assert rows["Awarded by staff"] == ["How many: 1", "Points: 30", "Paid for meals: —"]
    assert rows["Vouchers held"][:2] == ["How many: 0", "Points: 0"]
    captions = [c.get_text() for c in page.select("table.points-report caption")]
    assert captions == ["Points", "At the month's end"]


def test_a_bad_month_is_refused_and_not_shown_again(client, admin):
    refused = client.get("/points/admin/report?month=2026-13")
    assert refused.status_code == 422
    assert _errors(refused) == ["Enter a month like 2026-03."]
    assert html(refused).select_one("#month")["value"] == ""
    assert not html(refused).select("table")
    assert client.get("/points/admin/report.csv?month=March").status_code == 422


def test_downloads_hold_the_report_s_lines(client, world, awarded):
    month = world.community.today().strftime("%Y-%m")
    csv = client.get(f"/points/admin/report.csv?month={month}")
    assert csv.headers["Content-Disposition"] == f"attachment; filename=points-{month}.csv"
    lines = csv.get_data().decode("utf-8-sig").splitlines()
    assert lines[0] == "Part,What,How many,Points,Paid for meals (yuan)"
    assert "Points,Awarded by staff,1,30," in lines
    xlsx = client.get(f"/points/admin/report.xlsx?month={month}")
    sheet = load_workbook(io.BytesIO(xlsx.get_data())).active
    assert [c.value for c in sheet[1]] == [
        "Part",
        "What",
        "How many",
        "Points",
        "Paid for meals (yuan)",
    ]
    assert sheet.max_row == len(lines)
