"""What the channels are called in the reader's language."""

from flask_babel import lazy_gettext as _l

CHANNEL_NAMES = {
    "log": _l("The portal's log"),
    "email": _l("E-mail"),
    "sms": _l("Text message"),
    "push": _l("Notification on a phone"),
    "wechat": _l("WeChat"),
}
