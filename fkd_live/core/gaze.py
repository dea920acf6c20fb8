"""The estimated gaze as a field-of-view cone: from between the eyes, along the direction the
face points, projected into the frame with the head pose. Pure numpy.

Five points give the head's direction, not the eyes': the cone shows where the face looks.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from .pose import FACE_MODEL_MM, HeadPose, project

# Midpoint of the eyes in the face model (mm): the cone's apex.
EYES_MID_MM = (FACE_MODEL_MM[0] + FACE_MODEL_MM[1]) / 2.0


def gaze_cone(
    pose: HeadPose,
    frame_size: tuple[int, int],
    length_mm: float = 150.0,
    half_angle_deg: float = 12.0,
    segments: int = 24,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]] | None:
    """The cone's apex `(2,)` and base rim `(segments, 2)` in frame pixels.

    The cone runs `length_mm` forward (towards the camera, the face model's -z) with the given
    half angle. It is shortened so its base stays in front of the camera (at least 40% of the
    apex's depth left); None when the apex itself is not in front of the camera.
    """
    apex = pose.rotation @ EYES_MID_MM + pose.translation
    forward = pose.rotation @ np.array([0.0, 0.0, -1.0])
    if apex[2] <= 1.0:
        return None
    length = length_mm
    if forward[2] < 0:  # coming towards the camera: stop before reaching it
        length = min(length, 0.6 * apex[2] / -forward[2])
    radius = length * math.tan(math.radians(half_angle_deg))
    angles = np.linspace(0.0, 2.0 * math.pi, segments, endpoint=False)
    rim = np.stack(
        [radius * np.cos(angles), radius * np.sin(angles), np.full(segments, -length)], axis=1
    )
    pts = np.vstack([EYES_MID_MM[None], EYES_MID_MM + rim])
    uv = project(pts, pose, frame_size)
    return uv[0], uv[1:]


def view_wedges(
    pose: HeadPose, half_angle_deg: float = 30.0
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """The view cone seen from above and from the side, for an inset that reads at any pose
    (seen from the camera, a cone towards it is a disc whatever its angle).

    Each view is `(3, 2)`: the apex (0, 0) and the ends of the wedge's two edges, unit length,
    `half_angle_deg` either side of the face's direction in that view. Top view: x is the
    image's right, y points towards the camera (drawn downwards, the camera below). Side view:
    x points towards the camera (drawn to the right), y is the image's down. A face looking
    into the camera gives a wedge straight down (top) and straight right (side); one looking
    away from the camera turns past the horizontal.
    """
    fx, fy, fz = pose.rotation @ np.array([0.0, 0.0, -1.0])
    half = math.radians(half_angle_deg)
    top_dir = math.atan2(fx, -fz)  # 0: towards the camera, > 0: towards the image's right
    side_dir = math.atan2(fy, -fz)  # 0: towards the camera, > 0: towards the image's bottom

    def wedge(direction: float, axis: tuple[int, int]) -> npt.NDArray[np.float64]:
        ends = [(math.sin(a), math.cos(a)) for a in (direction - half, direction + half)]
        return np.array([[0.0, 0.0], *[(e[axis[0]], e[axis[1]]) for e in ends]])

    return wedge(top_dir, (0, 1)), wedge(side_dir, (1, 0))


def convex_hull(points: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """`(M, 2)` hull vertices of `(N, 2)` points, counter-clockwise in (x right, y up) terms,
    starting from the lowest-x point (Andrew's monotone chain)."""
    pts = sorted({(float(x), float(y)) for x, y in np.asarray(points, dtype=np.float64)})
    if len(pts) <= 2:
        return np.asarray(pts, dtype=np.float64).reshape(-1, 2)

    def cross(o: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[tuple[float, float]] = []
    upper: list[tuple[float, float]] = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return np.asarray(lower[:-1] + upper[:-1], dtype=np.float64)
