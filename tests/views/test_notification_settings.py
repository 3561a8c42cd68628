"""A person chooses how they are told, besides the inbox: e-mail, and quiet hours."""

from datetime import time, timedelta

import pytest

from portal.extensions import db
from portal.help import services as help
from portal.help.models import Category
from portal.model_base import utcnow
from portal.notifications import push
from portal.notifications import services as notifications
from portal.notifications.models import NotificationSettings
from tests.helpers import html, text_of
from tests.sms_provider import CODE_TEMPLATE, SmsProvider


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("linli_lang", "en")


@pytest.fixture
def mail(app):
    app.config["MAIL_SERVER"] = "127.0.0.1"


def test_a_worker_chooses_email_and_quiet_hours(client, people, sign_in, mail):
    sign_in.password(people.worker)
    inbox = html(client.get("/inbox"))
    assert inbox.select_one("a[href='/account/notifications']")
    page = html(client.get("/account/notifications"))
    assert page.select_one("input#email[type=email]") and page.select_one("input#quiet_from")
    saved = client.post(
        "/account/notifications",
        data={
            "email": " wangfang@example.cn ",
            "by_email": "y",
            "quiet_from": "22:00",
            "quiet_until": "07:00",
        },
    )
    assert saved.status_code == 303
    chosen = db.session.get(NotificationSettings, people.worker.id)
    assert (chosen.email, chosen.channels) == ("wangfang@example.cn", ["email"])
    assert (chosen.quiet_from, chosen.quiet_until) == (time(22), time(7))
    again = html(client.get("/account/notifications"))
    assert again.select_one("input#email")["value"] == "wangfang@example.cn"
    assert again.select_one("input#by_email").has_attr("checked")
    assert again.select_one("input#quiet_from")["value"] == "22:00"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"email": "not an address"}, "email", "Enter an e-mail address like name@example.cn."),
        ({"by_email": "y"}, "by_email", "Enter the e-mail address to send them to."),
        ({"quiet_from": "22:00"}, "quiet_until", "Give both times, or neither."),
        ({"quiet_from": "25:99", "quiet_until": "07:00"}, "quiet_from", "Enter a time like 07:30."),
        (
            {"quiet_from": "07:00", "quiet_until": "07:00"},
            "quiet_until",
            "Quiet hours end at another time than they start.",
        ),
    ],
)
def test_bad_choices_are_refused_with_a_message_and_nothing_saved(
    client, people, sign_in, mail, data, field, message
):
    sign_in.password(people.family)
    refused = client.post("/account/notifications", data=data)
    assert refused.status_code == 422
    assert message in html(refused).select_one(f"#{field}-error").get_text()
    assert db.session.get(NotificationSettings, people.family.id) is None


def test_without_a_mail_server_only_quiet_hours_are_offered(client, people, sign_in):
    sign_in.password(people.family)
    page = html(client.get("/account/notifications"))
    assert page.select_one("input#email") is None and page.select_one("input#quiet_from")
    assert client.get("/account/notifications").status_code == 200
    client.post("/sign-out")
    assert client.get("/account/notifications").status_code in (302, 303)


def test_a_daughter_proves_her_number_and_chooses_text_messages(app, client, people, sign_in):
    with SmsProvider() as provider:
        app.config.update(provider.config())
        sign_in.password(people.family)
        page = html(client.get("/account/notifications"))
        assert page.select_one("form[action='/account/notifications/sms-code']")
        assert page.select_one("input#code") is None
        assert client.post("/account/notifications/sms-code").status_code == 303
        [sent] = provider.accepted
        assert sent["phone"] == people.family.phone and sent["template"] == CODE_TEMPLATE
        page = html(client.get("/account/notifications"))
        assert f"A code is on its way to {people.family.phone}" in page.get_text()
        wrong = client.post("/account/notifications/sms-check", data={"code": "12345"})
        assert wrong.status_code == 422
        assert "Type the six digits" in html(wrong).select_one("#code-error").get_text()
        code = sent["variables"]["code"]
        other = f"{(int(code) + 1) % 10**6:06d}"
        refused = client.post("/account/notifications/sms-check", data={"code": other})
        assert "That is not the code" in html(refused).select_one("#code-error").get_text()
        again = client.post("/account/notifications/sms-code")
        assert "Please wait a minute" in text_of(client.get(again.headers["Location"]))
        proved = client.post("/account/notifications/sms-check", data={"code": code})
        assert proved.status_code == 303
        page = html(client.get("/account/notifications"))
        assert page.select_one("input#by_sms").has_attr("checked")
        assert page.select_one("form[action='/account/notifications/sms-code']") is None
        chosen = db.session.get(NotificationSettings, people.family.id)
        assert chosen.channels == ["sms"] and chosen.sms_verified(people.family)


def test_a_provider_that_cannot_be_reached_is_said_so(app, client, people, sign_in):
    app.config.update(
        SMS_ENDPOINT="http://127.0.0.1:9/", SMS_ACCESS_KEY_ID="id", SMS_ACCESS_KEY_SECRET="s"
    )
    sign_in.password(people.family)
    sent = client.post("/account/notifications/sms-code")
    message = text_of(client.get(sent.headers["Location"]))
    assert "The text message could not be sent. Please try again later." in message
    assert db.session.get(NotificationSettings, people.family.id) is None


@pytest.fixture
def vapid(app):
    public, private = push.new_keys()
    app.config.update(
        VAPID_PUBLIC_KEY=public, VAPID_PRIVATE_KEY=private, VAPID_SUBJECT="mailto:a@example.cn"
    )
    return public


def test_a_phone_subscribes_and_unsubscribes_to_push(client, people, sign_in, vapid):
    sign_in.password(people.family)
    page = html(client.get("/account/notifications"))
    box = page.select_one("section[data-push-key]")
    assert box["data-push-key"] == vapid and box.has_attr("hidden")
    assert page.select_one("script[src*='push']")
    info = {
        "endpoint": "https://push.example.cn/send/abc",
        "keys": {"p256dh": "BPublicKeyOfThePhone", "auth": "authsecret"},
    }
    made = client.post("/account/push-subscriptions", json=info)
    assert made.status_code == 201 and "This phone will be told" in made.json["message"]
    assert push.subscriptions_of(people.family)[0].endpoint == info["endpoint"]
    bad = client.post("/account/push-subscriptions", json={"endpoint": "x"})
    assert bad.status_code == 400 and "cannot receive notifications" in bad.json["message"]
    assert client.post("/account/push-subscriptions", data="not json").status_code == 400
    gone = client.post("/account/push-subscriptions/remove", json={"endpoint": info["endpoint"]})
    assert gone.status_code == 200 and push.subscriptions_of(people.family) == []


def test_push_needs_a_signed_in_person_and_a_configured_portal(app, client, people, sign_in):
    info = {"endpoint": "https://push.example.cn/x", "keys": {"p256dh": "a", "auth": "b"}}
    assert client.post("/account/push-subscriptions", json=info).status_code in (302, 303, 401)
    sign_in.password(people.family)
    assert client.post("/account/push-subscriptions", json=info).status_code == 404
    page = html(client.get("/account/notifications"))
    assert page.select_one("section[data-push-key]") is None


def test_the_service_worker_and_the_manifest_make_the_portal_installable(client):
    worker = client.get("/sw.js")
    assert worker.status_code == 200 and worker.headers["Service-Worker-Allowed"] == "/"
    assert b"showNotification" in worker.data and "no-cache" in worker.headers["Cache-Control"]
    manifest = client.get("/manifest.webmanifest")
    assert manifest.mimetype == "application/manifest+json"
    assert manifest.json["display"] == "standalone" and manifest.json["short_name"] == "Linli"
    sizes = {icon["sizes"] for icon in manifest.json["icons"]}
    assert sizes == {"192x192", "512x512"}
    for icon in manifest.json["icons"]:
        assert client.get(icon["src"]).status_code == 200
    home = html(client.get("/sign-in"))
    assert home.select_one("link[rel=manifest]")["href"] == "/manifest.webmanifest"


def test_a_worker_says_they_are_away_until_a_day(client, people, sign_in):
    sign_in.password(people.worker)
    today = people.worker.today()
    page = html(client.get("/account/notifications"))
    assert page.select_one("input#away_until[type=date]")
    past = client.post("/account/notifications", data={"away_until": "2000-01-01"})
    assert past.status_code == 422
    assert "Enter today or a day to come." in html(past).select_one("#away_until-error").text
    back = (today + timedelta(days=7)).isoformat()
    assert client.post("/account/notifications", data={"away_until": back}).status_code == 303
    db.session.refresh(people.worker)
    assert people.worker.away_until.isoformat() == back
    client.post("/account/notifications", data={"away_until": ""})
    db.session.refresh(people.worker)
    assert people.worker.away_until is None


def test_family_are_not_asked_whether_they_are_away(client, people, sign_in):
    sign_in.password(people.family)
    assert html(client.get("/account/notifications")).select_one("input#away_until") is None


def test_admins_see_messages_that_could_not_be_sent_and_try_them_again(
    app, client, people, sign_in
):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=9)  # nothing listens there
    notifications.choose(
        people.worker, email="wangfang@example.cn", by_email=True, quiet_from=None, quiet_until=None
    )
    help.raise_request(people.resident, Category.REPAIR, people.resident)
    now = utcnow()
    for wait in (0, 1, 5, 21, 85):  # every try, a minute, 4, 16 and 64 minutes apart
        notifications.deliver_pending(now=now + timedelta(minutes=wait))
    sign_in.password(people.admin)
    home = html(client.get("/staff"))
    assert "1 to look at" in home.select_one("a[href='/admin/outbox']").get_text()
    page = html(client.get("/admin/outbox"))
    [card] = page.select(".card")
    assert "王芳" in card.h2.get_text() and "New request: Repair for 王桂兰" in card.get_text()
    assert "E-mail: ConnectionRefusedError" in card.get_text(" ", strip=True)
    retry = card.select_one("form")["action"]
    assert client.post(retry).status_code == 303
    assert "Every message was sent." in html(client.get("/admin/outbox")).get_text()
    assert client.post(retry).status_code == 404
    sign_in.out()
    sign_in.password(people.worker)
    assert client.get("/admin/outbox").status_code == 403


def test_a_daughter_chooses_the_language_of_her_messages(client, people, sign_in, caplog):
    sign_in.password(people.family)
    page = html(client.get("/account/notifications"))
    assert page.select_one("input[name=language][value=en]").has_attr("checked")
    saved = client.post(
        "/account/notifications", data={"language": "zh_Hant", "quiet_from": "", "quiet_until": ""}
    )
    assert saved.status_code == 303
    db.session.expire_all()
    assert people.family.language == "zh_Hant"
    help.raise_request(people.resident, Category.UNWELL, people.resident)
    caplog.set_level("INFO", logger="portal.notifications")
    notifications.deliver_pending()
    [line] = [
        r.getMessage() for r in caplog.records if f"to person {people.family.id} " in r.getMessage()
    ]
    assert "身體不適" in line
    refused = client.post("/account/notifications", data={"language": "fr"})
    assert refused.status_code == 422
    db.session.expire_all()
    assert people.family.language == "zh_Hant"
