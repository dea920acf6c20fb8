"""Evaluation of exported models on the validation split, per source and framing.

Runs the ONNX file through the app's own runtime adapter, so what is measured is what ships.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from fkd_live.adapters.runtime import KeypointModel
from fkd_live.core import ModelSpec

from .augment import make_crop
from .data import FaceSample, load_faces5, split
from .metrics import nme

log = logging.getLogger(__name__)

# The framings each source is judged in: CelebA as published (aligned), MTFL by its own crop as
# the box, and every source from its labelled eyes (the app's tracking framing).
SOURCE_FRAMINGS: dict[str, tuple[str, ...]] = {
    "celeba": ("celeba", "eyes"),
    "mtfl": ("box", "eyes"),
    "lfw": ("eyes", "box"),
    "helen_afw": ("eyes", "box"),
}


@dataclass(frozen=True)
class Score:
    source: str
    framing: str
    count: int
    mean: float
    median: float
    p90: float
    failure_rate: float  # share of faces with NME > 10%


def score(errors: npt.NDArray[np.float64], source: str, framing: str) -> Score:
    return Score(
        source,
        framing,
        len(errors),
        float(errors.mean()),
        float(np.median(errors)),
        float(np.percentile(errors, 90)),
        float(np.mean(errors > 0.10)),
    )


def crops_for(
    samples: list[FaceSample], spec: ModelSpec, framing: str
) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.float64]]:
    pairs = [make_crop(s, spec, framing) for s in samples]
    return np.stack([c for c, _ in pairs]), np.stack([p for _, p in pairs])


def evaluate_model(
    model_path: Path, data: Path, val_fraction: float = 0.1, limit: int | None = None
) -> list[Score]:
    """Model and mean-shape baseline scores on every source's validation split."""
    model = KeypointModel(model_path, device="cpu")
    samples = load_faces5(data, limit=limit)
    _, val = split(samples, val_fraction)
    template = model.spec.template_in_input()
    out: list[Score] = []
    for source, framings in SOURCE_FRAMINGS.items():
        subset = [s for s in val if s.source == source]
        if not subset:
            continue
        for framing in framings:
            crops, truth = crops_for(subset, model.spec, framing)
            pred = np.concatenate(
                [model.predict(crops[i : i + 256]) for i in range(0, len(crops), 256)]
            )
            out.append(score(nme(pred, truth), source, framing))
            baseline = np.broadcast_to(template, truth.shape)
            out.append(score(nme(baseline, truth), source, f"{framing} (mean shape)"))
    return out


def markdown_table(scores: list[Score]) -> str:
    lines = [
        "| source | framing | faces | NME mean | median | p90 | failures (>10%) |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for s in scores:
        lines.append(
            f"| {s.source} | {s.framing} | {s.count} | {100 * s.mean:.2f}% | "
            f"{100 * s.median:.2f}% | {100 * s.p90:.2f}% | {100 * s.failure_rate:.1f}% |"
        )
    return "\n".join(lines)
