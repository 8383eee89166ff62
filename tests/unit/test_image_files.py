"""Images are judged by their bytes: formats, bombs, truncation, animation, colour modes,
orientation, and renditions that carry no metadata."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from common.domain.errors import UnsupportedImage
from common.domain.images import RENDITIONS
from common.imaging.decode import decode
from common.imaging.renditions import webp_renditions


def encoded(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def photo(size=(64, 48), mode="RGB") -> Image.Image:
    image = Image.new("RGB", size, (200, 30, 30))
    for x in range(0, size[0], 8):
        for y in range(size[1]):
            image.putpixel((x, y), (10, 120, 240))
    return image.convert(mode)


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims width×height, followed by a few bytes of data."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


@pytest.mark.parametrize("fmt,content_type", [("JPEG", "image/jpeg"), ("PNG", "image/png"),
                                              ("WEBP", "image/webp")])
def test_accepted_formats_decode_to_rgb(fmt, content_type):
    image = decode(encoded(photo(), fmt), content_type)
    assert (image.format, image.width, image.height, image.pixels.mode) == (fmt, 64, 48, "RGB")


@pytest.mark.parametrize("data,declared,reason", [
    (encoded(photo(), "PNG"), "image/jpeg", "not the image/jpeg"),
    (b"GIF89a" + b"\x00" * 100, "image/png", "not a JPEG, PNG or WebP"),
    (b"%PDF-1.7 hello", None, "not a JPEG, PNG or WebP"),
    (encoded(photo(), "JPEG")[:300], "image/jpeg", "truncated or corrupt"),
    (png_header_only(10_000, 10_000), "image/png", "megapixels"),
    (png_header_only(30_000, 10), "image/png", "megapixels"),
    (encoded(photo(), "GIF"), "image/gif", "not a JPEG, PNG or WebP"),
], ids=["png-declared-as-jpeg", "gif-bytes", "pdf-bytes", "truncated-jpeg", "100-megapixels",
        "30000-px-wide", "gif"])
def test_bytes_that_are_not_an_acceptable_image_are_refused(data, declared, reason):
    with pytest.raises(UnsupportedImage, match=reason):
        decode(data, declared)


def test_a_decompression_bomb_is_refused_before_its_pixels_are_decoded():
    bomb = encoded(Image.new("L", (7000, 6000)), "PNG")  # 42 megapixels in a small file
    assert len(bomb) < 200_000
    with pytest.raises(UnsupportedImage, match="40 megapixels"):
        decode(bomb, "image/png")


def test_more_than_ten_megabytes_is_refused():
    with pytest.raises(UnsupportedImage, match="10 MB"):
        decode(b"\xff\xd8" + b"\x00" * (10 * 1024 * 1024), "image/jpeg")


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_animated_images_are_refused(fmt):
    frames = [photo(), photo().rotate(90)]
    data = encoded(frames[0], fmt, save_all=True, append_images=frames[1:], duration=100)
    with pytest.raises(UnsupportedImage, match="Animated"):
        decode(data, f"image/{fmt.lower()}")


@pytest.mark.parametrize("mode", ["CMYK", "L", "P", "RGBA", "LA", "I;16"])
def test_other_colour_modes_are_converted_to_rgb(mode):
    fmt = "JPEG" if mode in ("CMYK", "L") else "PNG"
    source = photo(mode="RGBA") if mode in ("RGBA", "LA") else photo()
    image = source.convert(mode) if mode != "I;16" else source.convert("L").convert("I;16")
    decoded = decode(encoded(image, fmt), f"image/{fmt.lower()}")
    assert decoded.pixels.mode == "RGB" and decoded.pixels.size == (64, 48)


def test_transparent_pixels_become_white():
    image = Image.new("RGBA", (10, 10), (0, 0, 0, 0))
    decoded = decode(encoded(image, "PNG"), "image/png")
    assert decoded.pixels.getpixel((5, 5)) == (255, 255, 255)


def test_exif_orientation_is_applied():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    decoded = decode(encoded(photo((40, 20)), "JPEG", exif=exif), "image/jpeg")
    assert decoded.pixels.size == (20, 40) and (decoded.width, decoded.height) == (20, 40)


def test_renditions_are_webp_scaled_down_and_carry_no_metadata():
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (48.0, 51.0, 29.0)}  # GPS latitude
    original = encoded(photo((2000, 1000)), "JPEG", exif=exif, quality=90)
    assert b"PhoneMaker" in original
    renditions = webp_renditions(decode(original, "image/jpeg"))
    assert sorted(renditions) == sorted(RENDITIONS)
    for name, data in renditions.items():
        image = Image.open(io.BytesIO(data))
        assert image.format == "WEBP"
        assert max(image.size) == RENDITIONS[name]
        assert b"PhoneMaker" not in data and b"Exif" not in data
        assert not image.getexif() and "xmp" not in image.info


def test_small_images_are_never_scaled_up():
    renditions = webp_renditions(decode(encoded(photo((100, 50)), "PNG"), "image/png"))
    assert Image.open(io.BytesIO(renditions["display"])).size == (100, 50)
