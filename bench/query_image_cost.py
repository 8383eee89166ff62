"""What decoding one photo to search by costs: peak memory and CPU, per kind of image.

Each measurement is a fresh process that decodes one small image first (imports, Pillow's
plugins), resets its peak resident set (`/proc/self/clear_refs`), then decodes the file
under test once: how far its peak resident set (VmHWM) rose over its resident set before
(Pillow allocates pixels with malloc, which tracemalloc does not see), and its CPU seconds
(user + system). Three paths, in the same run, on the same files:
- `Pillow open + load`: Pillow decoding the whole file, nothing else (the floor for PNG
  and WebP, which Pillow can only decode whole);
- `before`: `decode(data, draft_side=448)`, the query path before issue 7 (JPEG scaled in
  the decoder, everything else decoded and converted to RGB at full size);
- `after`: `decode_query(data)`, the query path now (12-megapixel limit from the header,
  JPEG draft, PNG and WebP converted and reduced a strip at a time).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from bench.report import table

ROOT = Path(__file__).resolve().parent.parent
PATHS = ("Pillow open + load", "before", "after")
CHILD = """
import io, json, re, sys, threading, time
from PIL import Image
from common.domain.errors import UnsupportedImage
from common.imaging.decode import decode, decode_query

def bare(data):
    image = Image.open(io.BytesIO(data))
    image.load()
    return image

run = {"Pillow open + load": bare, "before": lambda data: decode(data, draft_side=448),
       "after": decode_query}[sys.argv[1]]
warm = open(sys.argv[3], "rb").read()
run(warm)
data = open(sys.argv[2], "rb").read()
copies = int(sys.argv[4])
outcomes = []

def one():
    try:
        result = run(data)
        outcomes.append("x".join(map(str, getattr(result, "pixels", result).size)))
    except UnsupportedImage:
        outcomes.append("422")

def status_mb(field):
    text = open("/proc/self/status").read()
    return int(re.search(field + r":\\s+(\\d+) kB", text).group(1)) / 1024

open("/proc/self/clear_refs", "w").write("5")  # the peak starts again from here
before, cpu, wall = status_mb("VmRSS"), time.process_time(), time.perf_counter()
threads = [threading.Thread(target=one) for _ in range(copies)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(json.dumps({"grown_mb": status_mb("VmHWM") - before,
                  "cpu_s": time.process_time() - cpu, "wall_s": time.perf_counter() - wall,
                  "outcome": outcomes[0]}))
"""


@dataclass(frozen=True)
class Kind:
    name: str
    make: Callable[[], bytes]
    copies: int = 1  # decoded at once, in threads of one process


@dataclass(frozen=True)
class Cost:
    kind: str
    file_bytes: int
    copies: int
    path: str
    grown_mb: float
    cpu_ms: float
    outcome: str


def _encoded(image, fmt: str, **options) -> bytes:  # noqa: ANN001
    import io

    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def _palette_png(width: int, height: int) -> bytes:
    """A palette PNG with a transparent colour: a few KB for any number of pixels."""
    from PIL import Image

    image = Image.new("P", (width, height), 0)
    image.putpalette([255, 255, 255, 200, 30, 30] + [0] * 762)
    image.paste(1, (width // 4, height // 4, width // 2, height // 2))
    return _encoded(image, "PNG", transparency=0)


def _rgba_png(width: int, height: int) -> bytes:
    """An RGBA PNG of gradients with every alpha level: small to send, 4 bytes a pixel."""
    from PIL import Image

    ramp = Image.linear_gradient("L").resize((width, height))
    channels = (ramp, ramp.transpose(Image.Transpose.FLIP_LEFT_RIGHT), ramp,
                ramp.transpose(Image.Transpose.FLIP_TOP_BOTTOM))
    return _encoded(Image.merge("RGBA", channels), "PNG")


def _photo(width: int = 4_000, height: int = 3_000, mode: str = "RGB"):  # noqa: ANN202
    """Gradients and smooth noise: compresses like a photo, not like a flat colour."""
    from PIL import Image, ImageFilter

    ramp = Image.linear_gradient("L").resize((width, height))
    noise = Image.effect_noise((width // 8, height // 8), 60).resize(
        (width, height), Image.Resampling.BICUBIC).filter(ImageFilter.GaussianBlur(2))
    channels = [Image.blend(ramp, noise, 0.5), noise,
                Image.blend(ramp.transpose(Image.Transpose.FLIP_LEFT_RIGHT), noise, 0.3)]
    if mode == "RGBA":
        channels.append(ramp.transpose(Image.Transpose.FLIP_TOP_BOTTOM))
    return Image.merge(mode, channels)


KINDS = (
    Kind("palette PNG + transparency, 6000×6000 (36 MP)", lambda: _palette_png(6_000, 6_000)),
    Kind("palette PNG + transparency, 4000×3000", lambda: _palette_png(4_000, 3_000)),
    Kind("palette PNG + transparency, 4000×3000, two at once",
         lambda: _palette_png(4_000, 3_000), copies=2),
    Kind("RGBA PNG, 4000×3000 (every alpha level)", lambda: _rgba_png(4_000, 3_000)),
    Kind("JPEG, 4000×3000 (quality 90)", lambda: _encoded(_photo(), "JPEG", quality=90)),
    Kind("WebP, 4000×3000 (quality 80)", lambda: _encoded(_photo(), "WEBP", quality=80)),
    Kind("WebP + alpha, 4000×3000 (quality 80)",
         lambda: _encoded(_photo(mode="RGBA"), "WEBP", quality=80)),
)


def _measure(path: str, file: Path, warm: Path, copies: int) -> dict:
    done = subprocess.run([sys.executable, "-c", CHILD, path, str(file), str(warm), str(copies)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300, check=True,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    return json.loads(done.stdout.splitlines()[-1])


def run(*, quick: bool = False, say: Callable[[str], None] = print) -> list[Cost]:
    """Measure every kind on every path (median of 3 processes, 1 with `quick`)."""
    repeats = 1 if quick else 3
    costs = []
    with tempfile.TemporaryDirectory() as folder:
        warm = Path(folder) / "warm.png"
        warm.write_bytes(_palette_png(64, 48))
        for number, kind in enumerate(KINDS):
            file = Path(folder) / f"kind-{number}"
            file.write_bytes(kind.make())
            for path in PATHS:
                runs = [_measure(path, file, warm, kind.copies) for _ in range(repeats)]
                cost = Cost(kind.name, file.stat().st_size, kind.copies, path,
                            statistics.median(r["grown_mb"] for r in runs),
                            statistics.median(r["cpu_s"] for r in runs) * 1000,
                            runs[0]["outcome"])
                say(f"  {kind.name} · {path}: {cost.grown_mb:.0f} MB, {cost.cpu_ms:.0f} ms CPU")
                costs.append(cost)
    return costs


def section(costs: list[Cost], machine: str) -> str:
    """The section of docs/benchmarks.md."""
    rows = [[c.kind if c.path == PATHS[0] else "", f"{c.file_bytes / 1024:,.0f} KB"
             if c.path == PATHS[0] else "", c.path, f"{c.grown_mb:.0f}", f"{c.cpu_ms:.0f}",
             "422 (over 12 MP)" if c.outcome == "422" else c.outcome] for c in costs]
    return "\n\n".join([
        "## Cost of a photo to search by", f"Measured {machine}.",
        __doc__.split("\n\n", 1)[1].strip(),
        "Medians of 3 processes. \"two at once\": two threads of one process decode the\n"
        "same file together. The result is the size of the pixels handed to the recognizer.",
        table(["image", "file", "path", "peak RSS growth (MB)", "CPU (ms)", "result"], rows),
    ])


if __name__ == "__main__":
    from bench import machine

    print(section(run(say=lambda text: print(text, file=sys.stderr)), machine.describe()))
