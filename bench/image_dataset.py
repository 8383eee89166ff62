"""The image-search data set: built offline, seeded, the same bytes on every run.

Catalog ("products" plus distractors), every item stored as JPEG quality 90:

- **Products**: every distinct image bundled with scikit-image that loads without a
  download (`PRODUCTS`). Greyscale, boolean and float images become RGB; the logo's alpha
  is composited on white. Left out: `cat` (the same picture as `chelsea`), the right view
  of `stereo_motorcycle` (a near-duplicate of the left one, which is in), `binary_blobs`
  (generated, not bundled), `lfw_subset` (25×25 px faces) and the images that need
  `pooch` to download.
- **Tiles** (hard distractors): `TILES_PER_PRODUCT` tiles of every product, one near each
  corner, each 30–38 % of the photo's width and height. Every query crop keeps 60–90 % of
  each side, so it always holds the photo's centre and a tile is at most ≈ 40 % of any
  query; but a tile is the same camera, colours and texture as its photo, so for the
  texture-like photos (grass, gravel, brick, moon, cell...) it is nearly indistinguishable
  from a zoomed query.
- **Synthetic** (easy distractors): `SYNTHETIC` product-like pictures drawn with
  PIL.ImageDraw: a flat, gradient, smooth-noise or striped background, a few shapes
  (boxes, ellipses, polygons, lines, a bottle or a box silhouette) and often some text.

Queries are made only for the products, from the clean original (not from the catalog's
JPEG), `QUERY_PLAN` of each kind per product (`QUICK_PLAN` for a smoke run):

- `crop`: a random crop keeping 60–90 % of each side.
- `rotate`: rotation by −15..15° without expanding, corners filled with a random colour.
- `colour`: brightness, contrast and saturation each × 0.7–1.3.
- `blur`: Gaussian blur, radius 0–2 px.
- `flip`: the mirror image.
- `jpeg`: re-encoded as JPEG, quality 30–80.
- `background`: scaled to 60–80 % and pasted at a random place on a random flat or noisy
  background the size of the photo ("taken against another background"), JPEG 30–80.
- `combined`: crop, rotate, colour, blur, mirror with p = 0.5, then JPEG 30–80 (all of
  the above at once, each drawn from the same ranges).

The single-perturbation kinds other than `jpeg` are stored as PNG so that they test only
their perturbation. Every random draw comes from a `random.Random` seeded with `SEED` and
the item's name, so adding items leaves the others as they were.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageFont, ImageOps

SEED = 20261125
CATALOG_QUALITY = 90
TILES_PER_PRODUCT = 4
SYNTHETIC = 160
KINDS = ("crop", "rotate", "colour", "blur", "flip", "jpeg", "background", "combined")
QUERY_PLAN = {"crop": 2, "rotate": 2, "colour": 2, "blur": 2, "flip": 1, "jpeg": 2,
              "background": 3, "combined": 10}
QUICK_PLAN = {"crop": 1, "rotate": 1, "colour": 1, "blur": 1, "flip": 1, "jpeg": 1,
              "background": 1, "combined": 3}
WORDS = ("SALE", "NEW", "ORGANIC", "FRESH", "Bazaar", "Premium", "100% cotton", "LIMITED",
         "Eco", "Deluxe", "Handmade", "XL", "Classic", "Sport", "Vintage", "Bio", "2 for 1")


@dataclass(frozen=True)
class CatalogItem:
    name: str  # the product's name, "tile:<product>:<corner>" or "synthetic:<n>"
    kind: str  # product, tile or synthetic
    data: bytes  # JPEG


@dataclass(frozen=True)
class Query:
    product: str  # the catalog item it should find
    kind: str  # one of KINDS
    data: bytes
    content_type: str


@dataclass(frozen=True)
class Dataset:
    catalog: list[CatalogItem]
    queries: list[Query]
    products: list[str]


def _rgb(array: np.ndarray) -> Image.Image:
    """Any skimage.data array (bool, float, grey, RGBA) as an RGB image."""
    if array.dtype == bool:
        array = array.astype(np.uint8) * 255
    elif array.dtype != np.uint8:
        low, high = float(array.min()), float(array.max())
        array = ((array - low) / ((high - low) or 1.0) * 255).round().astype(np.uint8)
    if array.ndim == 2:
        return Image.fromarray(array, "L").convert("RGB")
    if array.shape[2] == 4:
        rgba = Image.fromarray(array, "RGBA")
        canvas = Image.new("RGB", rgba.size, (255, 255, 255))
        canvas.paste(rgba, mask=rgba.getchannel("A"))
        return canvas
    return Image.fromarray(array[:, :, :3], "RGB")


PRODUCTS = ("astronaut", "brick", "camera", "cell", "checkerboard", "chelsea", "clock",
            "coffee", "coins", "colorwheel", "grass", "gravel", "horse", "hubble_deep_field",
            "immunohistochemistry", "logo", "microaneurysms", "moon", "motorcycle_left", "page",
            "retina", "rocket", "shepp_logan_phantom", "text")


def _load(name: str) -> np.ndarray:
    from skimage import data

    if name == "motorcycle_left":
        return data.stereo_motorcycle()[0]
    return getattr(data, name)()


def products() -> dict[str, Image.Image]:
    """The bundled images, by name, as RGB."""
    return {name: _rgb(np.asarray(_load(name))) for name in PRODUCTS}


def _rng(*keys: object) -> random.Random:
    """A generator of its own for one item (str seeds hash the same in every process)."""
    return random.Random(":".join(str(k) for k in (SEED, *keys)))


def _jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=1)
    return out.getvalue()


def _colour(rng: random.Random) -> tuple[int, int, int]:
    return (rng.randrange(256), rng.randrange(256), rng.randrange(256))


def _smooth_noise(rng: random.Random, size: tuple[int, int], grain: float) -> Image.Image:
    """Colour blobs (a small random grid scaled up) with some per-pixel noise on top."""
    generator = np.random.default_rng(rng.getrandbits(64))
    cells = rng.randint(2, 10)
    grid = Image.fromarray(generator.integers(0, 256, (cells, cells, 3), dtype=np.uint8))
    blobs = np.asarray(grid.resize(size, Image.Resampling.BICUBIC), dtype=np.float32)
    noise = generator.normal(0.0, grain, blobs.shape)
    return Image.fromarray(np.clip(blobs + noise, 0, 255).astype(np.uint8))


# Tiles -------------------------------------------------------------------------------


def _tile(photo: Image.Image, rng: random.Random, corner: int) -> Image.Image:
    width, height = photo.size
    fw, fh = rng.uniform(0.30, 0.38), rng.uniform(0.30, 0.38)
    dx, dy = rng.uniform(0.0, 0.03), rng.uniform(0.0, 0.03)
    left = dx if corner in (0, 2) else 1.0 - fw - dx
    top = dy if corner in (0, 1) else 1.0 - fh - dy
    return photo.crop((round(left * width), round(top * height),
                       round((left + fw) * width), round((top + fh) * height)))


# Synthetic product-like pictures --------------------------------------------------------


def _background(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    style = rng.choice(("flat", "gradient", "noise", "stripes"))
    if style == "flat":
        return Image.new("RGB", size, _colour(rng))
    if style == "noise":
        return _smooth_noise(rng, size, rng.uniform(0, 25))
    first, second = np.array(_colour(rng), np.float32), np.array(_colour(rng), np.float32)
    if style == "gradient":
        ramp = np.linspace(0.0, 1.0, size[0 if rng.random() < 0.5 else 1], dtype=np.float32)
        if len(ramp) == size[0]:
            mix = np.broadcast_to(ramp[np.newaxis, :, np.newaxis], (size[1], size[0], 1))
        else:
            mix = np.broadcast_to(ramp[:, np.newaxis, np.newaxis], (size[1], size[0], 1))
        return Image.fromarray((first * (1 - mix) + second * mix).astype(np.uint8))
    image = Image.new("RGB", size, tuple(int(v) for v in first))
    draw = ImageDraw.Draw(image)
    step = rng.randint(12, 60)
    fill = tuple(int(v) for v in second)
    for x in range(-size[1], size[0], step * 2):
        draw.polygon([(x, 0), (x + step, 0), (x + step + size[1], size[1]), (x + size[1], size[1])],
                     fill=fill)
    return image


def _box(rng: random.Random, width: int, height: int) -> tuple[int, int, int, int]:
    w, h = rng.randint(width // 8, width * 2 // 3), rng.randint(height // 8, height * 2 // 3)
    x, y = rng.randint(0, width - w), rng.randint(0, height - h)
    return (x, y, x + w, y + h)


def _shape(draw: ImageDraw.ImageDraw, rng: random.Random, width: int, height: int) -> None:
    kind = rng.choice(("rectangle", "rounded", "ellipse", "polygon", "line", "pieslice"))
    box = _box(rng, width, height)
    fill, outline = _colour(rng), _colour(rng) if rng.random() < 0.4 else None
    line = rng.randint(1, 8)
    if kind == "rectangle":
        draw.rectangle(box, fill=fill, outline=outline, width=line)
    elif kind == "rounded":
        radius = rng.randint(4, max(5, min(box[2] - box[0], box[3] - box[1]) // 3))
        draw.rounded_rectangle(box, radius, fill=fill, outline=outline, width=line)
    elif kind == "ellipse":
        draw.ellipse(box, fill=fill, outline=outline, width=line)
    elif kind == "polygon":
        points = [(rng.randint(box[0], box[2]), rng.randint(box[1], box[3]))
                  for _ in range(rng.randint(3, 7))]
        draw.polygon(points, fill=fill, outline=outline)
    elif kind == "line":
        draw.line([(box[0], box[1]), (box[2], box[3])], fill=fill, width=rng.randint(3, 20))
    else:
        draw.pieslice(box, rng.randint(0, 180), rng.randint(190, 360), fill=fill)


def _product(draw: ImageDraw.ImageDraw, rng: random.Random, width: int, height: int) -> None:
    """A bottle or a box, standing in the middle."""
    cx, body = width // 2 + rng.randint(-width // 8, width // 8), _colour(rng)
    if rng.random() < 0.5:
        w, h = rng.randint(width // 6, width // 3), rng.randint(height // 3, height * 2 // 3)
        top = height - h - rng.randint(0, height // 8)
        draw.rounded_rectangle((cx - w // 2, top, cx + w // 2, top + h), w // 4, fill=body)
        neck = max(6, w // 3)
        draw.rectangle((cx - neck // 2, top - h // 4, cx + neck // 2, top + 2), fill=body)
        draw.rectangle((cx - neck // 2, top - h // 4 - 12, cx + neck // 2, top - h // 4),
                       fill=_colour(rng))
        draw.rectangle((cx - w // 2, top + h // 3, cx + w // 2, top + h * 2 // 3),
                       fill=_colour(rng))
    else:
        w, h = rng.randint(width // 4, width // 2), rng.randint(height // 4, height // 2)
        top = (height - h) // 2 + rng.randint(-height // 10, height // 10)
        draw.rectangle((cx - w // 2, top, cx + w // 2, top + h), fill=body,
                       outline=_colour(rng), width=3)
        depth = rng.randint(10, 40)
        draw.polygon([(cx - w // 2, top), (cx - w // 2 + depth, top - depth),
                      (cx + w // 2 + depth, top - depth), (cx + w // 2, top)], fill=_colour(rng))


def _synthetic(rng: random.Random) -> Image.Image:
    size = (rng.randint(320, 640), rng.randint(320, 640))
    image = _background(rng, size)
    draw = ImageDraw.Draw(image)
    for _ in range(rng.randint(1, 6)):
        _shape(draw, rng, *size)
    if rng.random() < 0.35:
        _product(draw, rng, *size)
    for _ in range(rng.choice((0, 1, 1, 2, 3))):
        font = ImageFont.load_default(size=rng.randint(18, 72))
        draw.text((rng.randint(0, size[0] * 2 // 3), rng.randint(0, size[1] - 20)),
                  rng.choice(WORDS), fill=_colour(rng), font=font)
    return image


# Query perturbations -------------------------------------------------------------------


def _crop(image: Image.Image, rng: random.Random) -> Image.Image:
    width, height = image.size
    fw, fh = rng.uniform(0.6, 0.9), rng.uniform(0.6, 0.9)
    left, top = rng.uniform(0, 1 - fw) * width, rng.uniform(0, 1 - fh) * height
    return image.crop((round(left), round(top), round(left + fw * width),
                       round(top + fh * height)))


def _rotate(image: Image.Image, rng: random.Random) -> Image.Image:
    return image.rotate(rng.uniform(-15, 15), Image.Resampling.BICUBIC, expand=False,
                        fillcolor=_colour(rng))


def _jitter(image: Image.Image, rng: random.Random) -> Image.Image:
    for enhancer in (ImageEnhance.Brightness, ImageEnhance.Contrast, ImageEnhance.Color):
        image = enhancer(image).enhance(rng.uniform(0.7, 1.3))
    return image


def _blur(image: Image.Image, rng: random.Random) -> Image.Image:
    return image.filter(ImageFilter.GaussianBlur(rng.uniform(0, 2)))


def _on_background(image: Image.Image, rng: random.Random) -> Image.Image:
    width, height = image.size
    if rng.random() < 0.5:
        canvas = Image.new("RGB", image.size, _colour(rng))
    else:
        canvas = _smooth_noise(rng, image.size, rng.uniform(5, 40))
    scale = rng.uniform(0.6, 0.8)
    small = image.resize((max(1, round(width * scale)), max(1, round(height * scale))),
                         Image.Resampling.LANCZOS)
    canvas.paste(small, (rng.randint(0, width - small.width),
                         rng.randint(0, height - small.height)))
    return canvas


def perturb(image: Image.Image, kind: str, rng: random.Random) -> tuple[bytes, str]:
    """One query of `kind` made from `image`: its bytes and content type."""
    if kind == "crop":
        return _png(_crop(image, rng)), "image/png"
    if kind == "rotate":
        return _png(_rotate(image, rng)), "image/png"
    if kind == "colour":
        return _png(_jitter(image, rng)), "image/png"
    if kind == "blur":
        return _png(_blur(image, rng)), "image/png"
    if kind == "flip":
        return _png(ImageOps.mirror(image)), "image/png"
    if kind == "jpeg":
        return _jpeg(image, rng.randint(30, 80)), "image/jpeg"
    if kind == "background":
        return _jpeg(_on_background(image, rng), rng.randint(30, 80)), "image/jpeg"
    if kind == "combined":
        image = _blur(_jitter(_rotate(_crop(image, rng), rng), rng), rng)
        if rng.random() < 0.5:
            image = ImageOps.mirror(image)
        return _jpeg(image, rng.randint(30, 80)), "image/jpeg"
    raise ValueError(f"unknown query kind {kind!r}")


def build(plan: dict[str, int] | None = None) -> Dataset:
    """The catalog and the queries (`QUERY_PLAN` unless another plan is given)."""
    plan = QUERY_PLAN if plan is None else plan
    photos = products()
    catalog = [CatalogItem(name, "product", _jpeg(photo, CATALOG_QUALITY))
               for name, photo in photos.items()]
    for name, photo in photos.items():
        for corner in range(TILES_PER_PRODUCT):
            tile = _tile(photo, _rng("tile", name, corner), corner)
            catalog.append(CatalogItem(f"tile:{name}:{corner}", "tile",
                                       _jpeg(tile, CATALOG_QUALITY)))
    for n in range(SYNTHETIC):
        catalog.append(CatalogItem(f"synthetic:{n}", "synthetic",
                                   _jpeg(_synthetic(_rng("synthetic", n)), CATALOG_QUALITY)))
    queries = [Query(name, kind, *perturb(photo, kind, _rng("query", name, kind, i)))
               for name, photo in photos.items() for kind in KINDS
               for i in range(plan.get(kind, 0))]
    return Dataset(catalog, queries, list(photos))
