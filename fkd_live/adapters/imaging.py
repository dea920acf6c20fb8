"""OpenCV image operations shared by the app and `train/`, so both crop faces identically."""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from ..core.contract import ModelSpec
from ..core.geometry import invert_transform, transform_scale

# The bilinear warp shrinks the image by at most 1 / MIN_WARP_SCALE; a crop that shrinks it more
# is read from the region it covers, first area-averaged down to MIN_WARP_SCALE times the crop's
# scale (`_shrink`). Plain bilinear sampling at a large face's 1/7 scale reads 4 of every ~50
# pixels, so a crop moved by a fraction of a pixel reads different ones: on a still 180 px face
# the model's answer then wandered about 1.5 px as the crop moved by 0-14 px (issue 18). The
# last 2x stays bilinear because the shipped model was trained on such crops: averaging all the
# way down cost it 0.11 points of NME on Helen/AFW photos; this way none. Off (0) by default for
# now: cv2.resize's INTER_AREA at these non-integer factors costs 3.4 ms a frame on d13.mp4
# (720x1280), several times the model; 0.5 turns it on (benchmarks: `--antialias`).
MIN_WARP_SCALE = 0.0


def warp_crop(
    image: npt.NDArray[np.uint8], matrix: npt.ArrayLike, spec: ModelSpec
) -> npt.NDArray[np.uint8]:
    """The model-input crop of `image` (`(H, W, 3)` or `(H, W)` uint8) under a `(2, 3)` matrix.

    Pixels outside the image repeat its border, as a face near the frame edge should look. A
    matrix that shrinks more than 1 / `MIN_WARP_SCALE` samples an area-averaged copy of the part
    of the image the crop covers, so the crop is a smooth function of the matrix.
    Returns `(input_height, input_width, C) uint8` with C as in `image`.
    """
    m = np.asarray(matrix, dtype=np.float64)
    size = (spec.input_width, spec.input_height)
    scale = transform_scale(m)
    if 0.0 < scale < MIN_WARP_SCALE:
        image, m = _shrink(image, m, scale, size)
    out = cv2.warpAffine(image, m, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return np.asarray(out, dtype=np.uint8)


def _shrink(
    image: npt.NDArray[np.uint8], m: npt.NDArray[np.float64], scale: float, size: tuple[int, int]
) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.float64]]:
    """The region of `image` that the `size` crop under `m` (of `scale`) reads, area-averaged
    down by `scale / MIN_WARP_SCALE`, and the matrix that reads the same crop from it. Unchanged
    when the crop lies wholly off the image (the border repeats either way)."""
    w, h = size
    corners = np.array([[0.0, 0.0, w, w], [0.0, h, 0.0, h]])
    inverse = invert_transform(m)
    xs, ys = inverse[:, :2] @ corners + inverse[:, 2:]
    margin = 2.0 / scale + 2.0  # two output pixels, so bilinear reads never reach the edge
    x0, x1 = max(int(xs.min() - margin), 0), min(int(xs.max() + margin) + 1, image.shape[1])
    y0, y1 = max(int(ys.min() - margin), 0), min(int(ys.max() + margin) + 1, image.shape[0])
    if x1 - x0 < 2 or y1 - y0 < 2:
        return image, m
    factor = scale / MIN_WARP_SCALE
    tw, th = max(round((x1 - x0) * factor), 1), max(round((y1 - y0) * factor), 1)
    small = cv2.resize(image[y0:y1, x0:x1], (tw, th), interpolation=cv2.INTER_AREA)
    # A small pixel u samples the region at x = (u + 0.5) / f - 0.5 + x0 (pixel centres).
    fx, fy = tw / (x1 - x0), th / (y1 - y0)
    offset = np.array([0.5 / fx - 0.5 + x0, 0.5 / fy - 0.5 + y0])
    composed = np.empty_like(m)
    composed[:, :2] = m[:, :2] * np.array([1.0 / fx, 1.0 / fy])
    composed[:, 2] = m[:, :2] @ offset + m[:, 2]
    return np.asarray(small, dtype=np.uint8), composed


def read_image_rgb(path: str) -> npt.NDArray[np.uint8] | None:
    """An image file as `(H, W, 3) uint8` RGB, or None when it cannot be read."""
    data = cv2.imread(path, cv2.IMREAD_COLOR)
    if data is None:
        return None
    return bgr_to_rgb(np.asarray(data, dtype=np.uint8))


def bgr_to_rgb(bgr: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    """OpenCV's BGR order to the RGB order everything after the sources uses."""
    return np.asarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), dtype=np.uint8)
