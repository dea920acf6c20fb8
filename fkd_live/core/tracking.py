"""Tracking helpers: match detections to tracked faces, judge whether a tracked face still holds.

Pure numpy. The pipeline aligns each tracked face in the next frame from its previous keypoints
instead of running the detector; these functions decide which detection continues which track
and when a track counts as lost. Boxes are `(x, y, w, h)` pixels.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from .geometry import DegenerateTransformError, apply_transform, estimate_similarity

Box = tuple[float, float, float, float]


def iou(a: Box, b: Box) -> float:
    """Intersection over union of two boxes (0 when either is empty)."""
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    iw = max(0.0, min(ax + aw, bx + bw) - max(ax, bx))
    ih = max(0.0, min(ay + ah, by + bh) - max(ay, by))
    inter = iw * ih
    union = aw * ah + bw * bh - inter
    return inter / union if union > 0 else 0.0


def match_boxes(
    tracked: Sequence[Box], detected: Sequence[Box], min_iou: float = 0.3
) -> list[tuple[int, int]]:
    """Greedy one-to-one matching, best overlap first: `(track index, detection index)` pairs
    whose IoU is at least `min_iou`, sorted by track index."""
    pairs = sorted(
        ((iou(t, d), ti, di) for ti, t in enumerate(tracked) for di, d in enumerate(detected)),
        reverse=True,
    )
    used_t: set[int] = set()
    used_d: set[int] = set()
    out: list[tuple[int, int]] = []
    for overlap, ti, di in pairs:
        if overlap < min_iou:
            break
        if ti in used_t or di in used_d:
            continue
        used_t.add(ti)
        used_d.add(di)
        out.append((ti, di))
    return sorted(out)


def shape_error(points: npt.ArrayLike, template: npt.ArrayLike) -> float:
    """How far five keypoints are from any similarity-transformed copy of the template: the RMS
    residual of the best fit, as a fraction of the fitted inter-ocular distance.

    A face the model really sees scores a few hundredths; a crop that lost the face makes the
    model answer implausible shapes, so a large value means the track is lost. Coincident
    points score infinity.
    """
    pts = np.asarray(points, dtype=np.float64)
    tpl = np.asarray(template, dtype=np.float64)
    try:
        m = estimate_similarity(tpl, pts)
    except DegenerateTransformError:
        return float("inf")
    fitted = apply_transform(m, tpl)
    iod = float(np.linalg.norm(fitted[1] - fitted[0]))
    if iod <= 1e-9:
        return float("inf")
    return float(np.sqrt(np.mean(np.sum((fitted - pts) ** 2, axis=1)))) / iod


def bounding_box(points: npt.ArrayLike) -> Box:
    """Axis-aligned bounding box of `(N, 2)` points."""
    pts = np.asarray(points, dtype=np.float64)
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    return (float(lo[0]), float(lo[1]), float(hi[0] - lo[0]), float(hi[1] - lo[1]))


def box_corners(box: Box) -> npt.NDArray[np.float64]:
    """`(4, 2)` corners of a box, clockwise from the top-left."""
    x, y, w, h = box
    return np.array([[x, y], [x + w, y], [x + w, y + h], [x, y + h]], dtype=np.float64)
