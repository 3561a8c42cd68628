"""The one place that knows about htmx: page or fragment, and redirects that htmx follows."""

from flask import Flask, make_response, redirect, render_template
from htmx_flask import Htmx
from htmx_flask import request as htmx_request

_htmx = Htmx()


def init_app(app: Flask) -> None:
    _htmx.init_app(app)


def is_htmx() -> bool:
    return bool(getattr(htmx_request, "htmx", False))


def render_page_or_fragment(page: str, fragment: str, target: str, **context):
    """Render fragment for an htmx request aimed at the element with id target, else the full page.

    The page includes the same fragment template, so its markup exists once. The response varies
    with the htmx headers and says so.
    """
    wants_fragment = is_htmx() and htmx_request.htmx.target == target
    response = make_response(render_template(fragment if wants_fragment else page, **context))
    response.vary.update(("HX-Request", "HX-Target"))
    return response


def redirect_to(url: str, code: int = 303):
    """Redirect a normal request with a 303, an htmx request with HX-Redirect (a full navigation)."""
    if is_htmx():
        response = make_response("", 204)
        response.headers["HX-Redirect"] = url
        response.vary.add("HX-Request")
        return response
    return redirect(url, code=code)
