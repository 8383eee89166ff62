"""Catalog: the category taxonomy, products, product images with embeddings, text search.

Revision ID: 0002
Revises: 0001
"""

import re

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# A retail taxonomy after the top levels of Google's product taxonomy, trimmed to what
# small and mid-sized sellers list. Ids are slugs of the names; they are part of the API.
TAXONOMY = {
    "Electronics": ["Audio & Headphones", "Cameras & Photo", "Computers & Laptops",
                    "Mobile Phones", "Tablets & E-readers", "TV & Home Cinema",
                    "Wearables", "Video Game Consoles"],
    "Home & Kitchen": ["Cookware", "Kitchen Appliances", "Tableware & Cutlery", "Bedding",
                       "Home Decor", "Lighting", "Storage & Organisation"],
    "Furniture": ["Living Room", "Bedroom", "Office Furniture", "Outdoor Furniture"],
    "Clothing": ["Women's Clothing", "Men's Clothing", "Children's Clothing", "Sportswear",
                 "Underwear & Socks"],
    "Shoes": ["Women's Shoes", "Men's Shoes", "Children's Shoes", "Sports Shoes"],
    "Jewellery & Watches": ["Rings", "Necklaces & Pendants", "Earrings", "Watches"],
    "Bags & Accessories": ["Handbags", "Backpacks", "Wallets", "Sunglasses", "Hats & Caps"],
    "Health & Beauty": ["Skin Care", "Hair Care", "Make-up", "Fragrances", "Personal Care"],
    "Sports & Outdoors": ["Fitness Equipment", "Cycling", "Camping & Hiking", "Water Sports",
                          "Team Sports"],
    "Toys & Games": ["Board Games & Puzzles", "Building Toys", "Dolls & Figures",
                     "Outdoor Play", "Educational Toys"],
    "Baby & Toddler": ["Nursery", "Feeding", "Strollers & Car Seats", "Baby Clothing"],
    "Books & Media": ["Fiction", "Non-fiction", "Children's Books", "Music & Vinyl",
                      "Films"],
    "Garden & Outdoor": ["Plants & Seeds", "Garden Tools", "Barbecues & Outdoor Cooking",
                         "Pools & Spas"],
    "Tools & Home Improvement": ["Power Tools", "Hand Tools", "Hardware", "Paint & Supplies",
                                 "Electrical"],
    "Automotive": ["Car Parts", "Car Electronics", "Motorcycle Parts", "Car Care"],
    "Pet Supplies": ["Dog Supplies", "Cat Supplies", "Fish & Aquatics", "Small Animals"],
    "Food & Drink": ["Coffee & Tea", "Snacks & Sweets", "Pantry", "Wine & Spirits"],
    "Arts & Crafts": ["Painting & Drawing", "Sewing & Knitting", "Scrapbooking",
                      "Craft Supplies"],
    "Office & Stationery": ["Writing Instruments", "Paper & Notebooks", "Office Supplies",
                            "Printers & Ink"],
    "Musical Instruments": ["Guitars & Basses", "Keyboards & Pianos", "Drums & Percussion",
                            "Studio & Recording"],
}

UPGRADE = """
CREATE EXTENSION IF NOT EXISTS vector;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE categories (
    id        text PRIMARY KEY CHECK (id ~ '^[a-z0-9-]{1,64}$'),
    name      text NOT NULL UNIQUE,
    position  integer NOT NULL
);

CREATE TABLE subcategories (
    id           text PRIMARY KEY CHECK (id ~ '^[a-z0-9-]{1,64}$'),
    category_id  text NOT NULL REFERENCES categories (id),
    name         text NOT NULL,
    position     integer NOT NULL,
    UNIQUE (category_id, id),
    UNIQUE (category_id, name)
);

CREATE TABLE products (
    id              uuid PRIMARY KEY,
    vendor_id       uuid NOT NULL REFERENCES accounts (id),
    name            text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    description     text NOT NULL CHECK (char_length(description) <= 5000),
    price_amount    bigint NOT NULL CHECK (price_amount > 0),
    currency        char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    category_id     text NOT NULL,
    subcategory_id  text NOT NULL,
    stock           integer NOT NULL CHECK (stock >= 0),
    status          text NOT NULL CHECK (status IN ('listed', 'unlisted')),
    -- Labels recognised in the product's ready images, kept by the indexing function.
    image_labels    text NOT NULL DEFAULT '',
    rating_count    integer NOT NULL DEFAULT 0 CHECK (rating_count >= 0),
    rating_total    integer NOT NULL DEFAULT 0 CHECK (rating_total >= 0),
    rating_average  double precision GENERATED ALWAYS AS (
                        CASE WHEN rating_count > 0
                             THEN rating_total::double precision / rating_count END) STORED,
    version         integer NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    -- Name matches outrank label matches, which outrank description matches.
    search_document tsvector GENERATED ALWAYS AS (
                        setweight(to_tsvector('english', name), 'A')
                        || setweight(to_tsvector('english', image_labels), 'B')
                        || setweight(to_tsvector('english', description), 'C')) STORED,
    FOREIGN KEY (category_id, subcategory_id) REFERENCES subcategories (category_id, id)
);

CREATE INDEX products_search ON products USING gin (search_document);
CREATE INDEX products_newest ON products (created_at DESC, id DESC) WHERE status = 'listed';
CREATE INDEX products_price ON products (price_amount, id) WHERE status = 'listed';
CREATE INDEX products_rating ON products ((COALESCE(rating_average, -1)) DESC, id DESC)
    WHERE status = 'listed';
CREATE INDEX products_by_category
    ON products (category_id, subcategory_id, created_at DESC, id DESC)
    WHERE status = 'listed';
CREATE INDEX products_by_vendor ON products (vendor_id, created_at DESC, id DESC);

-- Every word that appears in a name, label or description: typo-tolerant search
-- replaces an unknown query word by its nearest known words (trigram similarity).
CREATE TABLE search_lexicon (
    word text PRIMARY KEY CHECK (word ~ '^[a-z0-9]{2,32}$')
);
CREATE INDEX search_lexicon_trigrams ON search_lexicon USING gin (word gin_trgm_ops);

CREATE TABLE product_images (
    id             uuid PRIMARY KEY,
    product_id     uuid NOT NULL REFERENCES products (id),
    object_name    text NOT NULL UNIQUE,
    content_type   text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp')),
    declared_size  integer NOT NULL CHECK (declared_size BETWEEN 1 AND 10485760),
    status         text NOT NULL CHECK (status IN ('pending', 'ready', 'rejected')),
    reject_reason  text,
    width          integer,
    height         integer,
    labels         jsonb NOT NULL DEFAULT '[]',
    objects        jsonb NOT NULL DEFAULT '[]',
    renditions     jsonb NOT NULL DEFAULT '{}',
    embedding      vector(1280),
    created_at     timestamptz NOT NULL DEFAULT now(),
    indexed_at     timestamptz
);
CREATE INDEX product_images_by_product ON product_images (product_id, created_at, id);
CREATE INDEX product_images_embedding ON product_images
    USING hnsw (embedding vector_cosine_ops) WHERE status = 'ready';
"""

DOWNGRADE = """
DROP TABLE product_images, search_lexicon, products, subcategories, categories;
"""


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower().replace("'", "")).strip("-")


def upgrade() -> None:
    op.execute(UPGRADE)
    categories, subcategories = [], []
    for position, (name, children) in enumerate(TAXONOMY.items()):
        categories.append({"id": slug(name), "name": name, "position": position})
        for child_position, child in enumerate(children):
            subcategories.append({"id": f"{slug(name)}--{slug(child)}", "name": child,
                                  "category_id": slug(name), "position": child_position})
    table = sa.table("categories", sa.column("id"), sa.column("name"), sa.column("position"))
    op.bulk_insert(table, categories)
    table = sa.table("subcategories", sa.column("id"), sa.column("category_id"),
                     sa.column("name"), sa.column("position"))
    op.bulk_insert(table, subcategories)


def downgrade() -> None:
    op.execute(DOWNGRADE)
