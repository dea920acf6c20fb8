"""OpenCV image operations shared by the app and `train/`, so both crop faces identically."""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from ..core.contract import ModelSpec


def warp_crop(
    image: npt.NDArray[np.uint8], matrix: npt.ArrayLike, spec: ModelSpec
) -> npt.NDArray[np.uint8]:
    """The model-input crop of `image` (`(H, W, 3)` or `(H, W)` uint8) under a `(2, 3)` matrix.

    Pixels outside the image repeat its border, as a face near the frame edge should look.
    Returns `(input_height, input_width, C) uint8` with C as in `image`.
    """
    m = np.asarray(matrix, dtype=np.float64)
    out = cv2.warpAffine(
        image,
        m,
        (spec.input_width, spec.input_height),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    )
    return np.asarray(out, dtype=np.uint8)


def read_image_rgb(path: str) -> npt.NDArray[np.uint8] | None:
    """An image file as `(H, W, 3) uint8` RGB, or None when it cannot be read."""
    data = cv2.imread(path, cv2.IMREAD_COLOR)
    if data is None:
        return None
    return bgr_to_rgb(np.asarray(data, dtype=np.uint8))


def bgr_to_rgb(bgr: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    """OpenCV's BGR order to the RGB order everything after the sources uses."""
    return np.asarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), dtype=np.uint8)
