"""Image search accuracy: the recognizer's embeddings against perceptual hashes.

The data set is bench/image_dataset.py (built offline and seeded). Every catalog item
and every query goes through `common.imaging.decode.decode` as bytes, as an upload or a
search request would. Methods, each ranking the whole catalog for every query:

- `embedding`: cosine similarity of `OnnxImageRecognizer` embeddings (the model at
  `IMAGE_MODEL_PATH`, one thread, as a function instance runs it).
- `phash`, `dhash`: Hamming distance of imagehash's 64-bit perceptual / difference hash.
- `phash+colorhash`: phash distance / 64 + colorhash distance / its bit count (42).

Top-1 and recall@5 are expectations under random tie-breaking (hashes tie often): a
query whose product shares the best distance with two other items scores 1/3 at top-1.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bench import image_dataset
from bench.report import table

METHODS = ("embedding", "phash", "dhash", "phash+colorhash")
GOAL_TOP1 = 0.95
WINNERS = ("tile of the same photo", "another product", "tile of another photo", "synthetic")


@dataclass(frozen=True)
class Score:
    queries: int
    top1: float
    recall5: float


@dataclass
class ImageRetrieval:
    model: str  # file name and the start of its SHA-256
    preprocessing: str  # the first line of model_input's docstring
    catalog: Counter[str]  # item kind -> count
    queries: Counter[str]  # query kind -> count
    scores: dict[str, dict[str, Score]]  # method -> query kind (and "all") -> score
    misses: dict[str, Counter[str]]  # method -> what ranked first instead -> expected misses
    lenient_top1: dict[str, float]  # method -> top-1 when the photo's own tiles count as right
    embedding_misses: Counter[str]  # "product `kind` → item" -> count
    per_image_ms: dict[str, float]
    quick: bool
    seconds: dict[str, float] = field(default_factory=dict)


@dataclass
class _Features:
    embeddings: list[np.ndarray] = field(default_factory=list)
    hashes: dict[str, list[np.ndarray]] = field(default_factory=lambda: defaultdict(list))


def _model_path() -> Path:
    path = os.environ.get("IMAGE_MODEL_PATH")
    if not path:
        raise SystemExit("IMAGE_MODEL_PATH is not set: run `nox -s bench -- --only images`, "
                         "which exports the model and sets it")
    return Path(path)


def _describe_model(path: Path) -> str:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    return f"`{path.name}` (SHA-256 {digest}…)"


class _Extractor:
    """Decodes bytes and computes every method's features, timing each step."""

    def __init__(self, model: Path) -> None:
        from common.adapters.onnx_recognizer import OnnxImageRecognizer

        self.recognizer = OnnxImageRecognizer(model)
        self.spent: dict[str, float] = defaultdict(float)
        self.counted: Counter[str] = Counter()

    def _took(self, step: str, start: float) -> None:
        self.spent[step] += time.perf_counter() - start
        self.counted[step] += 1

    def features(self, items: list[tuple[bytes, str]], step: str) -> _Features:
        import imagehash

        from common.imaging.decode import decode

        hashes = {"phash": imagehash.phash, "dhash": imagehash.dhash,
                  "colorhash": imagehash.colorhash}
        found = _Features()
        for data, content_type in items:
            start = time.perf_counter()
            image = decode(data, content_type)
            self._took(f"decode {step}", start)
            start = time.perf_counter()
            embedding = self.recognizer.recognize(image).embedding
            self._took("embedding", start)
            found.embeddings.append(np.asarray(embedding, dtype=np.float32))
            for name, function in hashes.items():
                start = time.perf_counter()
                value = function(image.pixels)
                self._took(name, start)
                found.hashes[name].append(np.asarray(value.hash, dtype=bool).ravel())
        return found

    def per_image_ms(self) -> dict[str, float]:
        return {step: self.spent[step] / self.counted[step] * 1000 for step in self.spent}


def _hamming(queries: list[np.ndarray], catalog: list[np.ndarray]) -> np.ndarray:
    q, c = np.stack(queries), np.stack(catalog)
    return (q[:, np.newaxis, :] != c[np.newaxis, :, :]).sum(axis=2).astype(np.float64)


def _similarities(queries: _Features, catalog: _Features) -> dict[str, np.ndarray]:
    """Per method, queries × catalog, higher is better."""
    colour_bits = len(catalog.hashes["colorhash"][0])
    return {
        "embedding": np.stack(queries.embeddings) @ np.stack(catalog.embeddings).T,
        "phash": -_hamming(queries.hashes["phash"], catalog.hashes["phash"]),
        "dhash": -_hamming(queries.hashes["dhash"], catalog.hashes["dhash"]),
        "phash+colorhash": -(
            _hamming(queries.hashes["phash"], catalog.hashes["phash"]) / 64
            + _hamming(queries.hashes["colorhash"], catalog.hashes["colorhash"]) / colour_bits),
    }


def expected_hits(similarity: np.ndarray, targets: np.ndarray, k: int) -> np.ndarray:
    """Per query, the chance that its target is in the top k when ties are broken at random."""
    own = similarity[np.arange(len(targets)), targets][:, np.newaxis]
    better = (similarity > own).sum(axis=1)
    tied = (similarity == own).sum(axis=1)  # the target itself included
    return np.clip(k - better, 0, tied) / tied


def _winner(item: image_dataset.CatalogItem, product: str) -> str:
    if item.kind == "tile":
        return WINNERS[0] if item.name.split(":")[1] == product else WINNERS[2]
    return WINNERS[1] if item.kind == "product" else WINNERS[3]


def _lenient_top1(dataset: image_dataset.Dataset, similarity: np.ndarray,
                  targets: np.ndarray) -> float:
    """Top-1 with the tiles of each query's own photo taken out of its ranking."""
    own = np.array([[item.kind == "tile" and item.name.split(":")[1] == q.product
                     for item in dataset.catalog] for q in dataset.queries])
    return float(expected_hits(np.where(own, -np.inf, similarity), targets, 1).mean())


def _score(dataset: image_dataset.Dataset, similarities: dict[str, np.ndarray]
           ) -> tuple[dict[str, dict[str, Score]], dict[str, Counter[str]], dict[str, float],
                      Counter[str]]:
    index = {item.name: i for i, item in enumerate(dataset.catalog)}
    targets = np.array([index[q.product] for q in dataset.queries])
    lenient = {method: _lenient_top1(dataset, similarity, targets)
               for method, similarity in similarities.items()}
    kinds = np.array([q.kind for q in dataset.queries])
    scores: dict[str, dict[str, Score]] = {}
    misses: dict[str, Counter[str]] = {}
    embedding_misses: Counter[str] = Counter()
    for method, similarity in similarities.items():
        top1, recall5 = expected_hits(similarity, targets, 1), expected_hits(similarity, targets, 5)
        scores[method] = {
            kind: Score(int(chosen.sum()), float(top1[chosen].mean()),
                        float(recall5[chosen].mean()))
            for kind, chosen in [(k, kinds == k) for k in image_dataset.KINDS if (kinds == k).any()]
            + [("all", np.ones(len(kinds), dtype=bool))]}
        misses[method] = Counter()
        others = similarity.copy()
        others[np.arange(len(targets)), targets] = -np.inf
        for q, (query, missed) in enumerate(zip(dataset.queries, 1 - top1, strict=True)):
            if missed > 0:
                item = dataset.catalog[int(np.argmax(others[q]))]
                misses[method][_winner(item, query.product)] += float(missed)
                if method == "embedding":
                    embedding_misses[f"`{query.product}` {query.kind} → `{item.name}`"] += 1
    return scores, misses, lenient, embedding_misses


def run(quick: bool = False, say: Callable[[str], None] = print) -> ImageRetrieval:
    """Build the data set, extract every method's features, score them."""
    from common.adapters import onnx_recognizer

    started = time.perf_counter()
    model = _model_path()
    dataset = image_dataset.build(image_dataset.QUICK_PLAN if quick else None)
    built = time.perf_counter()
    say(f"  data set: {len(dataset.catalog)} catalog items, {len(dataset.queries)} queries "
        f"({built - started:.1f} s)")
    extractor = _Extractor(model)
    catalog = extractor.features([(item.data, "image/jpeg") for item in dataset.catalog],
                                 "catalog")
    say(f"  catalog features ({time.perf_counter() - built:.1f} s)")
    queries = extractor.features([(q.data, q.content_type) for q in dataset.queries], "query")
    extracted = time.perf_counter()
    say(f"  query features ({extracted - built:.1f} s in all)")
    scores, misses, lenient, embedding_misses = _score(dataset, _similarities(queries, catalog))
    for method in METHODS:
        say(f"  {method}: top-1 {scores[method]['all'].top1:.3f}, "
            f"recall@5 {scores[method]['all'].recall5:.3f}")
    return ImageRetrieval(
        model=_describe_model(model),
        preprocessing=(onnx_recognizer.model_input.__doc__ or "").strip().splitlines()[0],
        catalog=Counter(item.kind for item in dataset.catalog),
        queries=Counter(q.kind for q in dataset.queries),
        scores=scores, misses=misses, lenient_top1=lenient, embedding_misses=embedding_misses,
        per_image_ms=extractor.per_image_ms(), quick=quick,
        seconds={"build the data set": built - started,
                 "decode, embed and hash": extracted - built,
                 "in all": time.perf_counter() - started})


# The doc section ---------------------------------------------------------------------

METHOD_TEXT = """The data set is built offline by bench/image_dataset.py, seeded (seed
{seed}), the same on every run; its docstring has the details. **Catalog: {catalog_total}
items**, each stored as JPEG quality {quality}: {products} **products** (every distinct
image bundled with scikit-image 0.26 that loads without a download: {product_names};
greyscale ones are made RGB), {tiles} **tiles** of those photos (hard distractors: one
near each corner, 30–38 % of each side, so at most ≈ 40 % of any query crop, but the same
camera, colours and texture; for the texture-like photos they are nearly the same picture
at another zoom) and {synthetic} **synthetic** product-like pictures (easy distractors:
ImageDraw shapes, bottles, boxes and words on flat, gradient, noisy or striped
backgrounds).

**Queries: {query_total}**, made from the clean original of each product: {plan}. Kinds:
`crop` keeps 60–90 % of each side; `rotate` turns by −15..15° and fills the corners with a
random colour; `colour` scales brightness, contrast and saturation by 0.7–1.3 each; `blur`
is Gaussian, radius 0–2 px; `flip` is the mirror image; `jpeg` re-encodes at quality
30–80; `background` scales the photo to 60–80 % and pastes it on a random flat or noisy
background, JPEG 30–80; `combined` does crop, rotate, colour, blur, a mirror with
p = 0.5 and JPEG 30–80 at once. Single-perturbation kinds other than `jpeg` are sent as
PNG so that they test only their perturbation.

Every image goes through `common.imaging.decode.decode` as bytes. Methods: **embedding**
is the cosine similarity of `OnnxImageRecognizer` embeddings (model {model}, one thread;
preprocessing: "{preprocessing}"; the embedding averages the image and its mirror image);
**phash** and **dhash** are imagehash 4.3.2's 64-bit hashes (Hamming distance);
**phash+colorhash** adds the colorhash distance / its bit count to the phash distance / 64.
Each method ranks the whole catalog for each query; the query's product is the only right
answer. Top-1 and recall@5 are expectations under random tie-breaking (hash distances
tie often)."""


VARIANTS_HEAD = ["`model_input` (both catalog and queries)", "seed 20261125", "seed 7"]
VARIANTS = [  # overall embedding top-1 / recall@5, measured once while choosing model_input
    ["shorter side to 224, centre crop 224 (before)", "0.872 / 0.938", "0.856 / 0.944"],
    ["whole image squashed to 224×224 (bilinear)", "0.832 / 0.917", "0.825 / 0.913"],
    ["whole image squashed to 224×224 (bicubic)", "0.835 / 0.927", "0.842 / 0.922"],
    ["whole image letterboxed (grey) to 224×224", "0.863 / 0.925", "0.854 / 0.918"],
    ["shorter side to 256, centre crop 224 (0.875)", "0.924 / 0.974", "0.906 / 0.976"],
    ["shorter side to 280, centre crop 224 (0.8)", "0.925 / 0.983", "0.925 / 0.979"],
    ["shorter side to 299, centre crop 224 (0.75)", "0.932 / 0.983", "0.922 / 0.976"],
    ["shorter side to 320, centre crop 224 (0.7)", "0.931 / 0.979", "0.925 / 0.974"],
    ["shorter side to 345, centre crop 224 (0.65)", "0.934 / 0.977", "0.918 / 0.970"],
    ["shorter side to 373, centre crop 224 (0.6)", "0.929 / 0.977", "0.894 / 0.974"],
    ["centre 90 % of each side squashed to 224×224", "0.922 / 0.965", "0.913 / 0.965"],
    ["centre 85 % of each side squashed", "0.929 / 0.983", "0.927 / 0.986"],
    ["centre 80 % of each side squashed", "0.950 / 0.983", "0.944 / 0.988"],
    ["centre 75 % of each side squashed (crop, then resize)", "0.957 / 0.984",
     "0.941 / 0.986"],
    ["centre 70 % of each side squashed", "0.957 / 0.983", "0.941 / 0.984"],
    ["**centre 75 % squashed, one `resize(box=…)` (now)**", "0.955 / 0.988", "0.939 / 0.988"],
]
VARIANTS_TEXT = """Measured once on 2026-11-25 while choosing `model_input` (the table is
kept as written, not re-run): each variant on this data set and on the same data set
built with seed 7; the chosen one scores 0.960 with seed 12345, so top-1 ≈ 0.95 sits at
the goal, not safely above it. A tighter centre crop (of a larger resize) gains most of
the difference; squashing the centre 75 % of each side, instead of cutting a square out
of it, gains the rest. Labels come from the same input: on the 24 clean products they
stayed about as good (the 2:1 `page` got worse)."""


def _cell(score: Score) -> str:
    return f"{score.top1:.3f} / {score.recall5:.3f}"


def _plan(queries: Counter[str], products: int) -> str:
    return ", ".join(f"{queries[k] // products} `{k}`" for k in image_dataset.KINDS
                     if queries[k]) + " per product"


def section(result: ImageRetrieval, machine: str) -> str:
    """The image-search section of docs/benchmarks.md."""
    products = result.catalog["product"]
    kinds = [k for k in (*image_dataset.KINDS, "all") if k in result.scores["embedding"]]
    rows = [[f"`{k}`" if k != "all" else "**all**", str(result.scores["embedding"][k].queries),
             *(_cell(result.scores[m][k]) for m in METHODS)] for k in kinds]
    overall = result.scores["embedding"]["all"].top1
    met = "met" if overall >= GOAL_TOP1 else "not met"
    verdict = f"Goal (embedding top-1 ≥ {GOAL_TOP1:.2f}): **{met}**, {overall:.3f}." + (
        " **Smoke run (`--quick`)**: fewer and easier queries, not comparable with a full run."
        if result.quick else "")
    miss_rows = [[m, *(f"{result.misses[m][w]:.1f}" for w in WINNERS),
                  f"{sum(result.misses[m].values()):.1f}", f"{result.lenient_top1[m]:.3f}"]
                 for m in METHODS]
    listed = ", ".join(f"{text}{f' ×{n}' if n > 1 else ''}"
                       for text, n in sorted(result.embedding_misses.items()))
    ms = result.per_image_ms
    timing = table(
        ["step", "ms per image (mean)"],
        [["decode a query (`decode`, PNG or JPEG)", f"{ms['decode query']:.1f}"],
         ["decode a catalog JPEG", f"{ms['decode catalog']:.1f}"],
         ["embedding (`recognize`: resize, 2 × EfficientNet-Lite0, labels)",
          f"{ms['embedding']:.1f}"],
         ["phash", f"{ms['phash']:.1f}"], ["dhash", f"{ms['dhash']:.1f}"],
         ["colorhash", f"{ms['colorhash']:.1f}"]])
    seconds = ", ".join(f"{name} {value:.1f} s" for name, value in result.seconds.items())
    return "\n\n".join([
        "## Image search accuracy", f"Measured {machine}.",
        METHOD_TEXT.format(
            seed=image_dataset.SEED, catalog_total=sum(result.catalog.values()),
            quality=image_dataset.CATALOG_QUALITY, products=products,
            product_names=", ".join(f"`{n}`" for n in image_dataset.PRODUCTS),
            tiles=result.catalog["tile"], synthetic=result.catalog["synthetic"],
            query_total=sum(result.queries.values()), plan=_plan(result.queries, products),
            model=result.model, preprocessing=result.preprocessing),
        "### Results (top-1 / recall@5)",
        table(["query kind", "queries", *METHODS], rows), verdict,
        "### What ranked first when the product did not (expected number of queries)",
        table(["method", *WINNERS, "all misses",
               "top-1 if the photo's own tiles counted as right"], miss_rows),
        "Embedding misses (product, query kind → what ranked first): " + (listed or "none") + ".",
        "### Time", timing, f"Wall time: {seconds}.",
        "### Preprocessing variants (embedding top-1 / recall@5, all queries)", VARIANTS_TEXT,
        table(VARIANTS_HEAD, VARIANTS)])
