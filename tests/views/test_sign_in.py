import pytest

from portal.accounts.kiosk import KIOSK_COOKIE
from portal.accounts.models import Role
from portal.accounts.services import enrol_kiosk
from tests.helpers import PASSWORD, PIN, html, text_of


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("linli_lang", "en")


def test_empty_sign_in_shows_error_summary_and_field_errors(client):
    page = html(client.post("/sign-in", data={}))
    assert page.title.string.startswith("Error:")
    summary = page.select_one(".error-summary[role=alert]")
    assert summary.h2.get_text() == "There is a problem"
    assert [a["href"] for a in summary.select("a")] == ["#phone", "#password"]
    assert page.select_one("#phone-error") and page.select_one("#password-error")
    assert page.select_one("#phone")["aria-describedby"] == "phone-error"


def test_wrong_phone_format_and_overlong_password_are_explained(client):
    page = html(client.post("/sign-in", data={"phone": "12345", "password": "x" * 129}))
    assert "11 digits" in page.select_one("#phone-error").get_text()
    assert "at most 128" in page.select_one("#password-error").get_text()
    assert page.select_one("#phone")["value"] == "12345"


def test_wrong_password_then_lockout_message(client, world, sign_in):
    person = world.person(Role.FAMILY)
    for _ in range(4):
        page = html(sign_in.password(person, "wrong password"))
        assert (
            "mobile number or the password is not right"
            in page.select_one("#password-error").get_text()
        )
    waiting = text_of(sign_in.password(person, "wrong password"))
    assert "Too many wrong tries on this device. Please try again in 1 minute." in waiting
    assert "Please try again in 1 minute" in text_of(sign_in.password(person, PASSWORD))


def test_sign_in_follows_a_safe_next_only(client, world):
    person = world.person(Role.FAMILY)
    data = {"phone": person.phone, "password": PASSWORD}
    response = client.post("/sign-in", data={**data, "next": "/family/links/new"})
    assert response.headers["Location"] == "/family/links/new"
    client.post("/sign-out")
    response = client.post("/sign-in", data={**data, "next": "https://evil.example/"})
    assert response.headers["Location"] == "/family"


@pytest.mark.own_app
def test_sign_in_is_rate_limited_per_address(app, client, world):
    app.config["RATELIMIT_ENABLED"] = True
    # In memory, whatever REDIS_URL or RATELIMIT_STORAGE_URI the machine has set.
    app.config["RATELIMIT_STORAGE_URI"] = "memory://"
    app.config["SIGN_IN_RATE_LIMIT"] = "3 per minute"
    from portal.extensions import limiter

    limiter.init_app(app)
    for _ in range(3):
        assert (
            client.post("/sign-in", data={"phone": "13900000000", "password": "x"}).status_code
            == 422
        )
    blocked = client.post("/sign-in", data={"phone": "13900000000", "password": "x"})
    assert blocked.status_code == 429
    assert "Please wait a minute" in text_of(blocked)


def test_signed_out_people_are_sent_to_the_right_sign_in(client):
    assert client.get("/resident").headers["Location"].startswith("/kiosk?next=/resident")
    assert client.get("/family").headers["Location"].startswith("/sign-in?next=/family")


def test_wrong_role_gets_a_friendly_403(client, world, sign_in):
    sign_in.password(world.person(Role.FAMILY))
    response = client.get("/staff")
    assert response.status_code == 403
    assert "You cannot open this page" in text_of(response)


# Kiosk sign-in -----------------------------------------------------------------------------


def test_keypad_without_javascript_adds_and_removes_digits(client):
    page = html(client.post("/kiosk", data={"code": "12", "key": "3"}))
    assert page.select_one("#code")["value"] == "123"
    assert not page.select(".error-summary")
    page = html(client.post("/kiosk", data={"code": "123", "key": "delete"}))
    assert page.select_one("#code")["value"] == "12"
    page = html(client.post("/kiosk", data={"code": "123", "key": "clear"}))
    assert page.select_one("#code").get("value", "") == ""


def test_keypad_has_big_keys_and_no_list_of_names(client, world):
    world.person(Role.RESIDENT, name="张桂英")
    page = html(client.get("/kiosk"))
    keys = [button["value"] for button in page.select(".keypad button[name=key]")]
    assert sorted(keys) == sorted([*"0123456789", "clear", "delete"])
    assert "张桂英" not in page.get_text()


@pytest.mark.parametrize(
    ("code", "message"),
    [("", "Enter your resident code"), ("12ab56", "6 digits"), ("1234567", "6 digits")],
)
def test_bad_resident_codes_are_explained(client, code, message):
    assert (
        message
        in html(client.post("/kiosk", data={"code": code})).select_one("#code-error").get_text()
    )


def test_pin_of_letters_is_explained(client, world):
    resident = world.person(Role.RESIDENT)
    client.post("/kiosk", data={"code": resident.resident_code})
    page = html(client.post("/kiosk/pin", data={"pin": "abcd"}))
    assert "4 to 6 digits" in page.select_one("#pin-error").get_text()


def test_unknown_code_and_wrong_pin_get_the_same_message(client, world, sign_in):
    resident = world.person(Role.RESIDENT)
    wrong_pin = html(sign_in.resident(resident, pin="9999")).select_one("#pin-error").get_text()
    client.post("/kiosk", data={"code": "654321"})
    unknown = html(client.post("/kiosk/pin", data={"pin": PIN})).select_one("#pin-error").get_text()
    assert wrong_pin == unknown
    assert "do not match" in unknown


def test_a_waiting_device_tells_the_resident_whom_to_ask(client, world, sign_in):
    resident = world.person(Role.RESIDENT)
    for _ in range(5):
        response = sign_in.resident(resident, pin="9999")
    message = html(response).select_one("#pin-error").get_text()
    assert "try again in 1 minute" in message
    assert "activity-room staff or your grid worker" in message


def test_a_stranger_elsewhere_cannot_lock_the_resident_out(app, client, world, sign_in):
    resident = world.person(Role.RESIDENT)
    stranger = app.test_client()
    stranger.environ_base["REMOTE_ADDR"] = "198.51.100.66"
    stranger.set_cookie("linli_lang", "en")
    for _ in range(12):
        stranger.post("/kiosk", data={"code": resident.resident_code})
        stranger.post("/kiosk/pin", data={"pin": "1111"})
    page = html(stranger.post("/kiosk/pin", data={"pin": PIN}))
    assert "Too many wrong tries" in page.select_one("#pin-error").get_text()
    assert sign_in.resident(resident).headers["Location"] == "/resident"


def test_every_new_try_starts_from_an_empty_keypad(client, world, sign_in):
    resident = world.person(Role.RESIDENT)
    page = html(sign_in.resident(resident, pin="1111"))
    assert page.select_one("#pin").get("value", "") == ""
    assert client.post("/kiosk/pin", data={"pin": PIN}).headers["Location"] == "/resident"
    client.post("/sign-out")
    page = html(client.post("/kiosk", data={"code": "12345"}))
    assert page.select_one("#code").get("value", "") == ""


def test_the_pin_page_says_whose_sign_in_it_is(client, world):
    resident = world.person(Role.RESIDENT, name="张桂英")
    client.post("/kiosk", data={"code": resident.resident_code})
    page = html(client.get("/kiosk/pin"))
    line = page.select_one(".signing-in-as").get_text()
    assert line == f"Signing in 张**, resident code {resident.resident_code}."
    assert "桂英" not in page.get_text()
    client.post("/kiosk", data={"code": "654321"})
    line = html(client.get("/kiosk/pin")).select_one(".signing-in-as").get_text()
    assert line == "Signing in with resident code 654321."


def test_resident_signs_in_and_sees_name_and_date(client, world, sign_in):
    resident = world.person(Role.RESIDENT, name="李秀英")
    response = sign_in.resident(resident)
    assert response.headers["Location"] == "/resident"
    page = html(client.get("/resident"))
    assert page.h1.get_text() == "Hello, 李秀英"
    assert page.select_one(".date-line").get_text().startswith("Today is")
    assert page.select_one(".help-strip a[href='tel:120']")


def test_pin_page_without_a_code_goes_back_to_the_code(client):
    assert client.get("/kiosk/pin").headers["Location"] == "/kiosk"


def test_revoked_kiosk_refuses_sign_in_with_a_message(client, world):
    admin = world.person(Role.ADMIN)
    from portal.accounts.services import revoke_kiosk

    kiosk, token = enrol_kiosk(world.community, "大厅", admin)
    revoke_kiosk(kiosk, admin)
    client.set_cookie(KIOSK_COOKIE, token)
    response = client.get("/kiosk")
    assert response.status_code == 403
    assert "This kiosk is switched off" in text_of(response)


def test_kiosk_session_expires_on_the_server_when_idle(app, client, world, sign_in):
    admin = world.person(Role.ADMIN)
    _, token = enrol_kiosk(world.community, "活动室", admin)
    resident = world.person(Role.RESIDENT)
    sign_in.resident(resident, kiosk_token=token)
    page = html(client.get("/resident"))
    assert page.body["data-idle-seconds"] == str(app.config["KIOSK_IDLE_SECONDS"])
    assert page.select_one("[data-idle-warning][role=alertdialog]")
    assert "signs you out after" in page.select_one(".kiosk-timeout-note").get_text()
    with client.session_transaction() as session:
        session["seen"] -= app.config["KIOSK_IDLE_SECONDS"] + 1
    response = client.get("/resident")
    assert response.headers["Location"].startswith("/kiosk")
    assert "not used for a while" in text_of(client.get("/kiosk"))


def test_still_here_keeps_the_kiosk_session(app, client, world, sign_in):
    admin = world.person(Role.ADMIN)
    _, token = enrol_kiosk(world.community, "活动室", admin)
    sign_in.resident(world.person(Role.RESIDENT), kiosk_token=token)
    with client.session_transaction() as session:
        session["seen"] -= app.config["KIOSK_IDLE_SECONDS"] - 5
    assert client.post("/kiosk/still-here").status_code == 204
    with client.session_transaction() as session:
        session["seen"] -= 10
    assert client.get("/resident").status_code == 200


def test_home_tablet_sessions_do_not_time_out(client, world, sign_in):
    sign_in.resident(world.person(Role.RESIDENT))
    page = html(client.get("/resident"))
    assert not page.body.has_attr("data-idle-seconds")


def test_sign_out_at_a_kiosk_returns_to_the_keypad(client, world, sign_in):
    admin = world.person(Role.ADMIN)
    _, token = enrol_kiosk(world.community, "活动室", admin)
    sign_in.resident(world.person(Role.RESIDENT), kiosk_token=token)
    assert sign_in.out().headers["Location"] == "/kiosk"
    assert client.get("/resident").status_code == 302


@pytest.mark.own_app
def test_rate_limit_can_live_in_redis(app, client, redis_url):
    """With RATELIMIT_STORAGE_URI pointing at Redis, every worker and host shares the count."""
    import redis

    store = redis.Redis.from_url(redis_url)
    store.flushdb()  # the suite's own server (conftest.redis_url), so nobody else's counts
    from portal.extensions import limiter

    app.config.update(
        RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=redis_url, SIGN_IN_RATE_LIMIT="2 per minute"
    )
    limiter.init_app(app)
    statuses = [
        client.post("/sign-in", data={"phone": "13900000000", "password": "x"}).status_code
        for _ in range(3)
    ]
    assert statuses == [422, 422, 429]
    # The counts are kept in that server.
    assert store.dbsize() > 0


def test_admins_are_told_of_an_account_tried_from_many_places(app, client, world, sign_in):
    app.config["SIGN_IN_ALERT_FAILURES"] = 3
    resident = world.person(Role.RESIDENT, name="郑桂兰")
    admin = world.person(Role.ADMIN)
    for number in range(3):
        stranger = app.test_client()
        stranger.environ_base["REMOTE_ADDR"] = f"198.51.100.{number}"
        stranger.post("/kiosk", data={"code": resident.resident_code})
        stranger.post("/kiosk/pin", data={"pin": "1111"})
    sign_in.password(admin)
    message = html(client.get("/inbox")).select_one(".card-list li")
    assert "郑桂兰's account with a wrong PIN or password 3 times" in message.get_text()
    assert message.a["href"] == f"/admin/sign-ins?person={resident.resident_code}"
