"""Friendly, translated error pages; an expired form from the portal's own pages offers to send
what was typed again, and one from anywhere else is refused without changing a thing."""

from flask import Flask, after_this_request, current_app, render_template, request, session
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, SecurityError

# Never echoed back into a page, even to the person who typed them.
SECRET_FIELDS = frozenset({"csrf_token", "password", "confirm", "pin", "new_password"})


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _expired)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(SecurityError, _unknown_host)
    app.register_error_handler(Exception, _server_error)


def _from_our_pages() -> bool:
    """Whether the browser says the request came from one of the portal's own pages: in
    Sec-Fetch-Site, or in Origin where it does not send that."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site == "same-origin"
    return request.headers.get("Origin") == request.host_url.rstrip("/")


def _leave_cookies_alone(response):
    """The browser's cookies stay as they were: a session this request began is not saved."""
    session.modified = False
    response.headers.remove("Set-Cookie")
    return response


def _expired(error: CSRFError):
    if not _from_our_pages():
        # A form on another site, sent with none of the person's cookies: re-arming it with a
        # fresh token would let one more press act in their name, so it is explained, not kept.
        after_this_request(_leave_cookies_alone)
        page = render_template(
            "errors/error.html",
            heading=_("This was not sent"),
            message=_(
                "It came from another website or app, not from Linli, so nothing was done. "
                "To do it, open Linli and do it there."
            ),
        )
        return page, 403
    kept = [
        (name, value) for name, value in request.form.items(multi=True) if name not in SECRET_FIELDS
    ]
    return render_template("errors/expired.html", kept=kept, retry_url=request.path), 400


def _explanation(code: int) -> tuple[str, str]:
    """The heading and the sentence that tell a person what went wrong and what to do."""
    if code == 403:
        return _("You cannot open this page"), _(
            "This page is for other people, or you are signed in with a different account."
        )
    if code == 404:
        return _("Page not found"), _("This page does not exist, or it has moved.")
    if code == 413:
        return _("That file is too large"), _(
            "It is larger than Linli takes. Go back and choose a smaller file."
        )
    if code == 429:
        return _("Please wait a minute"), _(
            "There were too many tries from this device in a short time. "
            "Wait a minute, then try again."
        )
    if code >= 500:
        return _("Sorry, something went wrong"), _(
            "This is our fault, not yours. Please try again in a few minutes. "
            "If you need help now, call the numbers at the top of the page."
        )
    return _("This did not work"), _(
        "The page could not do what was asked (error %(code)s). Go back and try again.", code=code
    )


def error_page(heading: str, message: str) -> str:
    """The error page with heading and message, for a feature that can say more than the code."""
    return render_template("errors/error.html", heading=heading, message=message)


def _render_error(code: int) -> str:
    return error_page(*_explanation(code))


def _http_error(error: HTTPException):
    response = error.get_response()
    response.set_data(_render_error(error.code or 500))
    response.content_type = "text/html; charset=utf-8"
    return response


def _server_error(error: Exception):
    current_app.logger.exception("Unhandled error on %s", request.path)
    return _render_error(500), 500


def _unknown_host(error: SecurityError):
    """A Host that is not one of TRUSTED_HOSTS: no page can be drawn, since every link on it
    would be built from that name."""
    text = _("This is not an address of Linli. Check the address and try again.")
    return text, 400, {"Content-Type": "text/plain; charset=utf-8"}
