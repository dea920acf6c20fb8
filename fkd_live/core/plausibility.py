"""Whether five keypoints form a shape a face can make (issue 18's rule), checked on every answer.

A model answering a crop it cannot read (a profile past what five points carry, a face half out
of frame, stage light) still returns five points; the tracker must not draw them. The rule, in
eye distances (IOD) and contract order (image-left eye, image-right eye, nose tip, image-left and
image-right mouth corner):

- the eye line (left eye to right eye) and the mouth line (left corner to right corner) point
  the same way (their dot product is positive: the mouth corners are not crossed);
- the mouth's middle lies `MOUTH_DROP` = 0.5-2.0 IOD below the eyes' middle, measured along the
  eye line's normal that points down the face (image-down for an upright face);
- the mouth is `MOUTH_WIDTH` = 0.3-1.6 IOD wide.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

MOUTH_DROP = (0.5, 2.0)
MOUTH_WIDTH = (0.3, 1.6)


def shape_problem(points: npt.ArrayLike) -> str | None:
    """What makes `(5, 2)` keypoints impossible for a face (see the module docstring), or None."""
    p = np.asarray(points, dtype=np.float64)
    eyes = p[1] - p[0]
    mouth = p[4] - p[3]
    iod = math.hypot(float(eyes[0]), float(eyes[1]))
    if not math.isfinite(iod) or iod <= 1e-9:
        return "the eyes coincide"
    if float(eyes @ mouth) <= 0.0:
        return "the mouth corners are crossed"
    down = np.array([-eyes[1], eyes[0]]) / iod  # the eye line turned 90 degrees clockwise
    drop = float((p[3] + p[4] - p[0] - p[1]) @ down) / (2.0 * iod)
    if not MOUTH_DROP[0] <= drop <= MOUTH_DROP[1]:
        return f"the mouth is {drop:.2f} eye distances below the eyes"
    width = math.hypot(float(mouth[0]), float(mouth[1])) / iod
    if not MOUTH_WIDTH[0] <= width <= MOUTH_WIDTH[1]:
        return f"the mouth is {width:.2f} eye distances wide"
    return None


def plausible(points: npt.ArrayLike) -> bool:
    """Whether `(5, 2)` keypoints pass `shape_problem`'s rule."""
    return shape_problem(points) is None
