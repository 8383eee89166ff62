"""A photo to search by: at most 12 megapixels (from the header, before any pixel is
decoded), decoded no larger than the recognizer needs, with the same colour rules."""

from __future__ import annotations

import struct

import pytest
from PIL import Image

from common.domain.errors import UnsupportedImage
from common.imaging.decode import QUERY_SIDE, decode_query
from tests.unit.test_image_files import encoded, photo, png_header_only


def palette_png(width: int, height: int) -> bytes:
    """A palette PNG with a transparent colour: a few KB, however many pixels."""
    image = Image.new("P", (width, height), 0)
    image.putpalette([255, 255, 255, 200, 30, 30] + [0] * 762)
    image.paste(1, (width // 4, height // 4, width // 2, height // 2))
    return encoded(image, "PNG", transparency=0)


def webp_header_only(width: int, height: int) -> bytes:
    """A WebP (VP8X) whose header claims width×height and whose data is nothing."""
    canvas = (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    vp8x = b"VP8X" + struct.pack("<I", 10) + b"\x00\x00\x00\x00" + canvas
    return b"RIFF" + struct.pack("<I", 4 + len(vp8x)) + b"WEBP" + vp8x


@pytest.mark.parametrize("data", [
    palette_png(4_100, 3_000),
    png_header_only(4_001, 3_000),
    webp_header_only(5_000, 5_000),
    encoded(Image.new("L", (4_000, 3_100)), "JPEG", quality=20),
], ids=["palette-png-12.3-mp", "png-header-12.003-mp", "webp-header-25-mp", "jpeg-12.4-mp"])
def test_more_than_twelve_megapixels_is_refused_naming_the_limit(data):
    assert len(data) < 200_000

    with pytest.raises(UnsupportedImage) as refused:
        decode_query(data)

    assert "12 megapixels (4,000 × 3,000)" in refused.value.detail
    assert refused.value.extra == {"max_pixels": 12_000_000}


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_a_large_photo_is_decoded_scaled_down_keeping_its_shape(fmt):
    decoded = decode_query(encoded(photo((4_000, 3_000)), fmt))

    assert (decoded.format, decoded.width, decoded.height) == (fmt, 4_000, 3_000)
    assert decoded.pixels.mode == "RGB"
    assert QUERY_SIDE <= min(decoded.pixels.size) < 2 * QUERY_SIDE
    assert abs(decoded.pixels.width / decoded.pixels.height - 4 / 3) < 0.01


def test_a_palette_image_with_transparency_is_composited_on_white_strip_by_strip():
    decoded = decode_query(palette_png(4_000, 3_000))

    width, height = decoded.pixels.size
    assert decoded.pixels.getpixel((5, 5)) == (255, 255, 255)  # transparent: white
    assert decoded.pixels.getpixel((width * 3 // 8, height * 3 // 8)) == (200, 30, 30)


@pytest.mark.parametrize("mode", ["RGBA", "LA", "P", "L", "I;16"])
def test_small_photos_of_every_colour_mode_stay_as_they_are_in_rgb(mode):
    image = photo(mode="RGBA").convert(mode) if mode != "I;16" else photo().convert(
        "L").convert("I;16")

    decoded = decode_query(encoded(image, "PNG"))

    assert decoded.pixels.mode == "RGB" and decoded.pixels.size == (64, 48)


def test_a_panorama_is_reduced_to_the_working_budget():
    decoded = decode_query(encoded(photo((12_000, 1_000)), "PNG"))

    assert decoded.pixels.width * decoded.pixels.height <= 2_000_000


def test_exif_orientation_is_applied_to_the_reduced_pixels():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    data = encoded(photo((2_000, 1_000)), "JPEG", exif=exif)

    decoded = decode_query(data)

    assert (decoded.width, decoded.height) == (1_000, 2_000)
    assert decoded.pixels.height > decoded.pixels.width


@pytest.mark.parametrize("data,reason", [
    (b"RIFF\x10\x00\x00\x00WEBPVP8X\x00", "truncated or corrupt"),
    (encoded(photo(), "GIF"), "not a JPEG, PNG or WebP"),
    (encoded(photo(), "JPEG")[:300], "truncated or corrupt"),
], ids=["webp-without-canvas", "gif", "truncated-jpeg"])
def test_what_is_no_photo_is_refused(data, reason):
    with pytest.raises(UnsupportedImage, match=reason):
        decode_query(data)

