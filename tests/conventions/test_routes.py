"""Every route declares who may use it, and every URL parameter has a type."""

import re

import pytest

from portal.accounts.access import PUBLIC, SIGNED_IN, public, roles_required
from portal.accounts.models import Role

UNTYPED_PARAMETER = re.compile(r"<(?!\w+:)\w+>")


def _rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]


def _is_good_access(access) -> bool:
    if access in (PUBLIC, SIGNED_IN):
        return True
    return (
        isinstance(access, frozenset) and bool(access) and all(isinstance(r, Role) for r in access)
    )


def undeclared_routes(app) -> list[str]:
    """Routes whose view has no access declared at all."""
    return [
        rule.rule
        for rule in _rules(app)
        if not hasattr(app.view_functions[rule.endpoint], "access")
    ]


def badly_declared_routes(app) -> list[str]:
    """Routes whose view declares access that is neither public, signed in nor a set of roles."""
    return [
        rule.rule
        for rule in _rules(app)
        if hasattr(app.view_functions[rule.endpoint], "access")
        and not _is_good_access(app.view_functions[rule.endpoint].access)
    ]


def untyped_routes(app) -> list[str]:
    """Routes with a URL parameter that names no converter."""
    return [rule.rule for rule in _rules(app) if UNTYPED_PARAMETER.search(rule.rule)]


def test_every_route_declares_its_access(app):
    assert undeclared_routes(app) == []


def test_declared_access_is_public_signed_in_or_roles(app):
    assert badly_declared_routes(app) == []


def test_every_url_parameter_is_typed(app):
    assert untyped_routes(app) == []


@pytest.mark.own_app
def test_the_checks_catch_a_bad_route(app):
    """Each check above reports exactly the probe route that breaks its convention, and none of
    the probe routes that keep to it."""

    @app.route("/probe/<int:number>/undeclared")
    def undeclared(number):
        return ""

    @app.route("/probe/<int:number>/badly-declared")
    def badly_declared(number):
        return ""

    badly_declared.access = "everyone"

    @app.route("/probe/<name>/untyped")
    @public
    def untyped(name):
        return ""

    @app.route("/probe/<path:where>/good")
    @roles_required(Role.ADMIN)
    def good(where):
        return ""

    assert undeclared_routes(app) == ["/probe/<int:number>/undeclared"]
    assert badly_declared_routes(app) == ["/probe/<int:number>/badly-declared"]
    assert untyped_routes(app) == ["/probe/<name>/untyped"]
