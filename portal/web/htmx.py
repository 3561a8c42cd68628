"""The one place that knows about htmx: page or fragment, and redirects that htmx follows."""

from flask import Flask, make_response, redirect, render_template, request
from flask_babel import get_locale
from flask_login import current_user
from htmx_flask import Htmx
from htmx_flask import request as htmx_request

_htmx = Htmx()


def init_app(app: Flask) -> None:
    _htmx.init_app(app)


def is_htmx() -> bool:
    return bool(getattr(htmx_request, "htmx", False))


def render_page_or_fragment(page: str, fragment: str, target: str, status: int = 200, **context):
    """Render fragment for an htmx request aimed at the element with id target, else the full page.

    The page includes the same fragment template, so its markup exists once; the fragment is told
    it stands alone (fragment=True), so that it can bring its own <title>. The response varies
    with the htmx headers and says so.
    """
    wants_fragment = is_htmx() and htmx_request.htmx.target == target
    body = render_template(fragment if wants_fragment else page, fragment=wants_fragment, **context)
    response = make_response(body, status)
    response.vary.update(("HX-Request", "HX-Target"))
    return response


def polled_page_or_fragment(version: str, page: str, fragment: str, target: str, context):
    """A page that htmx polls: 304 with no body while the reader's copy, named by an ETag built
    from version, the reader and their language, is still current; else as
    render_page_or_fragment, with what context() returns, called only when the page is drawn."""
    # Weak, so that Flask-Compress keeps it as it is: a compressed copy holds the same.
    etag = f'W/"{version}-{current_user.get_id()}-{get_locale()}"'
    if request.headers.get("If-None-Match") == etag:
        response = make_response("", 304)
    else:
        response = render_page_or_fragment(page, fragment, target, **context())
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = "no-store"
    response.vary.update(("HX-Request", "HX-Target", "If-None-Match", "Cookie"))
    return response


def redirect_to(url: str, code: int = 303):
    """Redirect a normal request with a 303, an htmx request with HX-Redirect (a full navigation)."""
    if is_htmx():
        response = make_response("", 204)
        response.headers["HX-Redirect"] = url
        response.vary.add("HX-Request")
        return response
    return redirect(url, code=code)
