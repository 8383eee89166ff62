"""Validate an image by its bytes, not by what the client claimed, and decode it safely.

Refused (UnsupportedImage, with the reason): anything over 10 MB, bytes that are not a
JPEG, PNG or WebP, bytes of another format than the declared content type, more than
40 megapixels or 20,000 px a side (checked from the header, before any pixel is decoded:
the decompression-bomb guard), animated images, and truncated or corrupt files.
Accepted and converted to RGB: greyscale, palette, 16-bit, CMYK and images with alpha
(composited on white). The EXIF orientation is applied; no metadata survives decoding.

A photo to search by (`decode_query`) has its own limit, 12 megapixels, and is decoded no
larger than the recognizer needs: JPEG scales down while decoding (draft), PNG and WebP
(which Pillow can only decode whole) are converted and reduced a strip at a time, so no
full-size RGBA or RGB copy of a palette or alpha image is ever made.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from common.domain.errors import UnsupportedImage
from common.domain.images import (
    ACCEPTED_TYPES,
    MAX_BYTES,
    MAX_PIXELS,
    MAX_SIDE,
    QUERY_LIMIT_TEXT,
    QUERY_MAX_PIXELS,
)

# Our own header check runs first; this keeps Pillow's guard as a second line at the same limit.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
_TOO_LARGE = f"The limit is {MAX_PIXELS // 1_000_000} megapixels and {MAX_SIDE} px a side."
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError)
_CORRUPT = "The image is truncated or corrupt; upload it again."
# A search photo is scaled so that its shorter side keeps at least QUERY_SIDE px (the
# recognizer looks at 224 px; Vision at most 1,024), and at most this many pixels remain.
QUERY_SIDE = 448
QUERY_WORKING_PIXELS = 2_000_000
# Palette, alpha and 16-bit images are converted to RGB this many pixels at a time.
STRIP_PIXELS = 1_000_000
_TRANSPOSE = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
              4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
              6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
              8: Image.Transpose.ROTATE_90}  # EXIF orientation -> what undoes it


@dataclass(frozen=True)
class DecodedImage:
    format: str  # JPEG, PNG or WEBP, as read from the bytes
    width: int  # of the original, after orientation
    height: int
    pixels: Image.Image  # RGB, oriented, without metadata


def decode(data: bytes, declared_type: str | None = None, *,
           draft_side: int | None = None) -> DecodedImage:
    """Decode an upload whole (`draft_side`: let a JPEG scale down early, as search once did)."""
    if len(data) > MAX_BYTES:
        raise UnsupportedImage(f"Images are limited to {MAX_BYTES} bytes (10 MB).")
    _check_webp_canvas(data, MAX_PIXELS, _TOO_LARGE)
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
            raise UnsupportedImage(_CORRUPT) from error
    if _orientation_swaps_sides(image):
        width, height = height, width
    assert image.format is not None  # _check_header accepted it
    return DecodedImage(image.format, width, height, pixels)


def decode_query(data: bytes, side: int = QUERY_SIDE) -> DecodedImage:
    """Decode a photo to search by, scaled down to about `side` px on its shorter side.

    Raises UnsupportedImage as `decode` does, and for more than 12 megapixels (read from
    the header, before any pixel is decoded)."""
    if len(data) > MAX_BYTES:
        raise UnsupportedImage(f"Images are limited to {MAX_BYTES} bytes (10 MB).")
    too_large = f"Photos to search by are limited to {QUERY_LIMIT_TEXT}."
    _check_webp_canvas(data, QUERY_MAX_PIXELS, too_large)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        image = _open(data, too_large)
        _check_header(image, None, max_pixels=QUERY_MAX_PIXELS, too_large=too_large)
        width, height = image.size
        if image.format == "JPEG":
            image.draft("RGB", (side, side))
        try:
            image.load()
            pixels = _reduced_rgb(image, _reduction(*image.size, side))
            orientation = image.getexif().get(0x0112)
        except _DECODE_ERRORS as error:
            raise UnsupportedImage(_CORRUPT) from error
    if orientation in _TRANSPOSE:
        pixels = pixels.transpose(_TRANSPOSE[orientation])
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    assert image.format is not None  # _check_header accepted it
    return DecodedImage(image.format, width, height, pixels)


def _reduction(width: int, height: int, side: int) -> int:
    """The integer factor that keeps the shorter side >= `side` within the pixel budget."""
    factor = max(1, min(width, height) // side)
    while -(-width // factor) * -(-height // factor) > QUERY_WORKING_PIXELS:
        factor += 1
    return factor


def _reduced_rgb(image: Image.Image, factor: int) -> Image.Image:
    """`image` as RGB reduced `factor` times (box filter), converted a strip at a time."""
    if image.mode == "RGB":
        return image.reduce(factor) if factor > 1 else image
    width, height = image.size
    rows = max(1, STRIP_PIXELS // (width * factor)) * factor
    reduced = Image.new("RGB", (-(-width // factor), -(-height // factor)))
    for top in range(0, height, rows):
        strip = _to_rgb(image.crop((0, top, width, min(height, top + rows))))
        reduced.paste(strip.reduce(factor) if factor > 1 else strip, (0, top // factor))
    return reduced


def _open(data: bytes, too_large: str = _TOO_LARGE) -> Image.Image:
    try:
        return Image.open(io.BytesIO(data), formats=list(ACCEPTED_TYPES.values()))
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as error:
        raise UnsupportedImage(too_large) from error
    except UnidentifiedImageError as error:
        raise UnsupportedImage("The file is not a JPEG, PNG or WebP image.") from error
    except _DECODE_ERRORS as error:
        raise UnsupportedImage(_CORRUPT) from error


def _check_webp_canvas(data: bytes, max_pixels: int, too_large: str) -> None:
    """Pillow allocates a WebP's whole canvas as it opens the file: check its size first."""
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        return
    size = _webp_canvas(data)
    if size is None:
        raise UnsupportedImage(_CORRUPT)
    width, height = size
    if width * height > max_pixels:
        raise UnsupportedImage(f"The image is {width}×{height} px. " + too_large,
                               max_pixels=max_pixels)


def _webp_canvas(data: bytes) -> tuple[int, int] | None:
    """(width, height) from the first chunk of a WebP file (VP8, VP8L or VP8X)."""
    chunk = data[12:16]
    if chunk == b"VP8 " and len(data) >= 30 and data[23:26] == b"\x9d\x01\x2a":
        return (int.from_bytes(data[26:28], "little") & 0x3FFF,
                int.from_bytes(data[28:30], "little") & 0x3FFF)
    if chunk == b"VP8L" and len(data) >= 25 and data[20] == 0x2F:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X" and len(data) >= 30:
        return int.from_bytes(data[24:27], "little") + 1, int.from_bytes(data[27:30], "little") + 1
    return None


def _check_header(image: Image.Image, declared_type: str | None, *,
                  max_pixels: int = MAX_PIXELS, too_large: str = _TOO_LARGE) -> None:
    if declared_type is not None and ACCEPTED_TYPES.get(declared_type) != image.format:
        raise UnsupportedImage(
            f"The bytes are a {image.format} image, not the {declared_type} that was declared.")
    width, height = image.size
    if width > MAX_SIDE or height > MAX_SIDE or width * height > max_pixels:
        raise UnsupportedImage(f"The image is {width}×{height} px. " + too_large,
                               max_pixels=max_pixels)
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
