"""Every route declares who may use it, and every URL parameter has a type."""

import re

from portal.web.access import PUBLIC, SIGNED_IN

UNTYPED_PARAMETER = re.compile(r"<(?!\w+:)\w+>")


def _rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]


def test_every_route_declares_its_access(app):
    undeclared = [
        rule.rule
        for rule in _rules(app)
        if not hasattr(app.view_functions[rule.endpoint], "access")
    ]
    assert undeclared == []


def test_declared_access_is_public_signed_in_or_roles(app):
    for rule in _rules(app):
        access = app.view_functions[rule.endpoint].access
        assert access in (PUBLIC, SIGNED_IN) or (isinstance(access, frozenset) and access), (
            rule.rule
        )


def test_every_url_parameter_is_typed(app):
    untyped = [rule.rule for rule in _rules(app) if UNTYPED_PARAMETER.search(rule.rule)]
    assert untyped == []


def test_the_checks_catch_a_bad_route(app):
    """The conventions above fail on a route without access or with an untyped parameter."""

    @app.route("/conventions-probe/<name>")
    def probe(name):
        return name

    assert not hasattr(app.view_functions["probe"], "access")
    assert UNTYPED_PARAMETER.search("/conventions-probe/<name>")
    assert not UNTYPED_PARAMETER.search("/family-links/<int:link_id>/end")
