"""Data exploration plots: coordinate distributions, keypoint heatmaps, coordinate correlations.

Keypoints are shown in the model-input frame without eye alignment (CelebA as published, the
others framed by a box), so sources are comparable and the plots show what the network is asked
to predict. (Eye-aligned framing would pin both eyes to the template by construction.)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt

from fkd_live.core import COORDINATE_NAMES, KEYPOINT_NAMES, ModelSpec, apply_transform
from fkd_live.core.files import replacing

from .augment import framing_matrix
from .data import FaceSample


def input_frame_points(samples: list[FaceSample], spec: ModelSpec) -> npt.NDArray[np.float64]:
    """`(N, 5, 2)` keypoints mapped into the model input : CelebA as aligned, others by box."""
    out = [
        apply_transform(
            framing_matrix(s, "celeba" if s.source == "celeba" else "box", spec), s.points
        )
        for s in samples
    ]
    return np.stack(out) if out else np.zeros((0, 5, 2))


def _save(fig: object, path: Path) -> None:
    import matplotlib.pyplot as plt

    with replacing(path) as tmp:
        fig.savefig(tmp, dpi=100)  # type: ignore[attr-defined]
    plt.close(fig)  # type: ignore[arg-type]


def explore(samples: list[FaceSample], spec: ModelSpec, out: Path) -> list[Path]:
    """Write distributions.png, heatmaps.png and correlation.png into `out`."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    sources = sorted({s.source for s in samples})
    pts = {
        src: input_frame_points([s for s in samples if s.source == src], spec) for src in sources
    }
    written = []

    fig, axes = plt.subplots(2, 5, figsize=(16, 6))
    for j, name in enumerate(COORDINATE_NAMES):
        ax = axes[j % 2, j // 2]
        for src in sources:
            ax.hist(pts[src][:, j // 2, j % 2], bins=40, histtype="step", density=True, label=src)
        ax.set_title(name)
    axes[0, 0].legend(fontsize=8)
    fig.suptitle(
        f"Coordinate distributions in the {spec.input_width}x{spec.input_height} "
        "model input (pixels)"
    )
    fig.tight_layout()
    _save(fig, out / "distributions.png")
    written.append(out / "distributions.png")

    every = np.concatenate([pts[s] for s in sources])
    fig, axes = plt.subplots(1, 5, figsize=(17, 3.8))
    for k, name in enumerate(KEYPOINT_NAMES):
        hist, _, _ = np.histogram2d(
            every[:, k, 1],
            every[:, k, 0],
            bins=(spec.input_height, spec.input_width),
            range=((0, spec.input_height), (0, spec.input_width)),
        )
        axes[k].imshow(np.log1p(hist), cmap="magma", origin="upper")
        axes[k].set_title(name)
    fig.suptitle("Where each keypoint falls in the model input (log count)")
    fig.tight_layout()
    _save(fig, out / "heatmaps.png")
    written.append(out / "heatmaps.png")

    corr = np.corrcoef(every.reshape(len(every), -1).T)
    fig, ax = plt.subplots(figsize=(8, 7))
    im = ax.imshow(corr, cmap="coolwarm", vmin=-1, vmax=1)
    ax.set_xticks(range(10), COORDINATE_NAMES, rotation=60, ha="right")
    ax.set_yticks(range(10), COORDINATE_NAMES)
    for i in range(10):
        for j in range(10):
            ax.text(j, i, f"{corr[i, j]:.2f}", ha="center", va="center", fontsize=7)
    fig.colorbar(im)
    ax.set_title("Correlation of the ten coordinates")
    fig.tight_layout()
    _save(fig, out / "correlation.png")
    written.append(out / "correlation.png")
    return written
