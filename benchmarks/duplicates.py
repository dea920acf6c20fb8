"""Photographs a dataset holds twice, each copy labelled on its own: found, registered, and
their labellings compared (`benchmarks.labels` reports them).

Pairs are found by the correlation of small grey thumbnails and confirmed by registering the
two images (an affine ECC fit) and comparing the registered images around each keypoint (two
frames of one scene match as wholes but not where an eye closed); one image's labels are
mapped into the other's frame by that fit, and their disagreement is an NME like any other
(mean point distance over the second labelling's eye distance).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from benchmarks.residuals import Interval, bootstrap
from fkd_live.core.geometry import apply_transform
from train.data import FaceSample
from train.metrics import inter_ocular, nme

THUMB = (16, 20)  # thumbnail width, height: enough to tell faces apart, blind to jpeg noise


def grey(image: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    """`(H, W)` grey copy of an `(H, W, 3)` RGB or `(H, W)` grey image."""
    if image.ndim == 2:
        return image
    return np.asarray(cv2.cvtColor(image, cv2.COLOR_RGB2GRAY), dtype=np.uint8)


def thumbnails(images: list[npt.NDArray[np.uint8]]) -> npt.NDArray[np.float32]:
    """`(N, 320) float32` grey thumbnails, each centred and of unit length (dot = correlation)."""
    rows = []
    for image in images:
        t = cv2.resize(grey(image), THUMB, interpolation=cv2.INTER_AREA).astype(np.float32)
        t = t.ravel() - t.mean()
        rows.append(t / max(float(np.linalg.norm(t)), 1e-6))
    return np.stack(rows)


def candidate_pairs(thumbs: npt.NDArray[np.float32], min_corr: float) -> list[tuple[int, int]]:
    """Index pairs `(i, j)`, i < j, whose thumbnails correlate at `min_corr` or more; the
    correlations are computed 1,000 rows at a time, so memory stays bounded."""
    pairs: list[tuple[int, int]] = []
    for start in range(0, len(thumbs), 1000):
        block = thumbs[start : start + 1000] @ thumbs.T
        for i, j in zip(*np.nonzero(block >= min_corr), strict=True):
            if start + i < j:
                pairs.append((int(start + i), int(j)))
    return pairs


def register(
    a: npt.NDArray[np.uint8], b: npt.NDArray[np.uint8]
) -> tuple[float, npt.NDArray[np.float64]] | None:
    """ECC affine fit of image `b` to image `a`: its correlation and the `(2, 3)` matrix taking
    a pixel of `a` to the same place in `b`; None when the fit does not converge."""
    start = np.eye(2, 3, dtype=np.float32)
    criteria = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 200, 1e-6)
    ga, gb = grey(a).astype(np.float32), grey(b).astype(np.float32)
    try:
        corr, warp = cv2.findTransformECC(ga, gb, start, cv2.MOTION_AFFINE, criteria)
    except cv2.error:
        return None
    return float(corr), np.asarray(warp, dtype=np.float64)


def patch_agreement(
    a: npt.NDArray[np.uint8],
    b: npt.NDArray[np.uint8],
    warp: npt.NDArray[np.float64],
    points: npt.NDArray[np.float64],
) -> float:
    """The lowest correlation, over `a`'s `(5, 2)` keypoints, between the patch of `a` around
    the point (a fifth of the eye distance each side) and the same patch of `b` registered onto
    `a` by `warp`. Two frames of one scene can register well as wholes and still differ at a
    feature (eyes open in one, closed in the other); one photograph does not."""
    ga = grey(a).astype(np.float32)
    gb = cv2.warpAffine(grey(b).astype(np.float32), warp.astype(np.float32),
                        (ga.shape[1], ga.shape[0]),
                        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP)  # fmt: skip
    r = max(2, round(0.2 * float(inter_ocular(points[None])[0])))
    lowest = 1.0
    for x, y in np.round(points).astype(int):
        window = np.s_[max(0, y - r) : y + r + 1, max(0, x - r) : x + r + 1]
        pa, pb = ga[window] - ga[window].mean(), gb[window] - gb[window].mean()
        norm = float(np.linalg.norm(pa) * np.linalg.norm(pb))
        lowest = min(lowest, float((pa * pb).sum()) / norm if norm > 0 else 0.0)
    return lowest


@dataclass(frozen=True)
class Duplicate:
    """One photograph labelled twice: the two samples' ids and their disagreement (NME)."""

    first: str
    second: str
    ecc: float
    warp: npt.NDArray[np.float64]  # (2, 3): a pixel of the first image to the second
    disagreement: float


def duplicates(
    samples: list[FaceSample],
    min_corr: float = 0.95,
    min_ecc: float = 0.985,
    min_patch: float = 0.9,
) -> list[Duplicate]:
    """Every pair of `samples` that shows one photograph (see the module docstring): thumbnails
    that correlate at `min_corr`, an ECC registration at `min_ecc`, and every keypoint's patch
    at `min_patch` (`patch_agreement`)."""
    found = []
    for i, j in candidate_pairs(thumbnails([s.image for s in samples]), min_corr):
        a, b = samples[i], samples[j]
        fit = register(a.image, b.image)
        if fit is None or fit[0] < min_ecc:
            continue
        if patch_agreement(a.image, b.image, fit[1], a.points) < min_patch:
            continue
        mapped = apply_transform(fit[1], a.points)
        d = float(nme(mapped[None], b.points[None])[0])
        found.append(Duplicate(a.image_id, b.image_id, fit[0], fit[1], d))
    return found


@dataclass(frozen=True)
class Floor:
    """What the pairs' disagreement says a perfect model would score (fractions)."""

    disagreement: Interval
    at_least: Interval  # half the disagreement: holds for any noise alike in both labellings
    gaussian: Interval  # 1/sqrt(2) of it: Gaussian noise


def floor(disagreements: list[float], resamples: int = 1000, seed: int = 0) -> Floor:
    """The floor from per-pair disagreements, with bootstrap intervals over the pairs."""
    d = np.asarray(disagreements, dtype=np.float64)

    def scaled(k: float) -> Interval:
        return bootstrap(lambda idx: k * float(d[idx].mean()), len(d), resamples, seed)

    return Floor(scaled(1.0), scaled(0.5), scaled(1 / math.sqrt(2)))
