"""Decoding a photo to search by stays within a memory bound, whatever its colour mode.

Measured in a fresh process as how far its peak resident set (VmHWM, reset just before)
rises over the decode: Pillow allocates pixels with malloc, which tracemalloc does not
see, so the bound is on resident memory (Linux /proc).
It is a correctness bound (one query must not cost hundreds of MB), not a benchmark:
bench/query_image_cost.py measures the costs.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from tests.unit.test_image_files import encoded
from tests.unit.test_query_images import palette_png

ROOT = Path(__file__).resolve().parents[2]
MEASURE = """
import json, re, sys
from common.imaging.decode import decode_query

def status_mb(field):
    text = open("/proc/self/status").read()
    return int(re.search(field + r":\\s+(\\d+) kB", text).group(1)) / 1024

decode_query(open(sys.argv[2], "rb").read())  # warm: plugins and code paths loaded
data = open(sys.argv[1], "rb").read()
open("/proc/self/clear_refs", "w").write("5")  # the peak starts again from here
before = status_mb("VmRSS")
decoded = decode_query(data)
print(json.dumps({"grown_mb": status_mb("VmHWM") - before, "size": decoded.pixels.size}))
"""


def peak_growth_mb(data: bytes, tmp_path: Path) -> float:
    query, warm = tmp_path / "query", tmp_path / "warm"
    query.write_bytes(data)
    warm.write_bytes(palette_png(64, 48))
    done = subprocess.run([sys.executable, "-c", MEASURE, str(query), str(warm)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=True)
    return json.loads(done.stdout.splitlines()[-1])["grown_mb"]


def rgba_png(width: int, height: int) -> bytes:
    """An RGBA PNG with every alpha level: small to send, 4 bytes a pixel to decode."""
    ramp = Image.linear_gradient("L").resize((width, height))
    channels = (ramp, ramp.transpose(Image.Transpose.FLIP_LEFT_RIGHT), ramp,
                ramp.transpose(Image.Transpose.FLIP_TOP_BOTTOM))
    return encoded(Image.merge("RGBA", channels), "PNG")


# The whole-image decode of before took 126 MB and 195 MB for these (the RGBA decode alone
# is 48 MB: Pillow decodes a PNG whole; the conversions after it are what is bounded).
@pytest.mark.parametrize("make,bound_mb", [
    (lambda: palette_png(4_000, 3_000), 40),
    (lambda: rgba_png(4_000, 3_000), 80),
], ids=["palette-png-with-transparency-12-mp", "rgba-png-12-mp"])
def test_a_twelve_megapixel_png_decodes_within_a_memory_bound(make, bound_mb, tmp_path):
    data = make()
    assert len(data) < 100_000  # a small file: the cost is in its pixels

    assert peak_growth_mb(data, tmp_path) < bound_mb
