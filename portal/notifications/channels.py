"""The channels a notification reaches a person's pocket by, besides the inbox: each is an
adapter that says whom it reaches and sends one message. The log channel reaches everyone, so a
deployment without any provider still records what would have been sent; e-mail goes over SMTP,
text messages through an SMS provider, Web Push to the phones people allowed. Providers plug in
with register()."""

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from typing import Protocol

from flask import current_app

from portal.accounts.models import Person
from portal.notifications import push, sms, wechat
from portal.notifications.models import NotificationSettings

log = logging.getLogger("portal.notifications")


@dataclass(frozen=True)
class Message:
    """One notification as its reader reads it: in their language, with a full address to open."""

    notification_id: int
    person: Person
    settings: NotificationSettings | None
    subject: str
    text: str
    url: str | None
    urgent: bool
    written: datetime  # when the notification was made, in the reader's time


class Channel(Protocol):
    name: str

    def reaches(
        self, person: Person, settings: NotificationSettings | None, *, fallback: bool = False
    ) -> bool:
        """Whether the channel sends to person: those who chose it, or with fallback (an urgent
        message another channel failed to send) anyone it can reach."""

    def send(self, message: Message) -> None:
        """Hand the message over; raise when it could not be, so that it is tried again."""


class LogChannel:
    """Writes each message to the portal's log: every deployment has it."""

    name = "log"

    def reaches(
        self, person: Person, settings: NotificationSettings | None, *, fallback: bool = False
    ) -> bool:
        return True

    def send(self, message: Message) -> None:
        log.info(
            "notification %s to person %s%s: %s %s",
            message.notification_id,
            message.person.id,
            " (urgent)" if message.urgent else "",
            message.text,
            message.url or "",
        )


class EmailChannel:
    """Plain-text e-mail over SMTP (MAIL_SERVER, MAIL_PORT, MAIL_USE_TLS, MAIL_USERNAME,
    MAIL_PASSWORD, MAIL_FROM), to people who gave an address and chose e-mail."""

    name = "email"

    def reaches(
        self, person: Person, settings: NotificationSettings | None, *, fallback: bool = False
    ) -> bool:
        return bool(
            current_app.config.get("MAIL_SERVER")
            and settings is not None
            and settings.email
            and (fallback or settings.chose(self.name))
        )

    def send(self, message: Message) -> None:
        config = current_app.config
        email = EmailMessage()
        email["From"] = config["MAIL_FROM"]
        email["To"] = message.settings.email
        email["Subject"] = message.subject
        email.set_content(f"{message.text}\n\n{message.url}\n" if message.url else message.text)
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.send_message(email)


class SmsChannel:
    """Text messages through the provider of notifications.sms, to people who proved their
    mobile number with a code and chose text messages."""

    name = "sms"

    def reaches(
        self, person: Person, settings: NotificationSettings | None, *, fallback: bool = False
    ) -> bool:
        return bool(
            sms.configured()
            and settings is not None
            and (fallback or settings.chose(self.name))
            and settings.sms_verified(person)
        )

    def send(self, message: Message) -> None:
        content = f"{message.text} {message.url}" if message.url else message.text
        sms.send(message.person.phone, current_app.config["SMS_TEMPLATE"], {"content": content})


class WebPushChannel:
    """Web Push to the phones and computers where the person allowed the portal's messages."""

    name = "push"

    def reaches(
        self, person: Person, settings: NotificationSettings | None, *, fallback: bool = False
    ) -> bool:
        return bool(push.configured() and settings is not None and settings.chose(self.name))

    def send(self, message: Message) -> None:
        push.send(message.person, message.subject, message.text, message.url, message.urgent)


class WeChatChannel:
    """Template messages from the community's WeChat Official Account, to people who bound
    their WeChat on their settings page and chose it."""

    name = "wechat"

    def reaches(
        self, person: Person, settings: NotificationSettings | None, *, fallback: bool = False
    ) -> bool:
        return bool(
            wechat.configured()
            and settings is not None
            and settings.wechat_openid
            and (fallback or settings.chose(self.name))
        )

    def send(self, message: Message) -> None:
        wechat.send(
            message.settings.wechat_openid,
            message.subject,
            message.text,
            message.url,
            message.written,
        )


_channels: dict[str, Channel] = {}


def register(channel: Channel) -> None:
    """Send every notification on channel too, to the people it reaches."""
    _channels[channel.name] = channel


def registered() -> list[Channel]:
    return list(_channels.values())
