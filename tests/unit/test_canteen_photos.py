import io
import struct
import zlib

import pytest
from PIL import Image

from portal.canteen import photos
from portal.canteen.models import DishPhoto
from portal.extensions import db


def _encoded(image: Image.Image, kind: str, **options) -> io.BytesIO:
    buffer = io.BytesIO()
    image.save(buffer, kind, **options)
    buffer.seek(0)
    return buffer


def _photo_like(size=(3000, 2000)) -> Image.Image:
    """A camera-sized picture with colour detail at every scale, harder to compress than food."""
    coarse = Image.merge("RGB", [Image.effect_noise((750, 500), 70) for _ in range(3)])
    fine = Image.merge("RGB", [Image.effect_noise(size, 40) for _ in range(3)])
    return Image.blend(coarse.resize(size, Image.Resampling.BICUBIC), fine, 0.3)


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _png_header_claiming(width: int, height: int) -> io.BytesIO:
    """A few dozen bytes that say they are a PNG of width × height: a decompression bomb's shape."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return io.BytesIO(
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + _png_chunk(b"IEND", b"")
    )


def _rejection(app, stream) -> str:
    """The English message prepare() refuses stream with."""
    with pytest.raises(photos.PhotoRejected) as caught:
        photos.prepare(stream)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        return str(caught.value.message)


def _served(photo: DishPhoto) -> Image.Image:
    return Image.open(io.BytesIO(photo.data))


@pytest.mark.parametrize("kind", ["JPEG", "PNG", "WEBP"])
def test_accepted_kinds_become_a_small_webp_for_the_kiosk(app, kind):
    size = (1200, 800) if kind == "PNG" else (3000, 2000)
    photo = photos.prepare(_encoded(_photo_like(size), kind))
    db.session.commit()

    served = _served(photo)
    assert served.format == "WEBP"
    assert photo.content_type == "image/webp"
    assert (photo.width, photo.height) == served.size == (480, 320)
    assert len(photo.data) < 60 * 1024
    assert photos.get_by_digest(photo.digest) is photo


def test_a_phone_photo_holding_several_pictures_is_accepted(app):
    """Some phones save a JPEG with a second, smaller picture inside (MPO); the first is used."""
    first, second = Image.new("RGB", (800, 600), "red"), Image.new("RGB", (800, 600), "blue")
    upload = _encoded(first, "MPO", save_all=True, append_images=[second])
    photo = photos.prepare(upload)

    red, green, blue = _served(photo).convert("RGB").getpixel((10, 10))
    assert red > 200 and blue < 50


def test_the_served_photo_carries_no_camera_metadata(app):
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"  # Make
    upload = _encoded(_photo_like((800, 600)), "JPEG", exif=exif)
    assert b"Camera maker" in upload.getvalue()
    photo = photos.prepare(upload)

    assert not _served(photo).getexif()
    assert b"Camera maker" not in photo.data


def test_a_small_picture_is_not_enlarged(app):
    photo = photos.prepare(_encoded(Image.new("RGB", (200, 150), "orange"), "PNG"))

    assert (photo.width, photo.height) == (200, 150)


def test_a_portrait_picture_fits_the_height(app):
    photo = photos.prepare(_encoded(Image.new("RGB", (1500, 3000), "orange"), "JPEG"))

    assert (photo.width, photo.height) == (180, 360)


def test_transparency_becomes_white(app):
    picture = Image.new("RGBA", (400, 300), (0, 0, 0, 0))
    picture.paste((200, 0, 0, 255), (100, 100, 300, 200))
    photo = photos.prepare(_encoded(picture, "PNG"))

    served = _served(photo).convert("RGB")
    assert served.mode == "RGB"
    corner, middle = served.getpixel((5, 5)), served.getpixel((200, 150))
    assert min(corner) > 240
    assert middle[0] > 170 and middle[1] < 40


def test_a_photo_taken_sideways_comes_out_upright(app):
    """Phones store a portrait photo as landscape pixels plus an EXIF orientation."""
    picture = Image.new("RGB", (800, 600), "white")
    picture.paste((0, 0, 0), (0, 0, 400, 600))  # left half dark
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    photo = photos.prepare(_encoded(picture, "JPEG", exif=exif))

    served = _served(photo).convert("L")
    assert (photo.width, photo.height) == (270, 360)
    assert served.getpixel((135, 40)) < 60  # the dark half is now on top
    assert served.getpixel((135, 320)) > 200


def _exif_pillow_cannot_rewrite(orientation: int) -> bytes:
    """EXIF whose camera maker is stored as a number, as some phones write it."""
    entries = [(0x010F, 5, 1, 38), (0x0112, 3, 1, orientation)]
    ifd = struct.pack("<H", len(entries))
    ifd += b"".join(struct.pack("<HHII", *entry) for entry in entries) + struct.pack("<I", 0)
    return b"Exif\0\0II*\0" + struct.pack("<I", 8) + ifd + struct.pack("<II", 72, 1)


def test_odd_camera_metadata_still_comes_out_upright(app):
    picture = Image.new("RGB", (800, 600), "white")
    exif = _exif_pillow_cannot_rewrite(orientation=6)
    photo = photos.prepare(_encoded(picture, "JPEG", exif=exif))

    assert (photo.width, photo.height) == (270, 360)


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data")
def test_unreadable_camera_metadata_leaves_the_picture_as_stored(app):
    picture = Image.new("RGB", (800, 600), "white")
    photo = photos.prepare(_encoded(picture, "JPEG", exif=b"Exif\0\0II*\0\xff\xff\xff\x7f"))

    assert (photo.width, photo.height) == (480, 360)


def test_a_text_file_named_like_a_photo_is_refused(app):
    stream = io.BytesIO(b"Menu for Monday: braised pork, steamed fish.\n" * 20)
    stream.name = "dish.jpg"

    assert _rejection(app, stream) == (
        "This file is not a photo. Please choose a JPEG, PNG or WebP picture."
    )


@pytest.mark.parametrize("kind", ["GIF", "BMP", "TIFF"])
def test_other_image_kinds_are_refused(app, kind):
    stream = _encoded(Image.new("RGB", (300, 200), "green"), kind)

    assert "Please choose a JPEG, PNG or WebP picture" in _rejection(app, stream)


def test_an_empty_file_is_refused(app):
    assert "not a photo" in _rejection(app, io.BytesIO(b""))


def test_a_file_over_the_limit_is_refused_without_reading_it_all(app):
    stream = io.BytesIO(b"\xff\xd8\xff" + b"\0" * photos.MAX_UPLOAD_BYTES)

    assert _rejection(app, stream) == (
        "This photo is larger than 8 MB. Please choose a smaller one."
    )
    assert stream.tell() == photos.MAX_UPLOAD_BYTES + 1


def test_a_file_exactly_at_the_limit_is_read(app):
    """The limit is inclusive; what fails here is the content, not the size."""
    stream = io.BytesIO(b"\0" * photos.MAX_UPLOAD_BYTES)

    assert "not a photo" in _rejection(app, stream)


@pytest.mark.parametrize(
    ("width", "height"),
    [
        (7000, 6000),  # over the portal's own limit
        (10000, 10000),  # over the point where Pillow warns
        (20000, 20000),  # over the point where Pillow refuses
    ],
)
def test_a_picture_with_too_many_pixels_is_refused_before_decoding(app, width, height):
    """The header's size is checked first: decoding would fail on these bytes, so reaching the
    pixel message shows nothing was decoded."""
    assert _rejection(app, _png_header_claiming(width, height)) == (
        "This picture has more than 40 million pixels. Please choose a smaller copy of it."
    )


def test_a_picture_at_the_pixel_limit_is_accepted(app):
    photo = photos.prepare(_encoded(Image.new("L", (8000, 5000), 128), "PNG"))

    assert (photo.width, photo.height) == (480, 300)


def test_a_truncated_photo_is_refused(app):
    whole = _encoded(_photo_like((800, 600)), "JPEG").getvalue()

    assert _rejection(app, io.BytesIO(whole[: len(whole) // 2])) == (
        "This photo could not be read; the file may be damaged. Please choose another copy."
    )


def test_the_same_picture_twice_gives_the_same_photo(app):
    picture = _photo_like((1024, 768))
    first = photos.prepare(_encoded(picture, "JPEG"))
    db.session.commit()
    again = photos.prepare(_encoded(picture, "JPEG"))

    assert again is first
    assert db.session.query(DishPhoto).count() == 1


def test_the_same_picture_twice_before_saving_gives_one_photo(app):
    picture = _photo_like((1024, 768))
    first = photos.prepare(_encoded(picture, "PNG"))
    again = photos.prepare(_encoded(picture, "PNG"))
    db.session.commit()

    assert again is first
    assert db.session.query(DishPhoto).count() == 1


def test_a_new_photo_waits_for_the_callers_commit(app):
    photo = photos.prepare(_encoded(Image.new("RGB", (64, 48), "teal"), "PNG"))

    assert photo in db.session.new
    db.session.rollback()
    assert photos.get_by_digest(photo.digest) is None


def test_an_unknown_digest_finds_nothing(app):
    assert photos.get_by_digest("0" * 64) is None
