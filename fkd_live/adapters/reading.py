"""Reading faces: warp each face's crop, run the keypoint model once on them all, map its
answers back to the frame.

One path for the pipeline (detected, refined and tracked faces) and the Python API's single
pictures (`Tracker.detect` with a box or an aligned picture), so they cannot drift apart. The
head pose is left to the caller: the pipeline estimates it after smoothing, a single picture
at once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from ..core.geometry import Matrix, apply_transform, invert_transform
from .imaging import warp_crop
from .runtime import KeypointModel


def read_faces(
    frame: npt.NDArray[np.uint8],
    matrices: Sequence[Matrix],
    model: KeypointModel,
    lap: Callable[[str], None] | None = None,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64] | None]:
    """Keypoints `(N, 5, 2)` in frame pixels for the crops that the frame-to-input matrices
    `(2, 3)` frame (each must be invertible), and the model's readable-face scores `(N,)` (None
    for a model without a score). `lap(stage)` is called after the "warp" and the "keypoints"
    stages, for the pipeline's stage timings."""
    spec = model.spec
    crops = (
        np.stack([warp_crop(frame, m, spec) for m in matrices])
        if matrices
        else np.zeros((0, spec.input_height, spec.input_width, 3), np.uint8)
    )
    if lap is not None:
        lap("warp")
    points, scores = model.predict_scored(crops)
    if lap is not None:
        lap("keypoints")
    back = [apply_transform(invert_transform(m), p) for m, p in zip(matrices, points, strict=True)]
    return (np.stack(back) if back else np.zeros((0, 5, 2))), scores
