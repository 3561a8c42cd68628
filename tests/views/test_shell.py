"""The shell around every page: languages, preferences, help strip, headers, error pages, CSRF."""

import pytest

from portal.accounts.models import Role
from tests.helpers import html, text_of


@pytest.mark.parametrize(
    ("cookie", "lang"),
    [("zh_Hans", "zh-Hans"), ("zh_Hant", "zh-Hant"), ("en", "en"), ("xx", "zh-Hans")],
)
def test_html_lang_follows_the_language_cookie(client, cookie, lang):
    client.set_cookie("linli_lang", cookie)
    assert html(client.get("/")).html["lang"] == lang


def test_accept_language_chooses_when_there_is_no_cookie(client):
    page = html(client.get("/", headers={"Accept-Language": "zh-TW,zh;q=0.8"}))
    assert page.html["lang"] == "zh-Hant"


def test_chinese_is_the_default_and_translated(client):
    page = html(client.get("/sign-in"))
    assert page.html["lang"] == "zh-Hans"
    assert page.select_one("main h1").get_text() == "登录"
    client.set_cookie("linli_lang", "zh_Hant")
    assert html(client.get("/sign-in")).select_one("main h1").get_text() == "登入"


def test_error_title_prefix_in_chinese(client):
    assert html(client.post("/sign-in", data={})).title.string.startswith("错误：")


def test_language_switch_sets_a_cookie_and_returns(client):
    response = client.post("/preferences/language", data={"language": "en", "next": "/sign-in"})
    assert response.status_code == 303 and response.headers["Location"] == "/sign-in"
    assert client.get_cookie("linli_lang").value == "en"
    response = client.post(
        "/preferences/language", data={"language": "xx", "next": "//evil.example"}
    )
    assert response.headers["Location"] == "/"
    assert client.get_cookie("linli_lang").value == "en"


def test_text_size_steps_and_out_of_range_cookie(client):
    client.post("/preferences/text-size", data={"step": "up"})
    client.post("/preferences/text-size", data={"step": "up"})
    assert "size-150" in html(client.get("/")).html["class"]
    client.set_cookie("linli_size", "999")
    assert "size-100" in html(client.get("/")).html["class"]


def test_colour_scheme_and_out_of_range_cookie(client):
    client.post("/preferences/colours", data={"scheme": "yk"})
    page = html(client.get("/"))
    assert "scheme-yk" in page.html["class"]
    assert page.select_one("button[value=yk]")["aria-pressed"] == "true"
    client.set_cookie("linli_scheme", "pink")
    assert "scheme-default" in html(client.get("/")).html["class"]


def test_htmx_preference_change_redirects_with_hx_redirect(htmx):
    response = htmx("post", "/preferences/colours", data={"scheme": "by", "next": "/sign-in"})
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == "/sign-in"
    assert "HX-Request" in response.headers["Vary"]


def test_every_page_has_toolbar_help_strip_and_status_region(client, world):
    for url in ("/", "/sign-in", "/kiosk", "/register", "/no-such-page"):
        page = html(client.get(url))
        assert page.select_one(".toolbar [data-read-aloud]"), url
        assert [a["href"] for a in page.select(".help-strip a")][-1] == "tel:120", url
        assert page.select_one("#status[role=status]"), url
        assert (
            page.select_one("meta[name=viewport]")["content"]
            == "width=device-width, initial-scale=1"
        )


def test_security_headers(client):
    response = client.get("/")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_https_asks_browsers_to_keep_to_https(client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    secure = client.get("/", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_behind_a_proxy_https_is_read_from_the_proxy(app, client):
    from werkzeug.middleware.proxy_fix import ProxyFix

    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)
    response = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_only_trusted_host_names_are_answered(app, client, world):
    app.config["TRUSTED_HOSTS"] = ["linli.example.cn"]
    refused = client.get("/calendar", base_url="http://evil.example")
    assert refused.status_code == 400
    assert "evil.example" not in refused.get_data(as_text=True)
    answered = client.get("/sign-in", base_url="http://linli.example.cn:8000")
    assert answered.status_code == 200


def test_trusted_hosts_come_from_the_environment(tmp_path, monkeypatch):
    from portal.config import from_environment, untrusted_hosts_refusal

    monkeypatch.setenv("LINLI_TRUSTED_HOSTS", "linli.example.cn, www.linli.example.cn")
    assert from_environment(tmp_path)["TRUSTED_HOSTS"] == [
        "linli.example.cn",
        "www.linli.example.cn",
    ]
    assert untrusted_hosts_refusal({"LINLI_TRUSTED_HOSTS": "linli.example.cn"}) is None
    assert "LINLI_TRUSTED_HOSTS is not set" in untrusted_hosts_refusal({})


def test_session_cookie_is_httponly_and_samesite(client, world, sign_in):
    sign_in.password(world.person(Role.FAMILY))
    cookie = client.get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Lax"


def test_production_cookies_are_secure_by_default(monkeypatch, tmp_path):
    from portal.config import from_environment

    monkeypatch.delenv("LINLI_INSECURE_COOKIES", raising=False)
    settings = from_environment(tmp_path)
    assert settings["SESSION_COOKIE_SECURE"] and settings["REMEMBER_COOKIE_SECURE"]


def test_friendly_404_in_the_users_language(client):
    client.set_cookie("linli_lang", "en")
    response = client.get("/nothing-here")
    assert response.status_code == 404 and "Page not found" in text_of(response)


@pytest.mark.own_app
def test_friendly_500(app, client):
    @app.get("/explode")
    def explode():
        raise RuntimeError("boom")

    client.set_cookie("linli_lang", "en")
    response = client.get("/explode")
    assert response.status_code == 500
    assert "Sorry, something went wrong" in text_of(response)


def test_expired_form_keeps_what_was_typed_except_secrets(app, client):
    app.config["WTF_CSRF_ENABLED"] = True
    client.set_cookie("linli_lang", "en")
    response = client.post(
        "/sign-in",
        data={"phone": "13800000001", "password": "secret", "csrf_token": "stale"},
        headers={"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"},
    )
    assert response.status_code == 400
    page = html(response)
    assert "This page expired, please try again" in page.h1.get_text()
    kept = {i["name"]: i["value"] for i in page.select("main form input[type=hidden]")}
    assert kept["phone"] == "13800000001"
    assert "password" not in kept and kept["csrf_token"] != "stale"


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
        {"Origin": "http://localhost:5000", "Sec-Fetch-Site": "same-site"},
        {"Origin": "https://evil.example"},
        {"Sec-Fetch-Site": "none"},
        {},
    ],
    ids=["cross-site", "same-site", "origin-only", "typed", "no-headers"],
)
def test_a_form_from_elsewhere_is_refused_without_a_form_or_a_cookie(app, client, headers):
    """Another site's form, sent without the person's cookies, fails the CSRF check: the page
    explains and links home, offers no form that could send it again, and sets no cookie, so the
    person's session and remember cookies stay as they were."""
    app.config["WTF_CSRF_ENABLED"] = True
    client.set_cookie("linli_lang", "en")
    response = client.post(
        "/help/requests", data={"resident_id": "1", "category": "unwell"}, headers=headers
    )
    assert response.status_code == 403
    page = html(response)
    assert "This was not sent" in page.h1.get_text()
    assert page.select_one("main a[href='/']")
    assert not page.select("main form")
    assert "Set-Cookie" not in response.headers


def test_htmx_requests_need_the_csrf_header(app, client, htmx):
    app.config["WTF_CSRF_ENABLED"] = True
    ours = {"Sec-Fetch-Site": "same-origin"}
    missing = htmx("post", "/preferences/colours", data={"scheme": "by"}, headers=ours)
    assert missing.status_code == 400
    page = html(client.get("/"))
    token = page.select_one("input[name=csrf_token]")["value"]
    response = htmx(
        "post", "/preferences/colours", data={"scheme": "by"}, headers={"X-CSRFToken": token}
    )
    assert response.status_code == 204
