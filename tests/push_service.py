"""A local stand-in for a browser's push service, for tests: it takes Web Push messages as RFC
8030 describes them, checks the VAPID authorisation (RFC 8292: an ES256 token for this service's
origin, not expired, signed by the key the subscription was made with) and decrypts the aes128gcm
payload (RFC 8291) with the subscriber's keys, as the phone would. Subscriptions made here can be
told to be gone (410), as when someone revokes the permission."""

import base64
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

SUBJECT = "mailto:office@linli.example.cn"


def _b64(data: str) -> bytes:
    return base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))


def _unb64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class PushService:
    def __init__(self, application_server_key: str) -> None:
        self.application_server_key = application_server_key
        self.received: list[dict] = []  # decrypted messages, with their endpoint and headers
        self.refused: list[str] = []
        self.gone: set[str] = set()
        self.keys: dict[str, tuple[ec.EllipticCurvePrivateKey, bytes]] = {}
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status = service.take(self.path, dict(self.headers), body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def subscription(self) -> dict:
        """A new subscription, as a browser's PushSubscription.toJSON() gives it."""
        key = ec.generate_private_key(ec.SECP256R1())
        auth = os.urandom(16)
        endpoint = f"{self.origin}/push/{_unb64(os.urandom(12))}"
        self.keys[endpoint] = (key, auth)
        public = key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {"endpoint": endpoint, "keys": {"p256dh": _unb64(public), "auth": _unb64(auth)}}

    def _authorised(self, authorization: str) -> str | None:
        """Why the VAPID authorisation is refused, or None."""
        fields = dict(
            part.strip().split("=", 1) for part in authorization.removeprefix("vapid ").split(",")
        )
        if fields.get("k") != self.application_server_key:
            return "not the key the subscription was made with"
        header, claims, signature = fields["t"].split(".")
        if json.loads(_b64(header)).get("alg") != "ES256":
            return "not ES256"
        raw = _b64(signature)
        der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), _b64(fields["k"]))
        try:
            public.verify(der, f"{header}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            return "bad signature"
        claimed = json.loads(_b64(claims))
        if claimed.get("aud") != self.origin:
            return "wrong audience"
        if not time.time() < claimed.get("exp", 0) <= time.time() + 24 * 3600:
            return "expired, or more than a day ahead"
        if claimed.get("sub") != SUBJECT:
            return "no contact"
        return None

    def take(self, path: str, headers: dict, body: bytes) -> int:
        endpoint = self.origin + path
        if endpoint in self.gone:
            return 410
        if endpoint not in self.keys:
            return 404
        headers = {name.lower(): value for name, value in headers.items()}
        why = None
        if headers.get("content-encoding") != "aes128gcm":
            why = "not aes128gcm"
        elif "ttl" not in headers:
            why = "no TTL"
        elif not headers.get("authorization", "").startswith("vapid "):
            why = "no VAPID authorisation"
        else:
            why = self._authorised(headers["authorization"])
        if why:
            self.refused.append(why)
            return 401 if "VAPID" in why or "key" in why or "signature" in why else 400
        key, auth = self.keys[endpoint]
        message = json.loads(
            http_ece.decrypt(body, private_key=key, auth_secret=auth, version="aes128gcm")
        )
        self.received.append(
            {
                "endpoint": endpoint,
                "message": message,
                "ttl": int(headers["ttl"]),
                "urgency": headers.get("urgency"),
            }
        )
        return 201

    def __enter__(self) -> "PushService":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
