"""What a browser downloads: text compressed, and static files under content-hashed names that it
keeps for a year.

`portal digest compile` (Flask-Static-Digest) copies each file in static/ to a name carrying its
MD5 and lists them in static/cache_manifest.json; every url_for("static", ...) then gives the
hashed name. Without a manifest, or with one that no longer matches the files, the plain names are
served and revalidated, so a changed stylesheet is never hidden behind an old copy.
"""

import hashlib
import logging
from pathlib import Path

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface

from portal.extensions import compress, static_digest

logger = logging.getLogger(__name__)

A_YEAR = 365 * 24 * 3600
# Files whose address names their content: the same for everyone, whatever the session holds.
CONTENT_ADDRESSED = frozenset({"static", "canteen_photos.photo"})

SETTINGS = {
    # Text only: photos are WebP and gain nothing from a second compression.
    "COMPRESS_MIMETYPES": [
        "text/html",
        "text/css",
        "text/javascript",
        "application/javascript",
        "image/svg+xml",
        "application/json",
        "text/calendar",
    ],
    "COMPRESS_ALGORITHM": ["br", "gzip"],
    # Every page is compressed as it is sent. Brotli's quality 3 takes 0.09 ms for a 16 KB page
    # against 0.23 ms at the default 4, for 9 % more bytes (3,353 against 3,070).
    "COMPRESS_BR_LEVEL": 3,
    # Static files are sent as streams, for which Flask-Compress leaves gzip out by default; but
    # browsers offer brotli only over HTTPS, so a kiosk on plain HTTP needs gzip.
    "COMPRESS_ALGORITHM_STREAMING": ["br", "gzip"],
    # The library's .gz and .br copies are for a proxy that serves them; Flask-Compress does it here.
    "FLASK_STATIC_DIGEST_COMPRESSION": [],
}


def init_app(app: Flask) -> None:
    for key, value in SETTINGS.items():
        app.config.setdefault(key, value)
    compress.init_app(app)
    app.session_interface = SessionSparingFiles()
    static_digest.init_app(app)
    manifest = static_digest.manifests.get("static", {})
    if manifest and not _matches(Path(app.static_folder), manifest):
        logger.info("static/ changed since `portal digest compile`: serving the plain names")
        manifest = {}
    hashed = frozenset(manifest.values())

    @app.url_defaults
    def hashed_static_name(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values:
            values["filename"] = manifest.get(values["filename"], values["filename"])

    @app.after_request
    def keep_hashed_files_for_a_year(response):
        if request.endpoint == "static" and (request.view_args or {}).get("filename") in hashed:
            response.cache_control.no_cache = None
            response.cache_control.public = True
            response.cache_control.max_age = A_YEAR
            response.cache_control.immutable = True
        return response


class SessionSparingFiles(SecureCookieSessionInterface):
    """The signed-cookie session, left alone by responses for content-addressed files.

    Flask-Login looks at the session after every request, which makes Flask send Vary: Cookie; as
    a kiosk's session cookie changes with each tap, the browser would then revalidate every cached
    file on every page.
    """

    def save_session(self, app, session, response) -> None:
        if request.endpoint not in CONTENT_ADDRESSED:
            super().save_session(app, session, response)


def _matches(static_folder: Path, manifest: dict[str, str]) -> bool:
    """Whether every hashed copy the manifest names exists and still has its source's content."""
    for name, hashed in manifest.items():
        source = static_folder / name
        if not (source.is_file() and (static_folder / hashed).is_file()):
            return False
        if hashlib.md5(source.read_bytes()).hexdigest() not in hashed:
            return False
    return True
