"""Signing out ends the sign-in on the server: no copy of the cookies, and no remember cookie,
works again; a home tablet stays signed in 90 days at most; a person, or staff for them, can end
every sign-in at once."""

from datetime import timedelta

import pytest

from portal.accounts.models import Role, SignIn
from portal.accounts.services import set_pin
from portal.audit.models import AuditEntry
from portal.extensions import db
from tests.conftest import SignIn as Forms
from tests.helpers import PASSWORD, html

REMEMBER = "remember_token"
SESSION = "session"


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("linli_lang", "en")


def _copy_cookies(source, target, *names):
    for name in names:
        cookie = source.get_cookie(name)
        if cookie is not None:
            target.set_cookie(name, cookie.value)


def _signed_in(client) -> bool:
    return client.get("/resident").status_code == 200


def test_signing_out_of_a_home_tablet_stays_signed_out(client, world, sign_in):
    resident = world.person(Role.RESIDENT, name="孙玉兰")
    sign_in.resident(resident)
    assert client.get_cookie(REMEMBER) is not None
    response = client.post("/sign-out")
    assert any(
        header.startswith(f"{REMEMBER}=;") for header in response.headers.getlist("Set-Cookie")
    )
    page = html(client.get(response.headers["Location"]))
    assert "You have signed out" in page.get_text()
    assert "孙玉兰" not in page.get_text()
    assert not _signed_in(client)


def test_copied_cookies_stop_working_when_their_owner_signs_out(app, client, world, sign_in):
    resident = world.person(Role.RESIDENT)
    sign_in.resident(resident)
    thief = app.test_client()
    _copy_cookies(client, thief, SESSION, REMEMBER)
    assert _signed_in(thief)
    client.post("/sign-out")
    assert not _signed_in(thief)
    remember_only = app.test_client()
    _copy_cookies(thief, remember_only, REMEMBER)
    assert not _signed_in(remember_only)


def test_a_home_tablet_stays_signed_in_for_ninety_days(app, client, world, sign_in, clock):
    resident = world.person(Role.RESIDENT)
    sign_in.resident(resident)
    cookie = client.get_cookie(REMEMBER)
    assert cookie.expires is not None
    clock.shift(timedelta(days=89))
    tablet = app.test_client()
    tablet.set_cookie(REMEMBER, cookie.value)
    assert _signed_in(tablet)
    clock.shift(timedelta(days=1, minutes=1))
    tablet = app.test_client()
    tablet.set_cookie(REMEMBER, cookie.value)
    assert not _signed_in(tablet)


def test_a_person_signs_out_on_every_device_at_once(app, client, world, sign_in):
    resident = world.person(Role.RESIDENT)
    phone_of_a_grandchild = app.test_client()
    sign_in.resident(resident)
    Forms(phone_of_a_grandchild).resident(resident)
    page = html(client.get("/account/sign-ins"))
    titles = [h2.get_text() for h2 in page.select(".card__title")]
    assert sorted(titles) == ["A device that stays signed in", "This device"]
    response = client.post("/account/sign-ins/end")
    assert (
        "You have signed out on every device"
        in html(client.get(response.headers["Location"])).get_text()
    )
    assert not _signed_in(client)
    assert not _signed_in(phone_of_a_grandchild)


def test_staff_sign_a_resident_out_of_their_home_tablet(app, client, world, sign_in):
    resident = world.person(Role.RESIDENT, name="钱桂芳")
    tablet = app.test_client()
    Forms(tablet).resident(resident)
    admin = world.person(Role.ADMIN)
    sign_in.password(admin)
    page = html(client.get("/admin/sign-ins", query_string={"person": resident.resident_code}))
    assert page.select_one("h2").get_text() == "钱桂芳"
    assert "A device that stays signed in" in page.select_one("table").get_text()
    response = client.post(f"/admin/people/{resident.id}/sign-ins/end")
    assert (
        "钱桂芳 is signed out of 1 device."
        in html(client.get(response.headers["Location"])).get_text()
    )
    assert not _signed_in(tablet)
    entry = db.session.scalar(
        db.select(AuditEntry).where(AuditEntry.action == "sign_in.ended_remembered")
    )
    assert (entry.actor_id, entry.subject_id) == (admin.id, resident.id)


def test_finding_nobody_to_sign_out_is_explained(client, world, sign_in):
    sign_in.password(world.person(Role.ADMIN))
    page = html(client.get("/admin/sign-ins", query_string={"person": "999999"}))
    assert "Nobody has this resident code" in page.select_one("#person-error").get_text()
    page = html(client.get("/admin/sign-ins", query_string={"person": ""}))
    assert page.select_one("#person-error")


def test_only_admins_sign_other_people_out(client, world, sign_in):
    resident = world.person(Role.RESIDENT)
    sign_in.password(world.person(Role.GRID_WORKER))
    assert client.post(f"/admin/people/{resident.id}/sign-ins/end").status_code == 403
    assert db.session.scalar(db.select(SignIn).where(SignIn.ended_at.is_not(None))) is None


def test_a_new_pin_signs_out_every_device(client, world, sign_in):
    resident = world.person(Role.RESIDENT)
    sign_in.resident(resident)
    set_pin(resident, "1357")
    db.session.commit()
    assert not _signed_in(client)


def test_a_person_changes_their_password_and_other_devices_are_signed_out(
    app, client, world, sign_in
):
    family = world.person(Role.FAMILY)
    other_phone = app.test_client()
    sign_in.password(family)
    Forms(other_phone).password(family)
    page = html(client.get("/account/sign-ins"))
    form = html(client.get(page.select_one("a[href='/account/password']")["href"]))
    assert form.h1.get_text() == "Change your password"
    assert form.select_one("#current")["autocomplete"] == "current-password"
    wrong = client.post(
        "/account/password",
        data={"current": "not it", "password": "a new long one", "confirm": "a new long one"},
    )
    assert wrong.status_code == 422
    assert "not your password now" in html(wrong).select_one("#current-error").get_text()
    short = client.post(
        "/account/password", data={"current": PASSWORD, "password": "short", "confirm": "short"}
    )
    assert "8 to 128 characters" in html(short).select_one("#password-error").get_text()
    done = client.post(
        "/account/password",
        data={"current": PASSWORD, "password": "a new long one", "confirm": "a new long one"},
    )
    assert "Your password is changed." in html(client.get(done.headers["Location"])).get_text()

    def signed_in(browser) -> bool:
        return browser.get("/account/sign-ins").status_code == 200

    assert signed_in(client) and not signed_in(other_phone)
    sign_in.out()
    assert sign_in.password(family).status_code == 422  # the old password no longer works
    assert Forms(app.test_client()).password(family, "a new long one").status_code == 303


def test_residents_have_no_password_to_change(client, world, sign_in):
    sign_in.resident(world.person(Role.RESIDENT))
    assert client.get("/account/password").status_code == 404
    assert "/account/password" not in client.get("/account/sign-ins").get_data(as_text=True)
