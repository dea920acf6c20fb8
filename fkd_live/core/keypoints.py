"""The five keypoints: their order, names and the left/right convention.

"Left" always means the image-left point (smaller x on an upright face), exactly as in CelebA's
label files. Loaders for datasets that use the subject's left (Kaggle's Facial Keypoints) convert
at load time, so every array in this project follows this one order.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np
import numpy.typing as npt


class Keypoint(IntEnum):
    """Row index of each keypoint in a `(5, 2)` array of (x, y) pixels."""

    LEFT_EYE = 0
    RIGHT_EYE = 1
    NOSE = 2
    LEFT_MOUTH = 3
    RIGHT_MOUTH = 4


NUM_KEYPOINTS = len(Keypoint)

# CelebA's column prefixes, in Keypoint order.
KEYPOINT_NAMES: tuple[str, ...] = ("lefteye", "righteye", "nose", "leftmouth", "rightmouth")

# CelebA's ten coordinate columns, in the order the model emits them: x0, y0, x1, y1, ...
COORDINATE_NAMES: tuple[str, ...] = tuple(
    f"{name}_{axis}" for name in KEYPOINT_NAMES for axis in ("x", "y")
)

# Row permutation that a horizontal flip of the image applies: the image-left eye becomes the
# image-right eye and so on; the nose stays.
FLIP_PERMUTATION: tuple[int, ...] = (
    Keypoint.RIGHT_EYE,
    Keypoint.LEFT_EYE,
    Keypoint.NOSE,
    Keypoint.RIGHT_MOUTH,
    Keypoint.LEFT_MOUTH,
)


def flip_keypoints_horizontally(points: npt.ArrayLike, width: float) -> npt.NDArray[np.float64]:
    """Keypoints of the mirrored image.

    `points`: `(..., 5, 2)` (x, y) pixels of an image `width` pixels wide, whose pixel centres are
    at integer x; mirroring maps x to `width - 1 - x` and swaps left and right points.
    Returns `(..., 5, 2) float64`.
    """
    pts = np.asarray(points, dtype=np.float64)
    if pts.shape[-2:] != (NUM_KEYPOINTS, 2):
        raise ValueError(f"expected (..., 5, 2) keypoints, got shape {pts.shape}")
    mirrored = pts[..., list(FLIP_PERMUTATION), :].copy()
    mirrored[..., 0] = (width - 1.0) - mirrored[..., 0]
    return mirrored
