"""Federated learning's requests and responses (GET /v1/fl/model, POST /v1/fl/updates)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, StrictInt

from common.api.schemas import Out, Strict

# No model is larger (FL_MAX_ITEMS × FL_DIM must also fit the 64 KiB body); the use case
# checks the exact shape of the current version.
MAX_ROWS = 10_000
MAX_DIM = 256
MAX_CLAIMED_EXAMPLES = 1_000_000_000


class FlModel(Out):
    version: int
    url: str = Field(description="The immutable model object (JSON: version, dim, item_ids, "
                                 "item_factors, hyper), cacheable forever behind the CDN.")
    dim: int
    items: int = Field(description="Rows of item_factors: the update's first dimension.")
    hyper: dict[str, Any] = Field(description="What devices train with: learning_rate, "
                                              "regularization, local_epochs, clip_norm, …")


class SubmitFlUpdate(Strict):
    model_version: Annotated[StrictInt, Field(ge=1)]
    update: Annotated[
        list[Annotated[list[float], Field(max_length=MAX_DIM)]],
        Field(max_length=MAX_ROWS, description="items × dim, rows in the model's item_ids "
                                               "order, L2 norm at most hyper.clip_norm")]
    num_examples: Annotated[StrictInt, Field(
        ge=1, le=MAX_CLAIMED_EXAMPLES,
        description="Examples the device trained on; the server caps its weight.")]


class FlUpdateAccepted(Out):
    model_version: int
    status: str = Field(description='"accepted": it counts in the round of model_version.')
