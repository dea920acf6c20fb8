"""BlazeFace short-range's output decoding, as MediaPipe's face detection graph does it.

The network (run by `adapters.detector.BlazeFaceDetector`) sees the frame letterboxed into a
128x128 square and answers, for each of 896 fixed anchors, a raw score and 16 raw numbers: a box
(centre offset x, y and size w, h) and six keypoints (x, y), in input pixels relative to the
anchor. This module turns them into frame-pixel `Detection`s: anchors (`ssd_anchors`, as
MediaPipe's SsdAnchorsCalculator with the graph's options), decoding (its
TensorsToDetectionsCalculator), weighted non-maximum suppression (its NonMaxSuppression in
WEIGHTED mode, IoU 0.3) and the letterbox removed. Keypoint order is the model's: the subject's
right eye (image-left on an unmirrored picture) first, then the left eye, nose, mouth, ears.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .faces import Detection

INPUT_SIZE = 128
# MediaPipe's face_detection_short_range graph: four layers at strides 8, 16, 16, 16; the
# layers sharing a stride are merged, each layer adding two anchors per cell (aspect ratio 1
# and the interpolated scale), all of a fixed unit size.
STRIDES = (8, 16, 16, 16)
SCORE_CLIP = 100.0
NMS_IOU = 0.3


@dataclass(frozen=True)
class Letterbox:
    """How a `width` x `height` frame sits in the square input: scaled by `scale` and offset by
    `(pad_x, pad_y)` input pixels, centred with the long side filling the square."""

    scale: float
    pad_x: float
    pad_y: float

    @staticmethod
    def fit(width: int, height: int, size: int = INPUT_SIZE) -> Letterbox:
        scale = size / max(width, height)
        return Letterbox(scale, (size - width * scale) / 2, (size - height * scale) / 2)

    def matrix(self) -> npt.NDArray[np.float64]:
        """`(2, 3)` frame-to-input affine matrix."""
        s = self.scale
        return np.array([[s, 0.0, self.pad_x], [0.0, s, self.pad_y]])

    def to_frame(self, xy: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """Input pixels `(..., 2)` to frame pixels."""
        out: npt.NDArray[np.float64] = (xy - np.array([self.pad_x, self.pad_y])) / self.scale
        return out


def ssd_anchors(size: int = INPUT_SIZE) -> npt.NDArray[np.float64]:
    """`(896, 2)` anchor centres in input pixels, in the network's output order."""
    centres = []
    layer = 0
    while layer < len(STRIDES):
        stride, repeats = STRIDES[layer], 0
        while layer < len(STRIDES) and STRIDES[layer] == stride:
            repeats += 2
            layer += 1
        cells = -(-size // stride)  # ceil: MediaPipe's feature map size
        ys, xs = np.mgrid[0:cells, 0:cells]
        grid = np.stack([xs, ys], axis=-1).reshape(-1, 1, 2) + 0.5
        centres.append(np.repeat(grid, repeats, axis=1).reshape(-1, 2) * (size / cells))
    return np.concatenate(centres).astype(np.float64)


def sigmoid_scores(raw: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
    """`(896,)` raw scores to probabilities, clipped as MediaPipe clips them."""
    clipped = np.clip(raw.astype(np.float64), -SCORE_CLIP, SCORE_CLIP)
    return 1.0 / (1.0 + np.exp(-clipped))


@dataclass(frozen=True)
class Candidates:
    """Decoded anchors above the score threshold, in input pixels: boxes `(N, 4)` as (x0, y0,
    x1, y1), keypoints `(N, 6, 2)` and scores `(N,)`."""

    boxes: npt.NDArray[np.float64]
    keypoints: npt.NDArray[np.float64]
    scores: npt.NDArray[np.float64]


def decode(
    raw_scores: npt.NDArray[np.float32],
    raw_coords: npt.NDArray[np.float32],
    anchors: npt.NDArray[np.float64],
    min_score: float,
) -> Candidates:
    """The network's `(896,)` scores and `(896, 16)` numbers, decoded where the score reaches
    `min_score`."""
    scores = sigmoid_scores(raw_scores.reshape(-1))
    keep = np.flatnonzero(scores >= min_score)
    raw = raw_coords.reshape(-1, 16)[keep].astype(np.float64)
    centre = anchors[keep]
    mid = raw[:, 0:2] + centre
    half = raw[:, 2:4] / 2
    boxes = np.concatenate([mid - half, mid + half], axis=1)
    keypoints = raw[:, 4:16].reshape(-1, 6, 2) + centre[:, None, :]
    return Candidates(boxes, keypoints, scores[keep])


def iou(box: npt.NDArray[np.float64], boxes: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Intersection over union of one `(4,)` box with each of `(N, 4)` (x0, y0, x1, y1)."""
    lo = np.maximum(box[:2], boxes[:, :2])
    hi = np.minimum(box[2:], boxes[:, 2:])
    inter = np.prod(np.clip(hi - lo, 0.0, None), axis=1)
    area = np.prod(box[2:] - box[:2])
    areas = np.prod(boxes[:, 2:] - boxes[:, :2], axis=1)
    union = area + areas - inter
    return np.where(union > 0, inter / np.where(union > 0, union, 1.0), 0.0)


def weighted_nms(c: Candidates, threshold: float = NMS_IOU) -> Candidates:
    """MediaPipe's weighted non-maximum suppression: the best remaining candidate takes every
    candidate overlapping it by more than `threshold` (itself included) and becomes their
    score-weighted mean box and keypoints, keeping its own score."""
    order = np.argsort(-c.scores, kind="stable")
    boxes, points, scores = [], [], []
    while order.size:
        best = order[0]
        overlap = iou(c.boxes[best], c.boxes[order]) > threshold
        overlap[0] = True  # itself, even when degenerate
        group, order = order[overlap], order[~overlap]
        w = c.scores[group][:, None]
        boxes.append((c.boxes[group] * w).sum(axis=0) / w.sum())
        points.append((c.keypoints[group] * w[:, :, None]).sum(axis=0) / w.sum())
        scores.append(c.scores[best])
    return Candidates(
        np.array(boxes).reshape(-1, 4), np.array(points).reshape(-1, 6, 2), np.array(scores)
    )


def to_detections(c: Candidates, letterbox: Letterbox) -> list[Detection]:
    """Candidates in input pixels as frame-pixel detections, best first: box `(x, y, w, h)`
    and the two eyes (image-left first on an unmirrored frame)."""
    out = []
    for box, points, score in zip(c.boxes, c.keypoints, c.scores, strict=True):
        x0, y0 = letterbox.to_frame(box[:2])
        x1, y1 = letterbox.to_frame(box[2:])
        eyes = letterbox.to_frame(points[:2])
        out.append(
            Detection((float(x0), float(y0), float(x1 - x0), float(y1 - y0)), float(score), eyes)
        )
    return out
