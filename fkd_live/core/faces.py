"""Immutable per-frame results passed from the pipeline to whatever draws or writes them."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from .pose import HeadPose


@dataclass(frozen=True)
class Detection:
    """A detector's face: box `(x, y, w, h)` pixels, score in [0, 1], and eyes `(2, 2)`
    (image-left, image-right) when the detector gives them."""

    box: tuple[float, float, float, float]
    score: float
    eyes: npt.NDArray[np.float64] | None = None


@dataclass(frozen=True)
class Face:
    """One face in a frame: its box `(x, y, w, h)` (from its last detection, then following the
    keypoints) and score (the keypoint model's readable-face score for this frame's crop when
    the model has one, `ModelSpec.score_name`; else its last detection's), the model's
    `(5, 2) float32` keypoints (pixels of the frame, contract order), the head pose estimated
    from them (None when it could not be) and its track's id (stable while the face is tracked;
    1 for the first face)."""

    box: tuple[float, float, float, float]
    score: float
    keypoints: npt.NDArray[np.float32]
    pose: HeadPose | None = None
    id: int = 0

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "box": [round(float(v), 2) for v in self.box],
            "score": round(float(self.score), 4),
            "keypoints": [[round(float(x), 2), round(float(y), 2)] for x, y in self.keypoints],
            "pose": self.pose.to_json() if self.pose is not None else None,
        }


@dataclass(frozen=True)
class FrameResult:
    """What `Pipeline.process(frame, t)` returns: the faces and each stage's milliseconds."""

    t: float
    faces: tuple[Face, ...]
    stage_ms: tuple[tuple[str, float], ...] = field(default=())
    detected: bool = True  # whether the detector ran on this frame (False: tracked only)

    @property
    def total_ms(self) -> float:
        return sum(ms for _, ms in self.stage_ms)
