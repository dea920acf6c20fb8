"""The synchronous per-frame pipeline: detect, align, run the keypoint model, map back.

`Pipeline.process(frame, t)` is deterministic for a given sequence of (frame, t): no threads, no
clock reads for logic (the stage timings are measurement only); the only state is the smoothing
filters, driven by the `t` passed in. Threads and windows merely wrap it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from .adapters.detector import FaceDetector
from .adapters.imaging import warp_crop
from .adapters.pose import estimate_pose
from .adapters.runtime import KeypointModel
from .core.contract import crop_from_box, crop_from_points
from .core.faces import Detection, Face, FrameResult
from .core.geometry import DegenerateTransformError, Matrix, apply_transform, invert_transform
from .core.smoothing import OneEuroConfig, OneEuroFilter


@dataclass(frozen=True)
class PipelineConfig:
    max_faces: int = 1
    min_score: float = 0.5
    smoothing: OneEuroConfig | None = field(default_factory=OneEuroConfig)  # None: off


def alignment_matrix(det: Detection, model: KeypointModel) -> Matrix:
    """Frame-to-input matrix: from the detector's eyes when it gives them, else from its box."""
    if det.eyes is not None:
        try:
            return crop_from_points(det.eyes, model.spec)
        except DegenerateTransformError:
            pass  # eyes on one pixel: frame by the box instead
    return crop_from_box(det.box, model.spec)


class Pipeline:
    def __init__(
        self, detector: FaceDetector, model: KeypointModel, config: PipelineConfig | None = None
    ) -> None:
        self.detector, self.model = detector, model
        self.config = config or PipelineConfig()
        # One filter per face slot (faces ranked by score); all restart when the count changes.
        self._filters: list[OneEuroFilter] = []

    def process(self, frame: npt.NDArray[np.uint8], t: float) -> FrameResult:
        """Faces in an `(H, W, 3) uint8` RGB frame taken at time `t` seconds."""
        t0 = time.perf_counter()
        dets = [d for d in self.detector.detect(frame) if d.score >= self.config.min_score]
        dets = sorted(dets, key=lambda d: -d.score)[: self.config.max_faces]
        t1 = time.perf_counter()
        if not dets:
            self._filters = []
            return FrameResult(t=t, faces=(), stage_ms=(("detect", 1e3 * (t1 - t0)),))
        matrices = [alignment_matrix(d, self.model) for d in dets]
        crops = np.stack([warp_crop(frame, m, self.model.spec) for m in matrices])
        t2 = time.perf_counter()
        points = self.model.predict(crops)
        t3 = time.perf_counter()
        raw = [
            apply_transform(invert_transform(m), p) for m, p in zip(matrices, points, strict=True)
        ]
        size = (frame.shape[1], frame.shape[0])
        faces = tuple(
            Face(box=d.box, score=d.score, keypoints=k, pose=estimate_pose(k, size))
            for d, k in zip(dets, self._smooth(raw, t), strict=True)
        )
        t4 = time.perf_counter()
        stages = (
            ("detect", 1e3 * (t1 - t0)),
            ("align", 1e3 * (t2 - t1)),
            ("keypoints", 1e3 * (t3 - t2)),
            ("smooth+pose", 1e3 * (t4 - t3)),
        )
        return FrameResult(t=t, faces=faces, stage_ms=stages)

    def _smooth(
        self, keypoints: list[npt.NDArray[np.float64]], t: float
    ) -> list[npt.NDArray[np.float64]]:
        if self.config.smoothing is None:
            return keypoints
        if len(self._filters) != len(keypoints):
            self._filters = [OneEuroFilter(self.config.smoothing) for _ in keypoints]
        return [f(k, t) for f, k in zip(self._filters, keypoints, strict=True)]

    def close(self) -> None:
        self.detector.close()
