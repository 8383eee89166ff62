"""Helpers of the catalog end-to-end tests: products, generated photos, uploads."""

from __future__ import annotations

import io
import random
import time

import requests
from PIL import Image, ImageDraw, ImageFilter

from tests.e2e.client import Api, User

CATEGORY, SUBCATEGORY = "electronics", "electronics--audio-headphones"


def new_product(**overrides) -> dict:
    body = {"name": "Wireless headphones", "description": "Over-ear, 30 h battery.",
            "price": {"amount": 5999, "currency": "EUR"}, "category_id": CATEGORY,
            "subcategory_id": SUBCATEGORY, "stock": 5}
    return {**body, **overrides}


def list_product(api: Api, vendor: User, **overrides) -> dict:
    response = api.post("/v1/products", headers=vendor.auth, json=new_product(**overrides))
    assert response.status_code == 201, response.text
    return response.json()


def scene(seed: int, size=(640, 480)) -> Image.Image:
    """A generated 'photo': a gradient, shapes and texture that differ with the seed."""
    rng = random.Random(seed)
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    tint = Image.new("RGB", size, tuple(rng.randrange(256) for _ in range(3)))
    image = Image.blend(image, tint, 0.6)
    draw = ImageDraw.Draw(image)
    for _ in range(40):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        w, h = rng.randrange(20, 200), rng.randrange(20, 200)
        colour = tuple(rng.randrange(256) for _ in range(3))
        shape = rng.choice([draw.ellipse, draw.rectangle])
        shape([x, y, x + w, y + h], fill=colour, outline=(0, 0, 0), width=rng.randrange(1, 6))
    return image.filter(ImageFilter.SMOOTH)


def jpeg(image: Image.Image, quality: int = 90) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


def perturbed(image: Image.Image, seed: int) -> bytes:
    """Cropped to ~75 %, rotated a little, recoloured, re-compressed: a customer's photo."""
    rng = random.Random(seed)
    w, h = image.size
    crop = image.crop((int(w * 0.12), int(h * 0.1), int(w * 0.88), int(h * 0.9)))
    rotated = crop.rotate(rng.uniform(-10, 10), fillcolor=(240, 240, 235))
    recoloured = Image.blend(rotated, Image.new("RGB", rotated.size, (255, 220, 180)), 0.15)
    return jpeg(recoloured, quality=45)


def upload_image(api: Api, vendor: User, product_id: str, data: bytes,
                 content_type: str = "image/jpeg") -> dict:
    """Ask for a signed URL and PUT the bytes to it, as a client does."""
    ticket = api.post(f"/v1/products/{product_id}/images", headers=vendor.auth,
                      json={"content_type": content_type, "size": len(data)})
    assert ticket.status_code == 201, ticket.text
    body = ticket.json()
    put = requests.put(body["upload_url"], data=data, headers=body["upload_headers"], timeout=30)
    assert put.status_code == 200, put.text
    return body


def wait_for_image(api: Api, product_id: str, image_id: str, timeout: float = 30) -> dict:
    """The image once it left `pending` (the bucket event is processed asynchronously)."""
    deadline = time.monotonic() + timeout
    while True:
        product = api.get(f"/v1/products/{product_id}").json()
        image = next(i for i in product["images"] if i["id"] == image_id)
        if image["status"] != "pending" or time.monotonic() > deadline:
            return image
        time.sleep(0.2)


def target(size=(640, 480)) -> Image.Image:
    """Concentric rings: the local model sees a maze or a spiral (never a crossword)."""
    image = Image.new("RGB", size, (20, 90, 200))
    draw = ImageDraw.Draw(image)
    centre_x, centre_y = size[0] // 2, size[1] // 2
    for radius in range(min(size) // 2, 0, -30):
        colour = (255, 200, 0) if radius % 60 else (200, 0, 0)
        draw.ellipse([centre_x - radius, centre_y - radius, centre_x + radius,
                      centre_y + radius], fill=colour)
    return image


def checkerboard(size=(640, 480), square: int = 80) -> Image.Image:
    """Black and white squares: the local model sees a crossword (never a maze)."""
    image = Image.new("RGB", size, (255, 255, 255))
    draw = ImageDraw.Draw(image)
    for x in range(0, size[0], square):
        for y in range(0, size[1], square):
            if (x // square + y // square) % 2:
                draw.rectangle([x, y, x + square, y + square], fill=(0, 0, 0))
    return image
