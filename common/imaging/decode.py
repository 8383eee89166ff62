"""Validate an image by its bytes, not by what the client claimed, and decode it safely.

Refused (UnsupportedImage, with the reason): anything over 10 MB, bytes that are not a
JPEG, PNG or WebP, bytes of another format than the declared content type, more than
40 megapixels or 20,000 px a side (checked from the header, before any pixel is decoded:
the decompression-bomb guard), animated images, and truncated or corrupt files.
Accepted and converted to RGB: greyscale, palette, 16-bit, CMYK and images with alpha
(composited on white). The EXIF orientation is applied; no metadata survives decoding.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from common.domain.errors import UnsupportedImage
from common.domain.images import ACCEPTED_TYPES, MAX_BYTES, MAX_PIXELS, MAX_SIDE

# Our own header check runs first; this keeps Pillow's guard as a second line at the same limit.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
_TOO_LARGE = f"The limit is {MAX_PIXELS // 1_000_000} megapixels and {MAX_SIDE} px a side."
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError)


@dataclass(frozen=True)
class DecodedImage:
    format: str  # JPEG, PNG or WEBP, as read from the bytes
    width: int  # of the original, after orientation
    height: int
    pixels: Image.Image  # RGB, oriented, without metadata


def decode(data: bytes, declared_type: str | None = None, *,
           draft_side: int | None = None) -> DecodedImage:
    """Decode `data`; `draft_side` lets JPEG decoding scale down early (search queries)."""
    if len(data) > MAX_BYTES:
        raise UnsupportedImage(f"Images are limited to {MAX_BYTES} bytes (10 MB).")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        image = _open(data)
        _check_header(image, declared_type)
        width, height = image.size
        if draft_side and image.format == "JPEG":
            image.draft("RGB", (draft_side, draft_side))
        try:
            image.load()
            pixels = _to_rgb(ImageOps.exif_transpose(image))
        except _DECODE_ERRORS as error:
            raise UnsupportedImage("The image is truncated or corrupt; upload it again.") from error
    if _orientation_swaps_sides(image):
        width, height = height, width
    return DecodedImage(image.format, width, height, pixels)


def _open(data: bytes) -> Image.Image:
    try:
        return Image.open(io.BytesIO(data), formats=list(ACCEPTED_TYPES.values()))
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as error:
        raise UnsupportedImage(_TOO_LARGE) from error
    except UnidentifiedImageError as error:
        raise UnsupportedImage("The file is not a JPEG, PNG or WebP image.") from error
    except _DECODE_ERRORS as error:
        raise UnsupportedImage("The image is truncated or corrupt; upload it again.") from error


def _check_header(image: Image.Image, declared_type: str | None) -> None:
    if declared_type is not None and ACCEPTED_TYPES.get(declared_type) != image.format:
        raise UnsupportedImage(
            f"The bytes are a {image.format} image, not the {declared_type} that was declared.")
    width, height = image.size
    if width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS:
        raise UnsupportedImage(f"The image is {width}×{height} px. " + _TOO_LARGE)
    if getattr(image, "n_frames", 1) > 1:
        raise UnsupportedImage("Animated images are not accepted; upload a still image.")


def _to_rgb(image: Image.Image) -> Image.Image:
    if image.mode == "RGB":
        return image
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        canvas = Image.new("RGB", rgba.size, (255, 255, 255))
        canvas.paste(rgba, mask=rgba.getchannel("A"))
        return canvas
    if image.mode.startswith("I;16") or image.mode == "I":
        return image.point(lambda value: value / 256).convert("L").convert("RGB")
    return image.convert("RGB")


def _orientation_swaps_sides(image: Image.Image) -> bool:
    try:
        return image.getexif().get(0x0112) in (5, 6, 7, 8)
    except _DECODE_ERRORS:
        return False
