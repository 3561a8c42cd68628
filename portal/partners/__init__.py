"""Partners: the property company, the water company, a clinic. Their people have a desk where
they find the requests handed to them, with what, where and whom to call."""

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.partners import views

    app.register_blueprint(views.bp)
