"""The public renditions of a product image: WebP, scaled down, without any metadata."""

from __future__ import annotations

import io

from PIL import Image

from common.domain.images import RENDITION_QUALITY, RENDITIONS, rendition_size
from common.imaging.decode import DecodedImage

CONTENT_TYPE = "image/webp"


def webp_renditions(image: DecodedImage) -> dict[str, bytes]:
    """Rendition name -> WebP bytes. Only pixels are written: no EXIF, XMP or GPS."""
    result = {}
    for name, longest in RENDITIONS.items():
        size = rendition_size(image.pixels.width, image.pixels.height, longest)
        scaled = image.pixels if size == image.pixels.size else image.pixels.resize(
            size, Image.Resampling.LANCZOS, reducing_gap=3.0)
        buffer = io.BytesIO()
        scaled.save(buffer, format="WEBP", quality=RENDITION_QUALITY, method=4)
        result[name] = buffer.getvalue()
    return result
