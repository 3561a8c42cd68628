"""The top of the portal: each role's home, the page shell around every page, the front door and
preferences, and the demo data. The only package that knows every feature."""

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.site import shell, views

    shell.init_app(app)
    views.init_app(app)
