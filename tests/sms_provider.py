"""A local stand-in for Alibaba Cloud's SMS API, for tests: it checks each SendSms request as
the provider's documentation describes it (the common parameters, the RPC signature version 1.0
computed with the AccessKey secret, the approved signature name, a JSON TemplateParam) and answers
as the provider does. It keeps what it accepted, and can be told to refuse the next requests."""

import base64
import hashlib
import hmac
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote, urlsplit

ACCESS_KEY_ID = "LTAI-test-key"
ACCESS_KEY_SECRET = "test-secret-of-the-access-key"
SIGN_NAME = "邻里社区"
TEMPLATE = "SMS_100000001"
CODE_TEMPLATE = "SMS_100000002"
REQUIRED = {
    "AccessKeyId", "Action", "Format", "PhoneNumbers", "RegionId", "SignName", "SignatureMethod",
    "SignatureNonce", "SignatureVersion", "TemplateCode", "Timestamp", "Version", "Signature",
}  # fmt: skip


def _percent(text: str) -> str:
    return quote(text, safe="-_.~")


def expected_signature(parameters: dict[str, str]) -> str:
    """The signature the documentation's steps give for these parameters, Signature left out."""
    pairs = sorted((k, v) for k, v in parameters.items() if k != "Signature")
    query = "&".join(_percent(k) + "=" + _percent(v) for k, v in pairs)
    to_sign = "GET&" + _percent("/") + "&" + _percent(query)
    key = (ACCESS_KEY_SECRET + "&").encode("utf-8")
    return base64.b64encode(hmac.new(key, to_sign.encode("utf-8"), hashlib.sha1).digest()).decode()


class SmsProvider:
    def __init__(self) -> None:
        self.accepted: list[dict] = []
        self.refusals: list[str] = []  # codes to answer the next requests with, in turn
        self.nonces: set[str] = set()
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                status, answer = provider.answer(dict(parse_qsl(urlsplit(self.path).query)))
                body = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json;charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def answer(self, parameters: dict[str, str]) -> tuple[int, dict]:
        missing = REQUIRED - parameters.keys()
        if missing:
            return 400, {"Code": "MissingParameter", "Message": ", ".join(sorted(missing))}
        fixed = {
            "Action": "SendSms", "Format": "JSON", "SignatureMethod": "HMAC-SHA1",
            "SignatureVersion": "1.0", "Version": "2017-05-25", "AccessKeyId": ACCESS_KEY_ID,
        }  # fmt: skip
        wrong = [name for name, value in fixed.items() if parameters[name] != value]
        if wrong:
            return 400, {"Code": "InvalidParameter", "Message": ", ".join(wrong)}
        if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", parameters["Timestamp"]):
            return 400, {"Code": "InvalidTimeStamp.Format", "Message": parameters["Timestamp"]}
        if parameters["SignatureNonce"] in self.nonces:
            return 400, {"Code": "SignatureNonceUsed", "Message": "nonce used"}
        if parameters["Signature"] != expected_signature(parameters):
            return 400, {"Code": "SignatureDoesNotMatch", "Message": "signature"}
        self.nonces.add(parameters["SignatureNonce"])
        if parameters["SignName"] != SIGN_NAME:
            return 200, {"Code": "isv.SMS_SIGNATURE_ILLEGAL", "Message": "签名不合法"}
        if not re.fullmatch(r"1\d{10}", parameters["PhoneNumbers"]):
            return 200, {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号"}
        try:
            variables = json.loads(parameters.get("TemplateParam", "{}"))
        except ValueError:
            return 200, {"Code": "isv.INVALID_JSON_PARAM", "Message": "JSON参数不合法"}
        if self.refusals:
            return 200, {"Code": self.refusals.pop(0), "Message": "触发分钟级流控"}
        self.accepted.append(
            {
                "phone": parameters["PhoneNumbers"],
                "template": parameters["TemplateCode"],
                "variables": variables,
            }
        )
        return 200, {
            "Code": "OK",
            "Message": "OK",
            "BizId": f"{len(self.accepted):06d}",
            "RequestId": "x",
        }

    def config(self) -> dict:
        return {
            "SMS_ENDPOINT": self.url,
            "SMS_ACCESS_KEY_ID": ACCESS_KEY_ID,
            "SMS_ACCESS_KEY_SECRET": ACCESS_KEY_SECRET,
            "SMS_SIGN_NAME": SIGN_NAME,
            "SMS_TEMPLATE": TEMPLATE,
            "SMS_CODE_TEMPLATE": CODE_TEMPLATE,
        }

    def __enter__(self) -> "SmsProvider":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
