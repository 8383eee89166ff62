"""Scores an order's feature vector with the committed ONNX model (onnxruntime, numpy)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime

from edge_workers.fraud.features import FEATURE_NAMES


class ModelMismatch(ValueError):
    """The model's meta does not describe the features this code computes."""


class OnnxScorer:
    """One ONNX session over the model, its meta (version, thresholds) beside it."""

    def __init__(self, session: Any, meta: dict[str, Any]) -> None:
        if tuple(meta.get("feature_names", ())) != FEATURE_NAMES:
            raise ModelMismatch("the model was trained on other features")
        self._session = session
        self._input = session.get_inputs()[0].name
        self._output = _probability_output(session)
        self.meta = meta
        self.version: str = str(meta["version"])
        self.thresholds: dict[str, float] = {k: float(v) for k, v in meta["thresholds"].items()}

    @classmethod
    def from_bytes(cls, model: bytes, meta: dict[str, Any]) -> OnnxScorer:
        """A scorer over a model read from anywhere (the worker reads it from the bucket)."""
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        session = onnxruntime.InferenceSession(
            model, sess_options=options, providers=["CPUExecutionProvider"])
        return cls(session, meta)

    @classmethod
    def from_files(cls, onnx_path: str | Path) -> OnnxScorer:
        """A scorer over a model file and the .json meta beside it."""
        path = Path(onnx_path)
        meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        return cls.from_bytes(path.read_bytes(), meta)

    def score(self, vector: Any) -> float:
        """The probability that the order is fraud, in [0, 1]."""
        return float(self.score_many([vector])[0])

    def score_many(self, vectors: Any) -> np.ndarray:
        """Fraud probabilities of many vectors (lists or a float32 array) in one run."""
        rows = np.asarray(vectors, dtype=np.float32).reshape(-1, len(FEATURE_NAMES))
        output = self._session.run([self._output], {self._input: rows})[0]
        return _positive_column(output)


def _probability_output(session: Any) -> str:
    """The output holding class probabilities (a classifier's second output)."""
    outputs = session.get_outputs()
    return outputs[1].name if len(outputs) > 1 else outputs[0].name


def _positive_column(output: Any) -> np.ndarray:
    """The fraud class's probability from a tensor or a list of {class: probability} maps."""
    if isinstance(output, list):
        return np.asarray([row[1] for row in output], dtype=np.float64)
    array = np.asarray(output, dtype=np.float64)
    return array[:, 1] if array.ndim == 2 else array
