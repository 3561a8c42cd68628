"""The portal as production serves it, with a bare Flask route beside it at /_bare/ and two
floor pages for a signed-in resident: `gunicorn 'bench.wsgi:bench_app()'`.

The bare route runs in the same gunicorn workers, so its throughput is the ceiling that this
server, this machine and Flask itself put on any page; the benchmark reports each page against it.
The floor pages show what a signed-in resident's request costs before a page draws anything of
its own: one answers plain text after every one of the portal's hooks (session, the signed-in
person, kiosk, language, headers, compression), the other also draws the kiosk layout (toolbar,
help strip, account bar) around an empty page.
"""

from flask import Flask, render_template
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from bench.pages import FLOOR_PAGES
from portal import create_app
from portal.accounts.access import roles_required
from portal.accounts.models import Role

bare = Flask("bare")


@bare.get("/")
def hello():
    return "ok"


_EMPTY_KIOSK_PAGE = (
    '{% extends "layouts/kiosk.html" %}{% block title %}—{% endblock %}'
    "{% block content %}<h1>—</h1>{% endblock %}"
)


def bench_app(config: dict | None = None) -> Flask:
    """The portal with the two floor pages (bench.pages.FLOOR_PAGES), and the bare route at
    /_bare/."""
    portal = create_app(config)
    empty_page = portal.jinja_env.from_string(_EMPTY_KIOSK_PAGE)

    @roles_required(Role.RESIDENT)
    def signed_in_floor():
        return "ok"

    @roles_required(Role.RESIDENT)
    def kiosk_page_floor():
        return render_template(empty_page)

    portal.add_url_rule(FLOOR_PAGES["signed in, no page"], view_func=signed_in_floor)
    portal.add_url_rule(FLOOR_PAGES["empty kiosk page"], view_func=kiosk_page_floor)
    portal.wsgi_app = DispatcherMiddleware(portal.wsgi_app, {"/_bare": bare})
    return portal
