"""Inference speed of exported models with onnxruntime: ms per face at a given batch size.

Several models are timed side by side in one run (interleaved), the way to compare them on a
shared machine whose speed drifts from run to run by more than the models differ."""

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


def measure_speeds(
    model_paths: list[Path],
    batch: int = 1,
    threads: int = 1,
    repeats: int = 300,
    warmup: int = 30,
) -> list[SpeedResult]:
    """Median and 95th-percentile time of `predict` (normalisation included) on random crops,
    per model. Several models are timed interleaved, one call each per round, so that a slow
    moment of a shared machine falls on all of them alike and their ratios stay fair."""
    models = [KeypointModel(p, device="cpu", threads=threads) for p in model_paths]
    rng = np.random.default_rng(0)
    times: list[list[float]] = [[] for _ in models]
    shapes = [(batch, m.spec.input_height, m.spec.input_width, 3) for m in models]
    crops = [rng.integers(0, 255, size=s, dtype=np.uint8) for s in shapes]
    for round_ in range(warmup + repeats):
        for model, crop, out in zip(models, crops, times, strict=True):
            t0 = time.perf_counter()
            model.predict(crop)
            if round_ >= warmup:
                out.append(1e3 * (time.perf_counter() - t0))
    return [
        SpeedResult(
            batch, threads, float(np.median(t)), float(np.percentile(t, 95)), model.provider
        )
        for model, t in zip(models, times, strict=True)
    ]


def measure_speed(
    model_path: Path, batch: int = 1, threads: int = 1, repeats: int = 300, warmup: int = 30
) -> SpeedResult:
    """One model's `measure_speeds`."""
    return measure_speeds([model_path], batch, threads, repeats, warmup)[0]


def speed_lines(model_paths: list[Path], results: list[SpeedResult]) -> list[str]:
    """One line per model; after the first, its time as a ratio of the first model's."""
    lines: list[str] = []
    for path, r in zip(model_paths, results, strict=True):
        ratio = f"; {r.median_ms / results[0].median_ms:.2f}x the first's time" if lines else ""
        lines.append(
            f"{path.name}: {r.ms_per_face:.3f} ms per face (batch {r.batch}, {r.threads} "
            f"thread(s), {r.provider}; call median {r.median_ms:.3f} ms, p95 {r.p95_ms:.3f} ms); "
            f"file {path.stat().st_size / 2**20:.2f} MB{ratio}"
        )
    return lines
