"""A local stand-in for the WeChat Official Account API, for tests: it answers the calls the portal
makes as the documentation describes them (an access token for the AppID and AppSecret; a
temporary QR code for a scene string; a template message to a follower), checks each call's
token and body, and keeps what it accepted. It can be told to refuse the next calls with an
errcode, or to expire the token it gave. It also writes the signed callbacks WeChat sends the
portal when someone scans a code or stops following."""

import hashlib
import json
import re
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode, urlsplit

APP_ID = "wx0123456789abcdef"
APP_SECRET = "test-app-secret-of-the-account"
TOKEN = "linli-callback-token"
TEMPLATE_ID = "tmpl-linli-service-notice"
FIELD = {"thing": 20, "time": 20}


class WeChatServer:
    def __init__(self) -> None:
        self.tokens: set[str] = set()
        self.token_requests = 0
        self.codes: list[dict] = []  # the bodies of accepted qrcode/create calls
        self.accepted: list[dict] = []  # the bodies of accepted template messages
        self.refusals: list[int] = []  # errcodes to answer the next calls with, in turn
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, body: dict) -> None:
                data = json.dumps(body, ensure_ascii=False).encode()
                self.send_response(200)  # WeChat answers errors with 200 and an errcode
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):  # noqa: N802 - http.server's name
                path = urlsplit(self.path)
                self._answer(server.get(path.path, dict(parse_qsl(path.query))))

            def do_POST(self):  # noqa: N802 - http.server's name
                path = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    body = json.loads(self.rfile.read(length).decode("utf-8"))
                except ValueError:
                    self._answer({"errcode": 47001, "errmsg": "data format error"})
                    return
                self._answer(server.post(path.path, dict(parse_qsl(path.query)), body))

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/cgi-bin/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def get(self, path: str, query: dict) -> dict:
        if path != "/cgi-bin/token":
            return {"errcode": 48001, "errmsg": "api unauthorized"}
        if query.get("grant_type") != "client_credential":
            return {"errcode": 40002, "errmsg": "invalid grant_type"}
        if query.get("appid") != APP_ID:
            return {"errcode": 40013, "errmsg": "invalid appid"}
        if query.get("secret") != APP_SECRET:
            return {"errcode": 40125, "errmsg": "invalid appsecret"}
        self.token_requests += 1
        token = secrets.token_hex(16)
        self.tokens.add(token)
        return {"access_token": token, "expires_in": 7200}

    def post(self, path: str, query: dict, body: dict) -> dict:
        if query.get("access_token") not in self.tokens:
            return {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid"}
        if self.refusals:
            code = self.refusals.pop(0)
            return {"errcode": code, "errmsg": "refused"}
        if path == "/cgi-bin/qrcode/create":
            return self.qrcode(body)
        if path == "/cgi-bin/message/template/send":
            return self.template(body)
        return {"errcode": 48001, "errmsg": "api unauthorized"}

    def qrcode(self, body: dict) -> dict:
        scene = body.get("action_info", {}).get("scene", {}).get("scene_str")
        if body.get("action_name") != "QR_STR_SCENE" or not isinstance(scene, str):
            return {"errcode": 40053, "errmsg": "invalid action info"}
        if not 1 <= len(scene) <= 64 or not 60 <= body.get("expire_seconds", 30) <= 2592000:
            return {"errcode": 40053, "errmsg": "invalid action info"}
        self.codes.append(body)
        return {
            "ticket": secrets.token_urlsafe(32),
            "expire_seconds": body["expire_seconds"],
            "url": f"http://weixin.qq.com/q/{secrets.token_urlsafe(12)}",
        }

    def template(self, body: dict) -> dict:
        if body.get("template_id") != TEMPLATE_ID:
            return {"errcode": 40037, "errmsg": "invalid template_id"}
        if not isinstance(body.get("touser"), str) or not body["touser"]:
            return {"errcode": 40003, "errmsg": "invalid openid"}
        for key, field in (body.get("data") or {}).items():
            kind = re.sub(r"\d+$", "", key)
            value = field.get("value") if isinstance(field, dict) else None
            if kind not in FIELD or not isinstance(value, str) or len(value) > FIELD[kind]:
                return {"errcode": 47003, "errmsg": f"argument invalid! data.{key}.value invalid"}
        if not body.get("data"):
            return {"errcode": 47003, "errmsg": "argument invalid! data is empty"}
        self.accepted.append(body)
        return {"errcode": 0, "errmsg": "ok", "msgid": len(self.accepted)}

    def expire_tokens(self) -> None:
        self.tokens.clear()

    def config(self) -> dict:
        return {
            "WECHAT_API_BASE": self.url,
            "WECHAT_APP_ID": APP_ID,
            "WECHAT_APP_SECRET": APP_SECRET,
            "WECHAT_TOKEN": TOKEN,
            "WECHAT_TEMPLATE_ID": TEMPLATE_ID,
        }

    def __enter__(self) -> "WeChatServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def signed(token: str = TOKEN) -> str:
    """The query string WeChat signs each callback with: signature = SHA-1 of the sorted token,
    timestamp and nonce."""
    timestamp, nonce = str(int(time.time())), secrets.token_hex(5)
    signature = hashlib.sha1("".join(sorted([token, timestamp, nonce])).encode()).hexdigest()
    return urlencode({"signature": signature, "timestamp": timestamp, "nonce": nonce})


def scan_event(scene: str, openid: str, *, following: bool = False) -> str:
    """The XML WeChat posts when openid scans the code of scene: a subscribe event (EventKey
    qrscene_<scene>) for someone not yet following the account, a SCAN event for a follower."""
    event, key = ("SCAN", scene) if following else ("subscribe", f"qrscene_{scene}")
    return (
        f"<xml><ToUserName><![CDATA[gh_linli]]></ToUserName>"
        f"<FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
        f"<Event><![CDATA[{event}]]></Event><EventKey><![CDATA[{key}]]></EventKey>"
        f"<Ticket><![CDATA[ticket]]></Ticket></xml>"
    )


def unfollow_event(openid: str) -> str:
    return (
        f"<xml><ToUserName><![CDATA[gh_linli]]></ToUserName>"
        f"<FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
        f"<Event><![CDATA[unsubscribe]]></Event><EventKey><![CDATA[]]></EventKey></xml>"
    )
