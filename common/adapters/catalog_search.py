"""Catalog queries on PostgreSQL: weighted full-text search with typo correction, browsing
with keyset pagination, and nearest images by pgvector (HNSW)."""

from __future__ import annotations

from typing import Any

import sqlalchemy
from sqlalchemy import text

from common.adapters.catalog import vector_literal
from common.adapters.database import translated_errors
from common.adapters.postgres_reviews import summary_from
from common.domain.catalog import Cursor, ProductSearch, ProductSummary, Sort, effective_sort
from common.domain.images import Recognition
from common.domain.reviews import PRIOR_MEAN
from common.imaging.decode import DecodedImage

# ts_rank weights for {D, C, B, A}: description C, image labels B, name A.
_RANK = ("ts_rank('{0.05, 0.2, 0.4, 1.0}', p.search_document, "
         "to_tsquery('english', :tsquery))::float8")
# Sort -> (key expression, its SQL type, direction); every order ends with the id, so
# pages are stable (keyset pagination: no row is skipped or repeated between pages).
_ORDER = {
    Sort.RELEVANCE: (_RANK, "float8", "DESC"),
    Sort.NEWEST: ("p.created_at", "timestamptz", "DESC"),
    Sort.PRICE_ASC: ("p.price_amount", "bigint", "ASC"),
    Sort.PRICE_DESC: ("p.price_amount", "bigint", "DESC"),
    # The Bayesian score (migration 0011); a product never reviewed has the prior's mean.
    Sort.RATING: (f"COALESCE(r.score, {PRIOR_MEAN})", "float8", "DESC"),
}
# A query word missing from the lexicon is replaced by its nearest known words.
CORRECTIONS_PER_WORD = 3
_SUMMARY = """
    SELECT p.id, p.vendor_id, a.name AS vendor_name, p.name, p.price_amount, p.currency,
           p.category_id, p.subcategory_id, p.stock, r.stars_1, r.stars_2, r.stars_3,
           r.stars_4, r.stars_5, p.created_at, thumb.renditions ->> 'thumbnail' AS thumbnail,
           {key} AS sort_key
    FROM products p
    JOIN accounts a ON a.id = p.vendor_id AND a.state = 'active'
    LEFT JOIN product_ratings r ON r.product_id = p.id
    LEFT JOIN LATERAL (
        SELECT renditions FROM product_images i
        WHERE i.product_id = p.id AND i.status = 'ready' ORDER BY i.created_at, i.id LIMIT 1
    ) thumb ON true
"""


def _summary(row: Any) -> ProductSummary:
    return ProductSummary(
        id=str(row.id), vendor_id=str(row.vendor_id), vendor_name=row.vendor_name,
        name=row.name, price_amount=row.price_amount, currency=row.currency,
        category_id=row.category_id, subcategory_id=row.subcategory_id, stock=row.stock,
        created_at=row.created_at, thumbnail=row.thumbnail, sort_key=row.sort_key,
        rating=summary_from(row))


class PostgresProductSearch:
    def __init__(self, engine: sqlalchemy.Engine) -> None:
        self._engine = engine

    def search(self, search: ProductSearch, after: Cursor | None) -> list[ProductSummary]:
        """One page (+1 row, to know whether more follow) of listed products."""
        sort = effective_sort(search)
        key, key_type, direction = _ORDER[sort]
        clauses = ["p.status = 'listed'"]
        params: dict[str, Any] = {"limit": search.page_size + 1}
        with translated_errors(), self._engine.connect() as db:
            if search.words:
                params["tsquery"] = self._tsquery(db, search.words)
                clauses.append("p.search_document @@ to_tsquery('english', :tsquery)")
            for column in ("category_id", "subcategory_id", "vendor_id"):
                if getattr(search, column):
                    clauses.append(f"p.{column} = :{column}")
                    params[column] = getattr(search, column)
            if search.min_price is not None:
                clauses.append("p.price_amount >= :min_price")
                params["min_price"] = search.min_price
            if search.max_price is not None:
                clauses.append("p.price_amount <= :max_price")
                params["max_price"] = search.max_price
            if after is not None:
                clauses.append(f"({key}, p.id) {'<' if direction == 'DESC' else '>'} "
                               f"(CAST(:after_key AS {key_type}), CAST(:after_id AS uuid))")
                params.update(after_key=after.key, after_id=after.id)
            sql = (_SUMMARY.format(key=key) + " WHERE " + " AND ".join(clauses)
                   + f" ORDER BY {key} {direction}, p.id {direction} LIMIT :limit")
            return [_summary(row) for row in db.execute(text(sql), params)]

    def summaries(self, product_ids: list[str]) -> dict[str, ProductSummary]:
        """Listed products of active vendors among these ids, by id."""
        if not product_ids:
            return {}
        with translated_errors(), self._engine.connect() as db:
            rows = db.execute(text(_SUMMARY.format(key="NULL") + " WHERE p.status = 'listed' "
                                   "AND p.id = ANY(CAST(:ids AS uuid[]))"), {"ids": product_ids})
            return {str(row.id): _summary(row) for row in rows}

    def _tsquery(self, db: sqlalchemy.Connection, words: tuple[str, ...]) -> str:
        """`(word | correction…) & …`; words are [a-z0-9]+ (domain.catalog.query_words)."""
        rows = db.execute(text(
            "SELECT q.word AS asked, c.word AS known FROM unnest(CAST(:words AS text[])) "
            "AS q(word) CROSS JOIN LATERAL (SELECT l.word FROM search_lexicon l "
            "WHERE l.word = q.word OR (l.word %% q.word AND NOT EXISTS ("
            "  SELECT 1 FROM search_lexicon e WHERE e.word = q.word)) "
            "ORDER BY l.word = q.word DESC, similarity(l.word, q.word) DESC, l.word "
            f"LIMIT {CORRECTIONS_PER_WORD}) c"), {"words": list(words)})
        alternatives: dict[str, list[str]] = {word: [word] for word in words}
        for row in rows:
            if row.known not in alternatives[row.asked]:
                alternatives[row.asked].append(row.known)
        last = words[-1]
        groups = []
        for word in words:
            terms = [f"{term}:*" if word == last and len(term) >= 3 else term
                     for term in alternatives[word]]
            groups.append("(" + " | ".join(terms) + ")")
        return " & ".join(groups)


class PgVectorSimilarProducts:
    """The local similar-image index: embeddings of ready images, cosine distance, HNSW."""

    def __init__(self, engine: sqlalchemy.Engine, candidates: int = 100) -> None:
        self._engine = engine
        self._candidates = candidates

    def find(self, image: DecodedImage, recognition: Recognition,
             limit: int) -> list[tuple[str, float]]:
        if recognition.embedding is None:
            return []
        with translated_errors(), self._engine.connect() as db, db.begin():
            db.execute(text("SET LOCAL hnsw.iterative_scan = relaxed_order"))
            db.execute(text(f"SET LOCAL hnsw.ef_search = {max(40, self._candidates)}"))
            rows = db.execute(text(
                "SELECT nearest.product_id, max(1 - nearest.distance) AS score FROM ("
                "  SELECT i.product_id, i.embedding <=> CAST(:embedding AS vector) AS distance"
                "  FROM product_images i WHERE i.status = 'ready'"
                "  ORDER BY i.embedding <=> CAST(:embedding AS vector) LIMIT :candidates"
                ") nearest JOIN products p ON p.id = nearest.product_id AND p.status = 'listed' "
                "JOIN accounts a ON a.id = p.vendor_id AND a.state = 'active' "
                "GROUP BY nearest.product_id ORDER BY score DESC, nearest.product_id LIMIT :limit"),
                {"embedding": vector_literal(recognition.embedding), "candidates": self._candidates,
                 "limit": limit})
            return [(str(row.product_id), round(float(row.score), 4)) for row in rows]


class NoProductImageCatalog:
    """The local backend's similar-image index is the product_images embeddings table itself,
    written with the image: there is no outside index to keep in step."""

    def add(self, product_id: str, image_id: str, gcs_uri: str) -> None:
        return None

    def remove(self, product_id: str, image_id: str) -> None:
        return None
