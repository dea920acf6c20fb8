"""Inference speed of an exported model with onnxruntime: ms per face at a given batch size."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from fkd_live.adapters.runtime import KeypointModel


@dataclass(frozen=True)
class SpeedResult:
    batch: int
    threads: int
    median_ms: float  # per call
    p95_ms: float
    provider: str

    @property
    def ms_per_face(self) -> float:
        return self.median_ms / self.batch


def measure_speed(
    model_path: Path, batch: int = 1, threads: int = 1, repeats: int = 300, warmup: int = 30
) -> SpeedResult:
    """Median and 95th-percentile time of `predict` (normalisation included) on random crops."""
    model = KeypointModel(model_path, device="cpu", threads=threads)
    rng = np.random.default_rng(0)
    shape = (batch, model.spec.input_height, model.spec.input_width, 3)
    crops = rng.integers(0, 255, size=shape, dtype=np.uint8)
    for _ in range(warmup):
        model.predict(crops)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        model.predict(crops)
        times.append(1e3 * (time.perf_counter() - t0))
    arr = np.asarray(times)
    return SpeedResult(
        batch, threads, float(np.median(arr)), float(np.percentile(arr, 95)), model.provider
    )
