"""Evaluation of exported models on the validation split, per source and framing.

Runs each ONNX file through the app's own runtime adapter, so what is measured is what ships.
Errors are in model-input pixels (the crop every source is framed into), NME over the
inter-ocular distance. The mean-shape baseline answers the training split's mean keypoints for
the same source and framing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from fkd_live.adapters.runtime import KeypointModel
from fkd_live.core import KEYPOINT_NAMES, ModelSpec, apply_transform
from fkd_live.core.files import replacing

from .augment import SOURCE_FRAMINGS, framing_matrix, main_framing, make_crop
from .config import VAL_FRACTION
from .data import FaceSample, load_faces5, split
from .metrics import nme

log = logging.getLogger(__name__)

BASELINE = "mean shape"


@dataclass(frozen=True)
class Score:
    model: str
    source: str
    framing: str
    count: int
    mean: float  # NME, fraction of the inter-ocular distance
    median: float
    p90: float
    failure_rate: float  # share of faces with NME > 10%
    coordinate_mse: tuple[float, ...]  # per coordinate, input pixels squared
    percent_error: float  # RMSE / mean coordinate * 100
    keypoint_nme: tuple[float, ...]  # mean distance / IOD, per keypoint
    errors: tuple[float, ...]  # per-face NME, for the cumulative error curve
    # Mean signed error (x, y) over faces and keypoints, input pixels: a systematic offset, e.g.
    # labels that do not sit where their mirrored image says they should (flip augmentation
    # then teaches the model the mirror-symmetric point, and every answer is off by it).
    offset: tuple[float, float] = (0.0, 0.0)
    # 95% bootstrap interval of the mean NME (`mean_interval`): how far the mean could move on
    # another draw of as many faces from the same source.
    mean_ci: tuple[float, float] = (0.0, 0.0)

    @property
    def mse(self) -> float:
        return float(np.mean(self.coordinate_mse))


def score(
    model: str,
    source: str,
    framing: str,
    pred: npt.NDArray[np.float64],
    truth: npt.NDArray[np.float64],
) -> Score:
    """All measures of `(N, 5, 2)` predictions against the truth."""
    errors = nme(pred, truth)
    sq = ((pred - truth) ** 2).reshape(len(truth), -1)
    iod = np.linalg.norm(truth[:, 1] - truth[:, 0], axis=1)[:, None]
    per_kp = (np.linalg.norm(pred - truth, axis=2) / iod).mean(axis=0)
    dx, dy = (pred - truth).reshape(-1, 2).mean(axis=0)
    return Score(
        model, source, framing, len(errors), float(errors.mean()), float(np.median(errors)),
        float(np.percentile(errors, 90)), float(np.mean(errors > 0.10)),
        tuple(float(v) for v in sq.mean(axis=0)),
        float(100 * np.sqrt(sq.mean()) / truth.mean()),
        tuple(float(v) for v in per_kp), tuple(float(e) for e in errors),
        (float(dx), float(dy)), mean_interval(errors),
    )  # fmt: skip


def mean_interval(
    values: npt.NDArray[np.float64], resamples: int = 2000, seed: int = 0
) -> tuple[float, float]:
    """95% percentile-bootstrap interval of `values`' mean `(N,)`, seeded (the same numbers
    give the same interval on every run)."""
    if len(values) == 0:
        return (float("nan"), float("nan"))
    rng = np.random.default_rng(seed)
    means = values[rng.integers(0, len(values), size=(resamples, len(values)))].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(low), float(high)


def crops_for(
    samples: list[FaceSample], spec: ModelSpec, framing: str | None
) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.float64]]:
    """Crops `(N, H, W, 3)` and keypoints `(N, 5, 2)` in one framing, or with `framing=None`
    each sample in the framing it is validated in."""
    pairs = [make_crop(s, spec, framing or main_framing(s)) for s in samples]
    return np.stack([c for c, _ in pairs]), np.stack([p for _, p in pairs])


def predict_all(model: KeypointModel, crops: npt.NDArray[np.uint8]) -> npt.NDArray[np.float64]:
    """`(N, 5, 2)` keypoints for any number of crops, 256 at a time (bounded memory)."""
    return np.concatenate([model.predict(crops[i : i + 256]) for i in range(0, len(crops), 256)])


def mean_shape(samples: list[FaceSample], spec: ModelSpec, framing: str) -> npt.NDArray[np.float64]:
    """The mean `(5, 2)` keypoints of `samples` in the model input under a framing."""
    pts = [apply_transform(framing_matrix(s, framing, spec), s.points) for s in samples]
    out: npt.NDArray[np.float64] = np.mean(pts, axis=0)
    return out


def evaluate_models(
    model_paths: list[Path],
    data: Path,
    val_fraction: float = VAL_FRACTION,
    limit: int | None = None,
    sources: list[str] | None = None,
    on_train: bool = False,
) -> list[Score]:
    """Scores of every model, and of the mean-shape baseline, on each source's validation
    split (`sources`: those faces5 sources only; `on_train`: the training split instead, to tell
    underfitting from overfitting). The baseline uses the first model's contract."""
    models = [KeypointModel(p, device="cpu") for p in model_paths]
    train, val = split(load_faces5(data, sources, limit=limit), val_fraction)
    if on_train:
        val = train
    out: list[Score] = []
    for source, framings in SOURCE_FRAMINGS.items():
        subset = [s for s in val if s.source == source]
        train_subset = [s for s in train if s.source == source] or subset
        for framing in framings if subset else ():
            for path, model in zip(model_paths, models, strict=True):
                crops, truth = crops_for(subset, model.spec, framing)
                pred = predict_all(model, crops)
                out.append(score(path.name, source, framing, pred, truth))
            spec = models[0].spec
            _, truth = crops_for(subset, spec, framing)
            baseline = np.broadcast_to(mean_shape(train_subset, spec, framing), truth.shape)
            out.append(score(BASELINE, source, framing, baseline, truth))
    return out


def markdown_table(scores: list[Score]) -> str:
    head = " | ".join(f"{k} NME" for k in KEYPOINT_NAMES)
    lines = [
        "| source | framing | model | faces | NME mean | 95% interval | median | p90 | "
        f"failures (>10%) | MSE (px²) | % error | offset x, y (px) | {head} |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
        + " ---: |" * len(KEYPOINT_NAMES),
    ]
    for s in scores:
        kps = " | ".join(f"{100 * v:.2f}%" for v in s.keypoint_nme)
        interval = f"{100 * s.mean_ci[0]:.2f}-{100 * s.mean_ci[1]:.2f}%"
        lines.append(
            f"| {s.source} | {s.framing} | {s.model} | {s.count} | {100 * s.mean:.2f}% | "
            f"{interval} | {100 * s.median:.2f}% | {100 * s.p90:.2f}% | "
            f"{100 * s.failure_rate:.1f}% | {s.mse:.2f} | {s.percent_error:.2f}% | "
            f"{s.offset[0]:+.2f}, {s.offset[1]:+.2f} | "
            f"{kps} |"
        )
    return "\n".join(lines)


def plot_ced(scores: list[Score], path: Path) -> Path:
    """Cumulative error distribution: share of faces at or below each NME, one panel per source
    and framing, one line per model."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = sorted({(s.source, s.framing) for s in scores})
    cols = min(4, len(panels))
    rows = -(-len(panels) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4 * cols, 3.3 * rows), squeeze=False)
    grid = np.linspace(0, 0.2, 201)
    for ax, (source, framing) in zip(axes.flat, panels, strict=False):
        for s in (s for s in scores if (s.source, s.framing) == (source, framing)):
            errs = np.sort(np.asarray(s.errors))
            ax.plot(
                100 * grid,
                np.searchsorted(errs, grid, side="right") / len(errs),
                label=s.model,
                linestyle="--" if s.model == BASELINE else "-",
            )
        ax.set(
            title=f"{source} / {framing}",
            xlabel="NME (%)",
            ylabel="share of faces",
            xlim=(0, 20),
            ylim=(0, 1),
        )
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(panels) :]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=8)
    fig.tight_layout()
    with replacing(path) as tmp:
        fig.savefig(tmp, dpi=100)
    plt.close(fig)
    return path
