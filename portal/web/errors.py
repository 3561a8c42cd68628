"""Friendly, translated error pages; an expired form offers to send what was typed again."""

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

# Never echoed back into a page, even to the person who typed them.
SECRET_FIELDS = frozenset({"csrf_token", "password", "confirm", "pin", "new_password"})


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _expired)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _server_error)


def _expired(error: CSRFError):
    kept = [
        (name, value) for name, value in request.form.items(multi=True) if name not in SECRET_FIELDS
    ]
    return render_template("errors/expired.html", kept=kept, retry_url=request.path), 400


def _http_error(error: HTTPException):
    code = error.code or 500
    template = {403: "errors/403.html", 404: "errors/404.html", 429: "errors/429.html"}.get(
        code, "errors/generic.html"
    )
    response = error.get_response()
    response.set_data(render_template(template, code=code))
    response.content_type = "text/html; charset=utf-8"
    return response


def _server_error(error: Exception):
    from flask import current_app

    current_app.logger.exception("Unhandled error on %s", request.path)
    if current_app.testing and current_app.config.get("PROPAGATE_SERVER_ERRORS"):
        raise error
    return render_template("errors/500.html"), 500
