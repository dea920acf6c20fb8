"""Tracking helpers: match detections to tracked faces, judge whether a tracked face still holds.

Pure numpy. The pipeline aligns each tracked face in the next frame from its previous keypoints
instead of running the detector; these functions decide which detection continues which track
and when a track counts as lost, and `Track` holds one followed face. Boxes are `(x, y, w, h)`
pixels.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .contract import CELEBA_TEMPLATE
from .geometry import (
    DegenerateTransformError,
    Matrix,
    apply_transform,
    estimate_similarity,
    invert_transform,
)
from .smoothing import OneEuroFilter

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


def face_frame(keypoints: npt.NDArray[np.float64]) -> Matrix:
    """Frame-to-template matrix of a face (CelebA's template, in its own frame's pixels)."""
    return estimate_similarity(keypoints, CELEBA_TEMPLATE)


def box_from_face(keypoints: npt.NDArray[np.float64], box_in_face: npt.NDArray[np.float64]) -> Box:
    """The frame box of `(4, 2)` corners held in the coordinates of the face `keypoints` is."""
    return bounding_box(apply_transform(invert_transform(face_frame(keypoints)), box_in_face))


# How far ahead a tracked face's position is extrapolated (a long gap means a stalled source).
MAX_PREDICT_S = 0.1


@dataclass
class Track:
    """A face followed from frame to frame. `keypoints` are the raw model answer in frame
    pixels, `shown` what is shown (smoothed) at time `t`, moving at `velocity` px/s; `box_in_face`
    holds the detection box's corners in the coordinates of the face aligned to the template, so
    the box can follow the keypoints between detections."""

    track_id: int
    keypoints: npt.NDArray[np.float64]
    box_in_face: npt.NDArray[np.float64]
    score: float
    smoother: OneEuroFilter | None
    shown: npt.NDArray[np.float64] | None = None
    velocity: npt.NDArray[np.float64] | None = None
    t: float | None = None

    @property
    def box(self) -> Box:
        return box_from_face(self.shown if self.shown is not None else self.keypoints,
                             self.box_in_face)  # fmt: skip

    def follow(self, t: float) -> npt.NDArray[np.float64]:
        """Smooth this frame's raw keypoints (taken at `t`) and update the velocity."""
        if self.smoother is not None:
            iod = max(float(np.linalg.norm(self.keypoints[1] - self.keypoints[0])), 1.0)
            shown = self.smoother(self.keypoints, t, iod)
        else:
            shown = self.keypoints.copy()
        if self.shown is not None and self.t is not None and t > self.t:
            self.velocity = (shown - self.shown) / (t - self.t)
        else:
            self.velocity = np.zeros_like(shown)
        self.shown, self.t = shown, t
        return shown

    def anchor(self, t: float) -> npt.NDArray[np.float64]:
        """Where to align this face from in a frame taken at `t`: the shown keypoints moved on
        by their velocity (at most `MAX_PREDICT_S` ahead). Aligning from the steady shown points
        rather than the raw ones keeps a still face's crop still (less jitter); predicting keeps
        a moving face centred in its crop."""
        if self.shown is None or self.velocity is None or self.t is None:
            return self.keypoints
        ahead = min(max(t - self.t, 0.0), MAX_PREDICT_S)
        return self.shown + self.velocity * ahead


def snap_crop(matrix: Matrix, centre: tuple[float, float], step: float) -> Matrix:
    """A frame-to-input similarity `matrix` moved onto a grid: its scale (log) and angle in steps
    that move the crop's edge by about `step` input pixels, and the frame point at the input's
    `centre` in steps of `step` input pixels. `step` 0 returns the matrix unchanged.

    Why: the keypoint model's answer is not a smooth function of where the crop sits (its
    int8 rounding answers each sub-pixel shift afresh), so a tracked face whose next crop is
    placed from its last answer never settles: two runs that differ by 1e-7 s in their
    timestamps drift apart by tenths of a pixel. On a grid coarser than that noise, nearby
    states give the very same crop and the same answer, and the difference dies out.
    """
    if step <= 0:
        return matrix
    # Plain floats throughout: this runs on every tracked face of every frame.
    (a, b, tx), (c, d, ty) = np.asarray(matrix, dtype=np.float64).tolist()
    cx, cy = float(centre[0]), float(centre[1])
    q = step / max(cx, cy, 1.0)  # relative step: `step` px at the crop's edge
    scale = math.exp(round(math.log(math.sqrt(abs(a * d - b * c))) / q) * q)
    angle = round(math.atan2(c, a) / q) * q
    cell = step / scale  # `step` input pixels, in frame pixels
    # The frame point shown at the centre (the matrix inverted at one point), on the grid.
    det = a * d - b * c
    ux, uy = cx - tx, cy - ty
    px = round((d * ux - b * uy) / det / cell) * cell
    py = round((a * uy - c * ux) / det / cell) * cell
    cos, sin = scale * math.cos(angle), scale * math.sin(angle)
    return np.array(
        [[cos, -sin, cx - (cos * px - sin * py)], [sin, cos, cy - (sin * px + cos * py)]]
    )
