"""Dish photos: an upload from canteen staff becomes a small WebP the kiosk can show at once.

Residents recognise dishes by their picture, so every photo is turned upright, flattened onto white,
shrunk to the kiosk's dish card and stored once, addressed by the digest of what is served.
"""

import hashlib
import io
import warnings
from typing import BinaryIO

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from PIL import ExifTags, Image, UnidentifiedImageError
from sqlalchemy import select

from portal.canteen.models import DishPhoto
from portal.extensions import db

MAX_UPLOAD_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 12-megapixel phone photo fits with room to spare
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
KIOSK_SIZE = (480, 360)
WEBP_QUALITY = 70
CONTENT_TYPE = "image/webp"

# How to turn the stored pixels for each EXIF orientation into the picture as the camera was held.
UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


class PhotoRejected(Exception):
    """An upload that cannot become a dish photo; message tells staff why, in their language."""

    def __init__(self, message: LazyString):
        super().__init__(message)
        self.message = message


def prepare(stream: BinaryIO) -> DishPhoto:
    """The dish photo for the picture in stream: an existing one with the same content, or a new one
    added to the session for the caller to commit with the dish. Raises PhotoRejected."""
    image = _fit_for_kiosk(_open(_read(stream)))
    data = _encode(image)
    digest = hashlib.sha256(data).hexdigest()
    existing = get_by_digest(digest)
    if existing:
        return existing
    photo = DishPhoto(
        digest=digest,
        content_type=CONTENT_TYPE,
        width=image.width,
        height=image.height,
        data=data,
    )
    db.session.add(photo)
    return photo


def get_by_digest(digest: str) -> DishPhoto | None:
    """The photo whose content has this sha256 hex digest, or None."""
    return db.session.scalar(select(DishPhoto).where(DishPhoto.digest == digest))


def _read(stream: BinaryIO) -> bytes:
    """The upload's bytes; reads one byte past the limit, whatever the request claimed its size was."""
    data = stream.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise PhotoRejected(
            _l(
                "This photo is larger than %(megabytes)d MB. Please choose a smaller one.",
                megabytes=MAX_UPLOAD_BYTES // (1024 * 1024),
            )
        )
    return data


def _open(data: bytes) -> Image.Image:
    """The picture in data, its pixels not yet decoded; only JPEG, PNG and WebP content is tried,
    whatever the file was called."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise _too_many_pixels() from error
    except UnidentifiedImageError as error:
        raise PhotoRejected(
            _l("This file is not a photo. Please choose a JPEG, PNG or WebP picture.")
        ) from error
    except (OSError, SyntaxError, ValueError) as error:
        raise _damaged() from error
    if image.width * image.height > MAX_PIXELS:
        raise _too_many_pixels()
    return image


def _fit_for_kiosk(image: Image.Image) -> Image.Image:
    """The picture upright, on white where it was transparent, within KIOSK_SIZE; never enlarged."""
    # A JPEG can decode straight at a fraction of its size: far less memory for a large photo,
    # still twice the final size whichever way the camera was held.
    image.draft(None, (2 * max(KIOSK_SIZE), 2 * max(KIOSK_SIZE)))
    try:
        image.load()
        upright = _upright(image)
        mode = "RGBA" if upright.has_transparency_data else "RGB"
        colour = upright if upright.mode == mode else upright.convert(mode)
    except (OSError, SyntaxError, ValueError) as error:
        raise _damaged() from error
    # Shrunk before flattening, so a large transparent picture is never copied at full size.
    colour.thumbnail(KIOSK_SIZE, Image.Resampling.LANCZOS)
    return _on_white(colour)


def _upright(image: Image.Image) -> Image.Image:
    """image turned as its EXIF orientation says, as the camera was held.

    Only the orientation is read: Pillow's exif_transpose also rewrites the rest of the metadata,
    which fails on some phones' photos, and the kiosk copy drops that metadata anyway.
    """
    method = UPRIGHT.get(image.getexif().get(ExifTags.Base.Orientation))
    return image.transpose(method) if method else image


def _on_white(image: Image.Image) -> Image.Image:
    """The RGB or RGBA image as RGB; transparent parts become white, as on the kiosk's dish card."""
    if image.mode == "RGB":
        return image
    background = Image.new("RGBA", image.size, "white")
    background.alpha_composite(image)
    return background.convert("RGB")


def _encode(image: Image.Image) -> bytes:
    """image as a WebP without metadata, so no camera, place or owner details go out with it."""
    buffer = io.BytesIO()
    image.save(buffer, "WEBP", quality=WEBP_QUALITY, method=6)
    return buffer.getvalue()


def _too_many_pixels() -> PhotoRejected:
    return PhotoRejected(
        _l(
            "This picture has more than %(megapixels)d million pixels. "
            "Please choose a smaller copy of it.",
            megapixels=MAX_PIXELS // 1_000_000,
        )
    )


def _damaged() -> PhotoRejected:
    return PhotoRejected(
        _l("This photo could not be read; the file may be damaged. Please choose another copy.")
    )
