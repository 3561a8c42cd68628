"""Settings: safe defaults, overridden by the environment, then by the caller of create_app()."""

import os
import secrets
from datetime import timedelta
from pathlib import Path

# Where a community is unless it says otherwise, and the zone of anyone who belongs to none.
DEFAULT_TIMEZONE = "Asia/Shanghai"

LANGUAGES = ("zh_Hans", "zh_Hant", "en")
TEXT_SIZES = (100, 125, 150, 175, 200)
COLOUR_SCHEMES = ("default", "bw", "yb", "by", "yk")


def _secret_key(instance_path: Path) -> str:
    """Return SECRET_KEY from the environment, else the one kept in instance/, creating it once."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _database_url(instance_path: Path) -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url or f"sqlite:///{instance_path / 'linli.sqlite'}"


def _list(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def _first_trusted(hosts: str) -> str:
    names = _list(hosts)
    return f"https://{names[0]}" if names else ""


def rate_limit_storage(environ) -> str:
    return environ.get("RATELIMIT_STORAGE_URI") or environ.get("REDIS_URL") or "memory://"


def unshared_limits_refusal(environ) -> str | None:
    """Why production must not start with the rate limits each worker keeps in its own memory,
    or None when they are shared (or the operator has said that one worker's count is enough)."""
    if not rate_limit_storage(environ).startswith("memory://"):
        return None
    if environ.get("LINLI_LIMITS_IN_MEMORY") == "1":
        return None
    return (
        "The sign-in limits would be kept in each worker's memory, so every worker and every "
        "host would allow the full number of tries. Set RATELIMIT_STORAGE_URI to a Redis server "
        "that every worker and host shares (for example redis://127.0.0.1:6379/0), or set "
        "LINLI_LIMITS_IN_MEMORY=1 to run with each worker's own count."
    )


def untrusted_hosts_refusal(environ) -> str | None:
    """Why production must not start answering to any Host header, or None."""
    if _list(environ.get("LINLI_TRUSTED_HOSTS", "")):
        return None
    return (
        "LINLI_TRUSTED_HOSTS is not set, so the portal would answer to any Host header and "
        "build its own links from it. Set it to the names the portal is reached by, separated "
        "by commas (for example linli.example.cn,www.linli.example.cn)."
    )


# The help timers, in minutes (requests per hour for the last), read by help.services.Timers.
HELP_TIMERS = (
    "HELP_ACK_MINUTES_URGENT",
    "HELP_ACK_MINUTES",
    "HELP_RESOLVE_MINUTES_URGENT",
    "HELP_RESOLVE_MINUTES",
    "HELP_DEDUPE_MINUTES",
    "HELP_AUTO_CLOSE_MINUTES",
    "HELP_REQUESTS_PER_HOUR",
)


def from_environment(instance_path: Path) -> dict:
    """Build the configuration mapping for an app whose instance folder is instance_path."""
    env = os.environ.get
    return {
        "SECRET_KEY": _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": _database_url(instance_path),
        "BABEL_DEFAULT_LOCALE": "zh_Hans",
        "BABEL_DEFAULT_TIMEZONE": env("LINLI_TIMEZONE", DEFAULT_TIMEZONE),
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).parent.parent / "translations"),
        "LANGUAGES": LANGUAGES,
        "RATELIMIT_STORAGE_URI": rate_limit_storage(os.environ),
        "RATELIMIT_HEADERS_ENABLED": True,
        "SIGN_IN_RATE_LIMIT": env("SIGN_IN_RATE_LIMIT", "20 per minute"),
        # Wrong tries before a device waits to try an account again, before it waits to try any
        # account, and on one account from everywhere before staff are told (accounts.services).
        "SIGN_IN_FREE_FAILURES": int(env("SIGN_IN_FREE_FAILURES", "5")),
        "SIGN_IN_DEVICE_FREE_FAILURES": int(env("SIGN_IN_DEVICE_FREE_FAILURES", "20")),
        "SIGN_IN_ALERT_FAILURES": int(env("SIGN_IN_ALERT_FAILURES", "50")),
        "SIGN_IN_LONGEST_WAIT_MINUTES": int(env("SIGN_IN_LONGEST_WAIT_MINUTES", "15")),
        # A resident's home tablet stays signed in this long; other sign-ins last a browser
        # session, and at most PERMANENT_SESSION_LIFETIME.
        "REMEMBER_COOKIE_DURATION": timedelta(days=int(env("SIGN_IN_REMEMBER_DAYS", "90"))),
        # A kiosk signs a resident out after this many seconds without a tap; the warning
        # comes KIOSK_WARNING_SECONDS before that.
        "KIOSK_IDLE_SECONDS": int(env("KIOSK_IDLE_SECONDS", "240")),
        "KIOSK_WARNING_SECONDS": int(env("KIOSK_WARNING_SECONDS", "90")),
        "KIOSK_COOKIE_DAYS": int(env("KIOSK_COOKIE_DAYS", "730")),
        "SESSION_COOKIE_SECURE": env("LINLI_INSECURE_COOKIES", "") != "1",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": env("LINLI_INSECURE_COOKIES", "") != "1",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": int(env("WTF_CSRF_TIME_LIMIT", str(8 * 3600))),
        # Above the 8 MB a dish photo may have, so a photo just over it gets the photo's own message.
        "MAX_CONTENT_LENGTH": 10 * 1024 * 1024,
        # A Server-Timing header with each response's time and SQL statement count.
        "SERVER_TIMING": env("LINLI_SERVER_TIMING", "") == "1",
        # The number the page shown while the database cannot be reached gives for help, with
        # 120; and when it tells browsers and load balancers to try again.
        "OUTAGE_HOTLINE": env("LINLI_OUTAGE_HOTLINE", ""),
        "OUTAGE_RETRY_SECONDS": int(env("LINLI_OUTAGE_RETRY_SECONDS", "30")),
        # The host names the portal answers to (its own links, in iCal feeds too, are built
        # from the request's Host); any other Host gets 400. Unset: any, for development.
        "TRUSTED_HOSTS": _list(env("LINLI_TRUSTED_HOSTS", "")) or None,
        # Speaking a note instead of typing it: the browser sends the voice to its maker's
        # speech service (Google's for Chrome, abroad and unreachable in mainland China).
        "DICTATION": env("LINLI_DICTATION", "") == "1",
        # How many proxies in front of gunicorn to trust for the client's address and scheme.
        "PROXY_COUNT": int(env("PROXY_COUNT", "0")),
        # How much the portal logs: INFO writes every notification sent.
        "LOG_LEVEL": env("LINLI_LOG_LEVEL", "INFO"),
        # The portal's public address, which links in e-mails and text messages start with;
        # unset, the first of the trusted hosts over HTTPS (a job's links must name one of them).
        "PORTAL_URL": env("LINLI_PORTAL_URL", "") or _first_trusted(env("LINLI_TRUSTED_HOSTS", "")),
        # E-mail for people who choose it: the SMTP server that sends it. Unset: no e-mail.
        "MAIL_SERVER": env("MAIL_SERVER", ""),
        "MAIL_PORT": int(env("MAIL_PORT", "25")),
        "MAIL_USE_TLS": env("MAIL_USE_TLS", "") == "1",
        "MAIL_USERNAME": env("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": env("MAIL_PASSWORD", ""),
        "MAIL_FROM": env("MAIL_FROM", "linli@localhost"),
        # Text messages through Alibaba Cloud SMS: the AccessKey, the approved signature, the
        # template for notifications (one variable, ${content}) and for codes (${code}).
        "SMS_ENDPOINT": env("SMS_ENDPOINT", "https://dysmsapi.aliyuncs.com/"),
        "SMS_REGION": env("SMS_REGION", "cn-hangzhou"),
        "SMS_ACCESS_KEY_ID": env("SMS_ACCESS_KEY_ID", ""),
        "SMS_ACCESS_KEY_SECRET": env("SMS_ACCESS_KEY_SECRET", ""),
        "SMS_SIGN_NAME": env("SMS_SIGN_NAME", ""),
        "SMS_TEMPLATE": env("SMS_TEMPLATE", ""),
        "SMS_CODE_TEMPLATE": env("SMS_CODE_TEMPLATE", ""),
        # Web Push: the VAPID key pair (`portal push keys` makes one) and whom push services may
        # contact about the portal (mailto: or https:). Unset: no push is offered.
        "VAPID_PUBLIC_KEY": env("VAPID_PUBLIC_KEY", ""),
        "VAPID_PRIVATE_KEY": env("VAPID_PRIVATE_KEY", ""),
        "VAPID_SUBJECT": env("VAPID_SUBJECT", ""),
        # WeChat through the community's Official Account: its AppID and AppSecret, the token
        # its server settings give the portal's callback (/wechat), and the approved template
        # for messages (fields thing1, thing2, time3). Unset: WeChat is not offered.
        "WECHAT_API_BASE": env("WECHAT_API_BASE", "https://api.weixin.qq.com/cgi-bin/"),
        "WECHAT_APP_ID": env("WECHAT_APP_ID", ""),
        "WECHAT_APP_SECRET": env("WECHAT_APP_SECRET", ""),
        "WECHAT_TOKEN": env("WECHAT_TOKEN", ""),
        "WECHAT_TEMPLATE_ID": env("WECHAT_TEMPLATE_ID", ""),
        "REDIS_URL": env("REDIS_URL", ""),
        **{name: int(env(name)) for name in HELP_TIMERS if env(name)},
    }
