"""A person binds their WeChat on their settings page: the page shows a code to scan, WeChat
tells the portal's callback who scanned it (signed with the account's token), and from then on
their messages come to WeChat until they stop it."""

import pytest

from portal.extensions import db
from portal.notifications.models import NotificationSettings
from tests.helpers import html
from tests.wechat_server import WeChatServer, scan_event, signed, unfollow_event

OPENID = "oLinli-daughter-000000000001"


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("linli_lang", "en")


@pytest.fixture
def server(app):
    with WeChatServer() as running:
        app.config.update(running.config())
        yield running


def _tell(client, xml: str):
    return client.post(f"/wechat?{signed()}", data=xml, content_type="text/xml")


def test_a_daughter_binds_her_wechat_by_scanning_the_code(client, people, sign_in, server):
    people.family.language = "en"
    db.session.commit()
    sign_in.password(people.family)
    page = html(client.get("/account/notifications"))
    assert page.select_one("form[action='/account/notifications/wechat-code']")
    assert page.select_one("img.wechat-code") is None
    shown = client.post("/account/notifications/wechat-code")
    assert shown.status_code == 303 and shown.location.endswith("#wechat")
    page = html(client.get("/account/notifications"))
    code = page.select_one("#wechat img.wechat-code")
    assert code["alt"] == "The code to scan in WeChat"
    assert page.select_one("#wechat")["hx-trigger"] == "every 3s"
    picture = client.get(code["src"])
    assert picture.mimetype == "image/png" and picture.data.startswith(b"\x89PNG")
    assert picture.headers["Cache-Control"] == "no-store"
    [asked] = server.codes
    scene = asked["action_info"]["scene"]["scene_str"]

    reply = _tell(client, scan_event(scene, OPENID))
    assert reply.mimetype == "application/xml"
    assert f"<ToUserName><![CDATA[{OPENID}]]></ToUserName>" in reply.text
    assert "Bound: your Linli messages will come here." in reply.text
    chosen = db.session.get(NotificationSettings, people.family.id)
    assert chosen.wechat_openid == OPENID and chosen.chose("wechat")

    page = html(client.get("/account/notifications"))
    assert "Your WeChat is bound" in page.get_text()
    assert page.select_one("input#by_wechat").has_attr("checked")
    assert page.select_one("#wechat").get("hx-trigger") is None
    assert client.get(code["src"]).status_code == 404
    saved = client.post("/account/notifications", data={"quiet_from": "", "quiet_until": ""})
    assert saved.status_code == 303
    db.session.expire_all()
    assert not db.session.get(NotificationSettings, people.family.id).chose("wechat")
    stopped = client.post("/account/notifications/wechat-remove")
    assert stopped.status_code == 303
    db.session.expire_all()
    assert db.session.get(NotificationSettings, people.family.id).wechat_openid is None


def test_a_follower_scanning_a_code_is_bound_in_their_language(client, app, people, server):
    from portal.notifications import services as notifications

    with app.test_request_context():
        people.family.language = "zh_Hans"
        chosen = notifications.wechat_code(people.family)
        scene = chosen.wechat_scene
    reply = _tell(client, scan_event(scene, OPENID, following=True))
    assert "已绑定" in reply.text
    old = _tell(client, scan_event("bind-nobodys-code", "oSomeoneElse"))
    assert "这个码已过期" in old.text  # in the portal's language: whose code it was is unknown


def test_the_callback_answers_only_wechat(client, server, people):
    check = client.get(f"/wechat?{signed()}&echostr=4471250301")
    assert check.status_code == 200 and check.text == "4471250301"
    forged = client.get(f"/wechat?{signed('not-the-token')}&echostr=1")
    assert forged.status_code == 403
    assert client.post("/wechat", data=scan_event("x", OPENID)).status_code == 403
    assert _tell(client, "<xml><not closed").status_code == 400
    assert _tell(client, unfollow_event(OPENID)).text == "success"


def test_following_no_more_unbinds(client, app, people, server):
    from portal.notifications import services as notifications

    with app.test_request_context():
        chosen = notifications.wechat_code(people.family)
        notifications.bind_wechat(chosen.wechat_scene, OPENID)
    _tell(client, unfollow_event(OPENID))
    db.session.expire_all()
    assert db.session.get(NotificationSettings, people.family.id).wechat_openid is None


def test_wechat_is_not_offered_without_the_accounts_settings(client, people, sign_in):
    sign_in.password(people.family)
    page = html(client.get("/account/notifications"))
    assert page.select_one("#wechat") is None
    assert client.post("/account/notifications/wechat-code").status_code == 404
    assert client.get(f"/wechat?{signed()}&echostr=1").status_code == 404


def test_an_unreachable_wechat_is_said_plainly(client, app, people, sign_in, server):
    app.config["WECHAT_API_BASE"] = "http://127.0.0.1:9/cgi-bin/"
    sign_in.password(people.family)
    shown = client.post("/account/notifications/wechat-code", follow_redirects=True)
    assert "WeChat could not be reached. Please try again later." in shown.text
    assert html(shown).select_one("img.wechat-code") is None
