"""When the database cannot be reached, every page says so honestly, with the numbers to call,
and readiness says no while liveness says yes."""

import pytest

from portal import create_app
from tests.conftest import TEST_CONFIG
from tests.helpers import html

UNREACHABLE = {
    # Nothing listens on port 1: the connection is refused at once.
    "postgresql": "postgresql+psycopg://root@127.0.0.1:1/linli",
    # A file in a folder that does not exist cannot be opened.
    "sqlite": "sqlite:////nonexistent-folder/linli.sqlite",
}


@pytest.fixture(params=sorted(UNREACHABLE))
def outage(request):
    app = create_app(
        {
            **TEST_CONFIG,
            "SQLALCHEMY_DATABASE_URI": UNREACHABLE[request.param],
            "OUTAGE_HOTLINE": "021-12345",
            "OUTAGE_RETRY_SECONDS": 45,
        }
    )
    return app.test_client()


def test_a_page_says_linli_is_down_and_gives_the_numbers_to_call(outage):
    response = outage.get("/kiosk")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "45"
    assert response.headers["Cache-Control"] == "no-store"
    page = html(response)
    assert page.h1.get_text(strip=True) == "邻里暂时不能使用"
    numbers = [link["href"] for link in page.select(".help-strip a")]
    assert numbers == ["tel:021-12345", "tel:120"]
    assert page.select_one("a.button")["href"] == "/kiosk"


def test_the_outage_page_is_in_the_reader_s_language(outage):
    outage.set_cookie("linli_lang", "en")
    page = html(outage.get("/sign-in"))
    assert page.h1.get_text(strip=True) == "Linli is not working right now"
    assert page.html["lang"] == "en"


def test_a_form_sent_during_an_outage_gets_the_outage_page(outage):
    response = outage.post("/sign-in", data={"phone": "13800000001", "password": "x"})
    assert response.status_code == 503
    assert html(response).h1.get_text(strip=True) == "邻里暂时不能使用"
    # Sending it again is the browser's to do, from the form: no link would send it.
    assert html(response).select_one("a.button") is None


def test_someone_signed_in_gets_the_outage_page_too(outage):
    with outage.session_transaction() as session:
        session["_user_id"] = "1.1"
    assert outage.get("/").status_code == 503


def test_readiness_says_no_while_liveness_says_yes(outage):
    assert outage.get("/healthz").status_code == 200
    response = outage.get("/readyz")
    assert response.status_code == 503 and response.headers["Retry-After"] == "45"
    assert response.get_json() == {"status": "database unreachable"}


def test_readiness_says_yes_when_the_database_answers(client):
    response = client.get("/readyz")
    assert response.status_code == 200 and response.get_json() == {"status": "ready"}
