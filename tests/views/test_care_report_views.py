"""The care visits report as pages: a month's table and chart for a grid worker or an admin, one
row per community for the street office, CSV and XLSX of the same rows, and a bad month refused
in words."""

import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from portal.accounts.models import Role
from portal.care import services as care
from portal.model_base import utcnow
from tests.helpers import html


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("linli_lang", "en")


@pytest.fixture
def red(world, people):
    resident = world.person(Role.RESIDENT, name="陈红", birth_date=date(1938, 2, 1))
    care.set_colour(people.worker, resident, "red", "独居", now=utcnow() - timedelta(days=40))
    care.record_visit(people.worker, resident, "well")
    return resident


def test_the_month_s_table_and_chart(client, people, red, sign_in):
    sign_in.password(people.worker)
    page = html(client.get("/care/reports"))
    assert page.select_one("h1").get_text() == "Care visits report"
    assert page.select_one("nav.staff-nav a[href='/care/reports']")
    rows = page.select("table.care-report tbody tr")
    assert [r.select("td")[0].get_text(strip=True) for r in rows] == ["Red", "Yellow", "Green"]
    red_cells = [td.get_text(" ", strip=True) for td in rows[0].select("td")]
    assert red_cells[1] == "Residents: 1"
    assert page.select_one("figure.chart svg[role=img]")
    assert not page.select("input[name=by]")  # one row per community is the street office's


def test_downloads_hold_the_same_rows(client, people, red, sign_in):
    sign_in.password(people.admin)
    csv = client.get("/care/reports.csv?month=2026-03")
    assert csv.headers["Content-Disposition"] == "attachment; filename=care-visits-2026-03.csv"
    lines = csv.get_data().decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Where,Care colour,Residents,Days seen,Visits due")
    assert len(lines) == 4 and lines[1].split(",")[1] == "Red"
    xlsx = client.get("/care/reports.xlsx?month=2026-03")
    sheet = load_workbook(io.BytesIO(xlsx.get_data())).active
    assert [c.value for c in sheet[1]][:3] == ["Where", "Care colour", "Residents"]
    assert sheet.max_row == 4


def test_the_street_office_sees_communities_side_by_side(client, world, red, sign_in):
    street = world.person(Role.ADMIN, name="陈建华", community=None)
    sign_in.password(street)
    page = html(client.get("/care/reports"))
    assert page.select("input[name=by]")
    places = {r.select_one("th").get_text() for r in page.select("table.care-report tbody tr")}
    assert places == {world.community.name}


def test_a_bad_month_is_refused_in_words(client, people, sign_in):
    sign_in.password(people.worker)
    refused = client.get("/care/reports?month=March")
    assert refused.status_code == 422
    assert "Enter a month like 2026-03." in html(refused).select_one(".error-summary").get_text()
    assert client.get("/care/reports.csv?month=March").status_code == 422


@pytest.mark.parametrize("role", ["volunteer", "family"])
def test_only_grid_workers_and_admins_read_it(client, people, sign_in, role):
    sign_in.password(getattr(people, role))
    assert client.get("/care/reports").status_code == 403
