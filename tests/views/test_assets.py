"""What a browser downloads: compressed text, static files under hashed names kept for a year,
and polls that an unchanged list still answers with the view's own 304."""

import io
import json

import pytest
from flask import Flask, render_template_string, url_for
from flask_static_digest.cli import digest
from PIL import Image

from portal.accounts.models import Role
from portal.canteen import photos
from portal.extensions import db
from portal.help import services as help
from portal.web import assets
from portal.web import htmx as web_htmx

BROTLI = {"Accept-Encoding": "gzip, deflate, br"}


def vary(response) -> set[str]:
    return {value.strip() for value in response.headers.get("Vary", "").split(",")}


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_pages_come_compressed_when_the_browser_accepts_it(client, encoding):
    response = client.get("/sign-in", headers={"Accept-Encoding": encoding})
    assert response.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in vary(response)
    assert "Content-Encoding" not in client.get("/sign-in").headers


def test_photos_are_sent_as_they_are_and_do_not_vary_with_the_session(client, people, sign_in):
    upload = io.BytesIO()
    Image.new("RGB", (640, 480), "orange").save(upload, "JPEG")
    upload.seek(0)
    photo = photos.prepare(upload)
    db.session.commit()
    sign_in.password(people.worker)
    response = client.get(f"/canteen/photos/{photo.digest}.webp", headers=BROTLI)
    assert response.status_code == 200 and "Content-Encoding" not in response.headers
    assert response.headers["ETag"] == f'"{photo.digest}"' and "Cookie" not in vary(response)


def renders(monkeypatch) -> list[str]:
    """Count how often a polled page is drawn, page or fragment."""
    calls = []
    render = web_htmx.render_page_or_fragment

    def counting(*args, **kwargs):
        calls.append(args[0])
        return render(*args, **kwargs)

    monkeypatch.setattr(web_htmx, "render_page_or_fragment", counting)
    return calls


def test_an_unchanged_compressed_queue_poll_is_a_304_from_the_view(
    client, people, sign_in, htmx, monkeypatch
):
    help.raise_request(people.resident, "repair", people.resident)
    sign_in.password(people.worker)
    calls = renders(monkeypatch)
    fragment = htmx("get", "/help/queue", target="queue", headers=BROTLI)
    assert fragment.headers["Content-Encoding"] == "br" and len(calls) == 1
    assert {"HX-Request", "HX-Target", "Accept-Encoding"} <= vary(fragment)

    etag = fragment.headers["ETag"]
    unchanged = htmx(
        "get", "/help/queue", target="queue", headers={**BROTLI, "If-None-Match": etag}
    )
    assert unchanged.status_code == 304 and unchanged.headers["ETag"] == etag
    assert len(calls) == 1, "the view rendered the queue again to find it unchanged"
    assert {"HX-Request", "HX-Target", "Accept-Encoding"} <= vary(unchanged)


def test_an_unchanged_compressed_rounds_poll_is_a_304_from_the_view(
    client, world, sign_in, htmx, monkeypatch
):
    place = world.canteen_serving([world.community.today()])
    sign_in.password(world.person(Role.CANTEEN_STAFF, name="张师傅"))
    calls = renders(monkeypatch)
    url = f"/delivery/staff/canteens/{place.id}/rounds"
    etag = htmx("get", url, target="progress", headers=BROTLI).headers["ETag"]
    unchanged = htmx("get", url, target="progress", headers={**BROTLI, "If-None-Match": etag})
    assert unchanged.status_code == 304 and len(calls) == 1


def test_static_files_do_not_vary_with_the_session(client, people, sign_in):
    sign_in.password(people.worker)
    with client.application.test_request_context():
        stylesheet = url_for("static", filename="css/linli.css")
    with client.get(stylesheet) as response:
        assert response.status_code == 200 and "Set-Cookie" not in response.headers
        assert "Cookie" not in vary(response)
    assert "Cookie" in vary(client.get("/help/queue"))


@pytest.fixture
def static_folder(tmp_path):
    """A static folder with a stylesheet and a sprite."""
    (tmp_path / "css").mkdir()
    (tmp_path / "icons").mkdir()
    (tmp_path / "css/site.css").write_text("body { color: black }\n" * 100)
    (tmp_path / "icons/sprite.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    return tmp_path


def serving(static_folder) -> Flask:
    """An app serving static_folder the way the portal serves its own."""
    app = Flask(__name__, static_folder=str(static_folder), static_url_path="/static")
    assets.init_app(app)
    return app


def compile_digest(static_folder) -> dict[str, str]:
    """Run `portal digest compile` over static_folder; return the manifest it wrote."""
    result = serving(static_folder).test_cli_runner().invoke(digest, ["compile"])
    assert result.exit_code == 0, result.output
    return json.loads((static_folder / "cache_manifest.json").read_text())


def test_without_a_manifest_static_files_keep_their_names_and_are_revalidated(static_folder):
    app = serving(static_folder)
    with app.test_request_context():
        assert url_for("static", filename="css/site.css") == "/static/css/site.css"
    with app.test_client().get("/static/css/site.css") as response:
        assert response.status_code == 200 and response.cache_control.no_cache
        assert not response.cache_control.immutable


def test_compiled_static_files_have_hashed_names_kept_for_a_year(static_folder):
    manifest = compile_digest(static_folder)
    app = serving(static_folder)
    with app.test_request_context():
        css = url_for("static", filename="css/site.css")
        sprite = render_template_string("{{ url_for('static', filename='icons/sprite.svg') }}#x")
    assert css == f"/static/{manifest['css/site.css']}"
    assert sprite == f"/static/{manifest['icons/sprite.svg']}#x"

    with app.test_client().get(css, headers=BROTLI) as response:
        assert response.status_code == 200 and response.headers["Content-Encoding"] == "br"
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_a_manifest_that_no_longer_matches_its_files_is_ignored(static_folder):
    compile_digest(static_folder)
    (static_folder / "css/site.css").write_text("body { color: navy }\n")
    with serving(static_folder).test_request_context():
        assert url_for("static", filename="css/site.css") == "/static/css/site.css"
