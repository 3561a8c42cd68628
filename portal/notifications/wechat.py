"""Messages in WeChat, through the community's Official Account (公众号), by its documented API
and the wechatpy library: a template message (模板消息) with the template WECHAT_TEMPLATE_ID,
whose fields are thing1 (what the message is about), thing2 (the message, cut to twenty
characters) and time3 (when it was written), opening the message's page when tapped.

A person binds their WeChat once: the settings page shows a temporary QR code with a scene string
of theirs (QR_STR_SCENE); scanning it follows the account, and WeChat tells the portal's callback
which WeChat user (openid) scanned which scene. The access token is kept in Redis when REDIS_URL
is set, so that every process sending shares one; otherwise each keeps its own."""

import secrets
from datetime import datetime, timedelta

from flask import current_app
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException
from wechatpy.session.memorystorage import MemoryStorage
from wechatpy.session.redisstorage import RedisStorage

# How long a binding code can be scanned: the QR code's expire_seconds.
CODE_LIFETIME = timedelta(minutes=10)
FIELD_LENGTH = 20  # characters in a template's "thing" field

WeChatRefused = WeChatClientException


class Client(WeChatClient):
    """wechatpy's client, asking for its access token at the configured API address too."""

    def fetch_access_token(self):
        return self._fetch_access_token(
            url=f"{self.API_BASE_URL}token",
            params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
        )


_clients: dict[tuple, Client] = {}


def configured() -> bool:
    config = current_app.config
    return all(
        config.get(name)
        for name in ("WECHAT_APP_ID", "WECHAT_APP_SECRET", "WECHAT_TOKEN", "WECHAT_TEMPLATE_ID")
    )


def client() -> Client:
    """This process's client for the configured account, its token stored to be shared."""
    config = current_app.config
    key = (config["WECHAT_APP_ID"], config["WECHAT_APP_SECRET"], config["WECHAT_API_BASE"])
    if key not in _clients:
        redis_url = config.get("REDIS_URL")
        if redis_url:
            import redis

            storage = RedisStorage(redis.Redis.from_url(redis_url), prefix="linli-wechat")
        else:
            storage = MemoryStorage()
        found = Client(key[0], key[1], session=storage, timeout=10)
        found.API_BASE_URL = key[2]
        _clients[key] = found
    return _clients[key]


def new_scene() -> str:
    """A scene string no one can guess, within the 64 characters WeChat allows."""
    return f"bind-{secrets.token_urlsafe(24)}"


def binding_code(scene: str) -> str:
    """Ask WeChat for a temporary QR code carrying scene; return the address it encodes, which
    the portal draws as the code to scan. Raises WeChatRefused, or OSError when unreachable."""
    answer = client().qrcode.create(
        {
            "expire_seconds": int(CODE_LIFETIME.total_seconds()),
            "action_name": "QR_STR_SCENE",
            "action_info": {"scene": {"scene_str": scene}},
        }
    )
    return answer["url"]


def _cut(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= FIELD_LENGTH else f"{text[: FIELD_LENGTH - 1]}…"


def send(openid: str, subject: str, text: str, url: str | None, written: datetime) -> None:
    """Send one template message to the WeChat user openid. Raises WeChatRefused when WeChat
    says no (such as a user who no longer follows the account)."""
    client().message.send_template(
        openid,
        current_app.config["WECHAT_TEMPLATE_ID"],
        {
            "thing1": {"value": _cut(subject)},
            "thing2": {"value": _cut(text)},
            "time3": {"value": written.strftime("%Y-%m-%d %H:%M")},
        },
        url=url,
    )
