"""Text messages through Alibaba Cloud's Short Message Service (阿里云短信), by its documented
HTTP API: a SendSms request signed with the account's AccessKey (RPC signature version 1.0,
HMAC-SHA1), naming an approved template and the portal's approved signature (签名). Messages use
the template SMS_TEMPLATE, whose one variable ${content} holds the notification's words; codes
that check a number use SMS_CODE_TEMPLATE, whose one variable is ${code}."""

import base64
import hashlib
import hmac
import json
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import UTC, datetime

from flask import current_app

VERSION = "2017-05-25"


class SmsRefused(Exception):
    """The provider did not take the message: its code and words say why."""


def _encoded(text: str) -> str:
    """Percent-encoding as the signature method specifies: RFC 3986, spaces as %20, ~ kept."""
    return urllib.parse.quote(text, safe="~")


def signature(parameters: dict[str, str], secret: str, method: str = "GET") -> str:
    """The Signature of a request with these parameters (all but Signature itself)."""
    canonical = "&".join(
        f"{_encoded(key)}={_encoded(value)}" for key, value in sorted(parameters.items())
    )
    string_to_sign = f"{method}&{_encoded('/')}&{_encoded(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def configured() -> bool:
    config = current_app.config
    return bool(config.get("SMS_ACCESS_KEY_ID") and config.get("SMS_ACCESS_KEY_SECRET"))


def send(phone: str, template: str, variables: dict[str, str]) -> str:
    """Send one text message to a mainland number; return the provider's BizId. Raises
    SmsRefused when the provider says no, OSError when it cannot be reached."""
    config = current_app.config
    parameters = {
        "AccessKeyId": config["SMS_ACCESS_KEY_ID"],
        "Action": "SendSms",
        "Format": "JSON",
        "PhoneNumbers": phone.removeprefix("+86"),
        "RegionId": config["SMS_REGION"],
        "SignName": config["SMS_SIGN_NAME"],
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": uuid.uuid4().hex,
        "SignatureVersion": "1.0",
        "TemplateCode": template,
        "TemplateParam": json.dumps(variables, ensure_ascii=False),
        "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "Version": VERSION,
    }
    parameters["Signature"] = signature(parameters, config["SMS_ACCESS_KEY_SECRET"])
    address = f"{config['SMS_ENDPOINT'].rstrip('/')}/?{urllib.parse.urlencode(parameters)}"
    try:
        with urllib.request.urlopen(address, timeout=10) as response:
            answer = json.loads(response.read().decode())
    except urllib.error.HTTPError as error:
        # The provider answers a refused request with an error status and its reason as JSON.
        answer = json.loads(error.read().decode() or "{}")
    if answer.get("Code") != "OK":
        raise SmsRefused(f"{answer.get('Code')}: {answer.get('Message')}")
    return answer.get("BizId", "")
