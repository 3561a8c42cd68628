"""The one page-or-fragment helper: htmx aimed at the fragment's target gets the fragment alone."""

import pytest
from jinja2 import ChoiceLoader, DictLoader

from portal.accounts.access import public
from portal.web.htmx import render_page_or_fragment
from tests.helpers import html

# Each test adds a route and templates of its own.
pytestmark = pytest.mark.own_app


def _install_probe(app):
    app.jinja_loader = ChoiceLoader(
        [
            DictLoader(
                {
                    "probe/page.html": '{% extends "layouts/remote.html" %}{% block content %}'
                    '<h1>Page</h1>{% include "probe/_list.html" %}{% endblock %}',
                    "probe/_list.html": '<ul id="list"><li>{{ item }}</li></ul>',
                }
            ),
            app.jinja_loader,
        ]
    )

    @app.get("/probe")
    @public
    def probe():
        return render_page_or_fragment("probe/page.html", "probe/_list.html", "list", item="一")


def test_plain_request_gets_the_whole_page(app, client):
    _install_probe(app)
    response = client.get("/probe")
    page = html(response)
    assert page.h1.get_text() == "Page" and page.select_one("#list li").get_text() == "一"
    assert {"HX-Request", "HX-Target"} <= set(response.headers["Vary"].replace(" ", "").split(","))


def test_htmx_request_for_the_target_gets_the_fragment_only(app, htmx):
    _install_probe(app)
    response = htmx("get", "/probe", target="list")
    assert response.get_data(as_text=True) == '<ul id="list"><li>一</li></ul>'
    assert "HX-Target" in response.headers["Vary"]


def test_htmx_request_for_another_target_gets_the_page(app, htmx):
    _install_probe(app)
    assert html(htmx("get", "/probe", target="elsewhere")).h1
