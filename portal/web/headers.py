"""Security headers on every response: only our own origin, no framing, little referrer, and
over HTTPS, HTTPS only from then on."""

from flask import Flask, current_app, request

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)


HSTS_SECONDS = 365 * 24 * 3600


def init_app(app: Flask) -> None:
    @app.after_request
    def add_security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        allowed = "camera=(), geolocation=()"
        if not current_app.config["DICTATION"]:
            allowed += ", microphone=()"
        response.headers.setdefault("Permissions-Policy", allowed)
        if request.is_secure:
            # Browsers that once reached the portal over HTTPS never try plain HTTP for a year.
            response.headers.setdefault("Strict-Transport-Security", f"max-age={HSTS_SECONDS}")
        return response
