import io

import pytest
from flask import render_template_string
from PIL import Image

from portal.accounts.access import PUBLIC
from portal.accounts.models import Role
from portal.canteen import photos
from portal.canteen.models import Canteen
from portal.extensions import db
from tests.helpers import text_of

YEAR_LONG_CACHE = "public, max-age=31536000, immutable"


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("linli_lang", "en")


@pytest.fixture
def photo(app):
    """A saved dish photo."""
    upload = io.BytesIO()
    Image.new("RGB", (640, 480), "orange").save(upload, "JPEG")
    upload.seek(0)
    photo = photos.prepare(upload)
    db.session.commit()
    return photo


def _url(app, photo) -> str:
    with app.test_request_context():
        return render_template_string("{{ photo_url(photo) }}", photo=photo)


def test_photo_url_is_addressed_by_content(app, photo):
    assert _url(app, photo) == f"/canteen/photos/{photo.digest}.webp"


def test_a_photo_is_served_as_webp_with_a_year_long_cache(app, client, photo):
    response = client.get(_url(app, photo))

    assert response.status_code == 200
    assert response.content_type == "image/webp"
    assert response.data == photo.data
    assert response.headers["Cache-Control"] == YEAR_LONG_CACHE
    assert response.headers["ETag"] == f'"{photo.digest}"'


def test_a_browser_holding_the_photo_gets_not_modified(app, client, photo):
    response = client.get(_url(app, photo), headers={"If-None-Match": f'"{photo.digest}"'})

    assert response.status_code == 304
    assert response.data == b""
    assert response.headers["Cache-Control"] == YEAR_LONG_CACHE


def test_a_browser_holding_another_photo_gets_this_one(app, client, photo):
    response = client.get(_url(app, photo), headers={"If-None-Match": f'"{"0" * 64}"'})

    assert response.status_code == 200
    assert response.data == photo.data


@pytest.mark.parametrize(
    "path",
    [
        "/canteen/photos/" + "0" * 64 + ".webp",  # well formed, unknown
        "/canteen/photos/" + "z" * 64 + ".webp",  # not hexadecimal
        "/canteen/photos/" + "0" * 63 + ".webp",  # too short
        "/canteen/photos/" + "0" * 65 + ".webp",  # too long
    ],
)
def test_unknown_or_malformed_addresses_are_not_found(client, photo, path):
    assert client.get(path).status_code == 404


def test_the_same_photo_under_another_extension_is_not_found(client, photo):
    assert client.get(f"/canteen/photos/{photo.digest}.jpg").status_code == 404


def test_photos_are_public_so_a_signed_out_kiosk_can_show_them(app):
    assert app.view_functions["canteen_photos.photo"].access == PUBLIC


def test_an_upload_over_the_request_limit_gets_a_clear_page(app, client, world, sign_in):
    too_big = b"\0" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post(
        "/sign-in", data={"phone": "13900000001", "photo": (io.BytesIO(too_big), "dish.jpg")}
    )
    assert response.status_code == 413
    assert "That file is too large" in text_of(response)
    assert "Go back and choose a smaller file." in text_of(response)
    # Where photos are sent, the page says how large a photo may be.
    place = Canteen(community=world.community, name="幸福食堂")
    db.session.add(place)
    db.session.commit()
    sign_in.password(world.person(Role.CANTEEN_STAFF))
    response = client.post(
        f"/canteen/staff/{place.id}/settings",
        data={"photo": (io.BytesIO(too_big), "dish.jpg")},
    )
    assert response.status_code == 413
    assert "Photos can be at most 8 MB." in text_of(response)
