"""The catalog benchmark's data: products, verified vendors and ready images with real
embeddings, written straight to PostgreSQL with COPY; seeded, so every run holds the same.

Product names come from word lists per category (brand, adjective, material, product noun,
model code) and descriptions from a few sentence patterns, so text search meets realistic
word frequencies. Images are generated 320×240 "photos" (gradient, shapes, texture, as in
tests/e2e/catalog.py); their labels and embeddings come from the real recognizer
(`OnnxImageRecognizer`, one thread) in two worker processes.
"""

from __future__ import annotations

import csv
import io
import json
import multiprocessing
import random
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from PIL import Image, ImageDraw, ImageFilter

SEED = 20261125
IMAGE_SIZE = (320, 240)
ADJECTIVES = ("compact", "wireless", "classic", "vintage", "portable", "premium", "ergonomic",
              "foldable", "waterproof", "lightweight", "handmade", "modern", "rustic", "smart",
              "organic", "slim", "deluxe", "minimalist", "rechargeable", "adjustable")
MATERIALS = ("bamboo", "steel", "oak", "leather", "cotton", "ceramic", "glass", "wool", "linen",
             "aluminium", "walnut", "silicone", "copper", "canvas", "marble", "rubber")
NOUNS = {
    "electronics": ("headphones", "earbuds", "speaker", "camera", "laptop", "smartphone",
                    "tablet", "charger", "smartwatch", "console", "television", "soundbar"),
    "home-kitchen": ("kettle", "saucepan", "toaster", "blender", "teapot", "cutlery", "duvet",
                     "pillow", "lamp", "vase", "mirror", "basket"),
    "furniture": ("sofa", "armchair", "wardrobe", "desk", "stool", "bookshelf", "bench",
                  "sideboard", "dresser"),
    "clothing": ("dress", "shirt", "jeans", "jacket", "hoodie", "sweater", "leggings", "coat"),
    "shoes": ("sneakers", "boots", "sandals", "loafers", "slippers", "trainers"),
    "jewellery-watches": ("ring", "necklace", "pendant", "earrings", "bracelet", "watch"),
    "bags-accessories": ("handbag", "backpack", "wallet", "sunglasses", "cap", "tote"),
    "health-beauty": ("moisturiser", "shampoo", "lipstick", "perfume", "toothbrush", "serum"),
    "sports-outdoors": ("dumbbell", "helmet", "tent", "sleeping bag", "paddle", "football"),
    "toys-games": ("puzzle", "board game", "building set", "doll", "figure", "kite"),
    "baby-toddler": ("crib", "high chair", "stroller", "bottle", "romper", "blanket"),
    "books-media": ("novel", "cookbook", "picture book", "vinyl record", "biography"),
    "garden-outdoor": ("planter", "watering can", "shears", "barbecue", "hose", "seeds"),
    "tools-home-improvement": ("drill", "screwdriver", "hammer", "wrench", "paintbrush",
                               "ladder"),
    "automotive": ("dash cam", "seat cover", "car charger", "wiper blades", "tyre inflator"),
    "pet-supplies": ("dog bed", "scratching post", "aquarium", "leash", "feeder"),
    "food-drink": ("coffee", "green tea", "chocolate", "olive oil", "honey", "granola"),
    "arts-crafts": ("watercolours", "sketchbook", "yarn", "sewing kit", "easel"),
    "office-stationery": ("fountain pen", "notebook", "stapler", "ink cartridge", "organiser"),
    "musical-instruments": ("guitar", "keyboard", "drum kit", "ukulele", "microphone"),
}
OTHER_NOUNS = ("set", "kit", "case", "holder", "stand")  # a category added after these lists
FEATURES = ("with a two-year warranty", "easy to clean", "made in Europe",
            "gift-wrapped on request", "with a soft-touch finish", "tested for daily use",
            "in six colours", "with free spare parts", "dishwasher safe", "with a carry case")
USES = ("Ideal for everyday use at home or on the go.", "A thoughtful gift for any occasion.",
        "Built to last for years of regular use.", "Designed by a small studio in Lisbon.",
        "Our best seller this season.", "Packed in plastic-free packaging.")
LETTERS = "ABCDEFGHKLMNPRSTVXZ"
SYLLABLES = ("zen", "tro", "va", "ka", "li", "mo", "nor", "vik", "sol", "ar", "bel", "do", "fi",
             "ra", "tes", "lu", "quin", "ost", "em", "pa")
PRODUCT_COLUMNS = ("id", "vendor_id", "name", "description", "price_amount", "currency",
                   "category_id", "subcategory_id", "stock", "status", "image_labels",
                   "rating_count", "rating_total", "created_at", "updated_at")
IMAGE_COLUMNS = ("id", "product_id", "object_name", "content_type", "declared_size", "status",
                 "width", "height", "labels", "renditions", "embedding", "created_at",
                 "indexed_at")


@dataclass
class Seeded:
    """What was written, and what the benchmark needs to find its way around it."""

    products: int
    customers: int
    vendors: list[str]
    images: int
    lexicon: int
    subcategories: list[tuple[str, str]]
    photos: list[tuple[int, str]]  # (image seed, product id) of every ready image
    spare: list[tuple[str, str]]  # (product id, vendor id): listed, active, no image yet
    seconds: dict[str, float] = field(default_factory=dict)


def scene(seed: int, size: tuple[int, int] = IMAGE_SIZE) -> Image.Image:
    """A generated 'photo': a tinted gradient, shapes and texture that differ with the seed."""
    rng = random.Random(seed)
    width, height = size
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    image = Image.blend(image, Image.new("RGB", size, _colour(rng)), 0.6)
    draw = ImageDraw.Draw(image)
    for _ in range(25):
        x, y = rng.randrange(width), rng.randrange(height)
        w, h = rng.randrange(width // 30, width // 3), rng.randrange(height // 25, height // 2)
        shape = rng.choice([draw.ellipse, draw.rectangle])
        shape([x, y, x + w, y + h], fill=_colour(rng), outline=(0, 0, 0),
              width=rng.randrange(1, 4))
    return image.filter(ImageFilter.SMOOTH)


def _colour(rng: random.Random) -> tuple[int, int, int]:
    return (rng.randrange(256), rng.randrange(256), rng.randrange(256))


def jpeg(image: Image.Image, quality: int = 85) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


def customer_photo(seed: int, variant: int) -> bytes:
    """A customer's 640×480 photo of the product photographed in `scene(seed)`: cropped,
    rotated a little, recoloured, JPEG quality 60."""
    rng = random.Random(f"{seed}/{variant}")
    image = scene(seed).resize((640, 480), Image.Resampling.BICUBIC)
    left, top = rng.randrange(40, 90), rng.randrange(30, 70)
    image = image.crop((left, top, 640 - left, 480 - top)).resize((640, 480))
    image = image.rotate(rng.uniform(-10, 10), fillcolor=(240, 240, 235))
    return jpeg(Image.blend(image, Image.new("RGB", image.size, (255, 220, 180)), 0.15), 60)


_recognizer = None


def _start_worker(model_path: str) -> None:
    global _recognizer
    from common.adapters.onnx_recognizer import OnnxImageRecognizer

    _recognizer = OnnxImageRecognizer(model_path)


def _recognize(seeds: list[int]) -> list[tuple[int, str, str, int]]:
    """(seed, labels as JSON, embedding as a pgvector literal, JPEG bytes) of each photo,
    decoded from its JPEG as an upload is."""
    from common.adapters.catalog import vector_literal
    from common.imaging.decode import decode

    found = []
    for seed in seeds:
        data = jpeg(scene(seed))
        recognition = _recognizer.recognize(decode(data, "image/jpeg"))
        labels = json.dumps([vars(label) for label in recognition.labels])
        found.append((seed, labels, vector_literal(recognition.embedding), len(data)))
    return found


def recognize_all(count: int, model_path: str, say: Callable[[str], None]) -> list[tuple]:
    """`_recognize` over seeds 0..count-1 in two spawned processes (the server's threads make
    fork unsafe)."""
    chunks = [list(range(start, min(count, start + 100))) for start in range(0, count, 100)]
    found: list[tuple] = []
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(2, context, initializer=_start_worker,
                             initargs=(model_path,)) as pool:
        for done in pool.map(_recognize, chunks):
            found.extend(done)
            if len(found) % 1000 == 0:
                say(f"    {len(found)}/{count} images recognised")
    return found


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _brand(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 3)))).capitalize()


def vendor_rows(rng: random.Random, count: int, now: datetime) -> tuple[list, list]:
    """Active accounts with a verified vendor profile (no Firebase user: nothing logs in)."""
    accounts, profiles = [], []
    for n in range(count):
        vendor_id, brand = _uuid(rng), _brand(rng)
        created = now - timedelta(days=400 + rng.randrange(300))
        accounts.append((vendor_id, f"vendor{n}@bench.example", f"{brand} {n}", "vendor",
                         "active", True, created, created))
        profiles.append((vendor_id, f"{brand} {n} GmbH", f"HRB-{n:06d}", "DE",
                         f"{n} Market Street, Berlin", "verified",
                         json.dumps({"business_registration": True, "identity": True,
                                     "address": True, "bank_account": True}), created))
    return accounts, profiles


def customer_rows(rng: random.Random, count: int, now: datetime) -> list[tuple]:
    """Active customer accounts: they only make `accounts` as big as a marketplace's."""
    rows = []
    for n in range(count):
        created = now - timedelta(seconds=rng.randrange(700 * 86400))
        rows.append((_uuid(rng), f"customer{n}@bench.example", f"Customer {n}", "customer",
                     "active", True, created, created))
    return rows


def product_row(rng: random.Random, vendor: tuple[str, str], sub: tuple[str, str],
                now: datetime) -> list:
    """One product; its image labels are filled in later."""
    nouns = NOUNS.get(sub[0], OTHER_NOUNS)
    adjective, material, noun = rng.choice(ADJECTIVES), rng.choice(MATERIALS), rng.choice(nouns)
    code = f"{rng.choice(LETTERS)}{rng.choice(LETTERS)}-{rng.randrange(100, 1000)}"
    name = f"{vendor[1]} {adjective} {material} {noun} {code}"
    description = " ".join([
        f"{adjective.capitalize()} {noun} in {material}, {rng.choice(FEATURES)}.",
        rng.choice(USES),
        f"Size {rng.randrange(5, 120)} × {rng.randrange(5, 80)} cm, {rng.randrange(50, 9000)} g.",
        f"Also {rng.choice(FEATURES)}." if rng.random() < 0.5 else ""]).strip()
    rated = rng.random() < 0.6
    count = min(2000, int(rng.paretovariate(1.2))) if rated else 0
    created = now - timedelta(seconds=rng.randrange(365 * 86400))
    return [_uuid(rng), vendor[0], name, description,
            max(100, int(rng.lognormvariate(8.2, 1.1))), "EUR", sub[0], sub[1],
            0 if rng.random() < 0.05 else rng.randrange(1, 500),
            "unlisted" if rng.random() < 0.03 else "listed", "", count,
            sum(rng.choice((3, 4, 4, 5, 5)) for _ in range(count)), created, created]


@contextmanager
def _raw(engine) -> Iterator:  # noqa: ANN001
    """A pg8000 connection of the engine without the 5 s statement timeout; discarded after."""
    pooled = engine.raw_connection()
    try:
        cursor = pooled.cursor()
        cursor.execute("SET statement_timeout = 0")
        yield pooled
    finally:
        pooled.invalidate()  # never hand a connection without the timeout back to the pool


def _copy(connection, table: str, columns: tuple[str, ...], rows: Iterable) -> None:  # noqa: ANN001
    """COPY rows in; None is NULL, an empty string stays one."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows([r"\N" if v is None else v for v in row] for row in rows)
    buffer.seek(0)
    connection.cursor().execute(
        f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')",
        stream=buffer)


def seed(engine, *, products: int, vendors: int, customers: int, images: int,  # noqa: ANN001
         model_path: str, say: Callable[[str], None] = print) -> Seeded:
    """Write the catalog, fill the search lexicon, then VACUUM ANALYZE; timed per step."""
    from common.domain.catalog import lexicon_words

    rng, now, seconds = random.Random(SEED), datetime.now(timezone.utc), {}
    began = time.perf_counter()
    say(f"    recognising {images} generated photos (2 processes)")
    recognised = recognize_all(images, model_path, say)
    seconds["images recognised"] = time.perf_counter() - began
    with _raw(engine) as db:
        cursor = db.cursor()
        cursor.execute("SELECT category_id, id FROM subcategories ORDER BY category_id, id")
        subs = [tuple(row) for row in cursor.fetchall()]
        began = time.perf_counter()
        accounts, profiles = vendor_rows(rng, vendors, now)
        _copy(db, "accounts", ("id", "email", "name", "role", "state", "email_verified",
                               "created_at", "updated_at"),
              accounts + customer_rows(rng, customers, now))
        _copy(db, "vendor_profiles", ("account_id", "legal_name", "registration_number",
                                      "country", "address", "status", "checklist",
                                      "reviewed_at"), profiles)
        # A few big vendors and a long tail, as on a marketplace.
        weights = [1 / (rank + 1) for rank in range(vendors)]
        owners = rng.choices([(a[0], a[2].split()[0]) for a in accounts], weights, k=products)
        rows = [product_row(rng, owners[n], subs[n % len(subs)], now) for n in range(products)]
        with_images = rng.sample(range(products), min(products, images * 4 // 5))
        photos, image_rows = [], []
        for index, (image_seed, labels, embedding, size) in enumerate(recognised):
            product = rows[with_images[index % len(with_images)]]
            image_id, at = _uuid(rng), product[13] + timedelta(minutes=5 + index % 50)
            names = json.loads(labels)
            product[10] = " ".join(sorted({*product[10].split(" "), *(n["name"] for n in names)}
                                          - {""}))
            object_name = f"products/{product[0]}/{image_id}"
            renditions = {r: f"{object_name}/{r}.webp" for r in ("thumbnail", "display")}
            image_rows.append((image_id, product[0], object_name, "image/jpeg", size, "ready",
                               *IMAGE_SIZE, labels, json.dumps(renditions), embedding, at, at))
            photos.append((image_seed, product[0]))
        _copy(db, "products", PRODUCT_COLUMNS, rows)
        seconds["products written"] = time.perf_counter() - began
        began = time.perf_counter()
        _copy(db, "product_images", IMAGE_COLUMNS, image_rows)
        seconds["images written"] = time.perf_counter() - began
        began = time.perf_counter()
        words = sorted(set().union(*(lexicon_words(r[2], r[3], r[10]) for r in rows)))
        cursor.execute("INSERT INTO search_lexicon (word) SELECT unnest(CAST(%s AS text[])) "
                       "ON CONFLICT DO NOTHING", (words,))
        db.commit()
        seconds["lexicon written"] = time.perf_counter() - began
        began = time.perf_counter()
        db.driver_connection.autocommit = True
        cursor.execute("VACUUM (ANALYZE) accounts, vendor_profiles, products, product_images, "
                       "search_lexicon")
        seconds["VACUUM ANALYZE"] = time.perf_counter() - began
    taken = {rows[i][0] for i in with_images}
    spare = [(r[0], r[1]) for r in rows if r[9] == "listed" and r[0] not in taken][:100]
    return Seeded(products, customers, [a[0] for a in accounts], len(image_rows), len(words),
                  subs, photos, spare, seconds)


def text_queries(rng: random.Random, count: int) -> list[str]:
    """1–2 words as customers type them: a product noun (40 %), an adjective or material and
    a noun (35 %), or a noun with one typo (25 %: a letter dropped or two swapped)."""
    nouns = sorted({noun for group in NOUNS.values() for noun in group if " " not in noun})
    found = []
    for _ in range(count):
        noun, draw = rng.choice(nouns), rng.random()
        if draw < 0.25 and len(noun) >= 5:
            at = rng.randrange(1, len(noun) - 2)
            noun = (noun[:at] + noun[at + 1:] if rng.random() < 0.5
                    else noun[:at] + noun[at + 1] + noun[at] + noun[at + 2:])
        elif draw < 0.6:
            noun = f"{rng.choice(ADJECTIVES + MATERIALS)} {noun}"
        found.append(noun)
    return found
