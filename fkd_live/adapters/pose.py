"""Head pose from the five keypoints: `cv2.solvePnP` on the generic face of `core.pose`."""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from ..core.pose import (
    DEFAULT_FOV_DEG,
    FACE_MODEL_MM,
    HeadPose,
    camera_matrix,
    euler_from_rotation,
)

# How often each keypoint enters the least-squares fit (repetition is weighting). Mouth corners
# move with expression - a broad smile lifts them by a third of the nose-mouth distance, which a
# rigid model can only read as pitch - so the eyes and nose count for more.
POSE_WEIGHTS = (3, 3, 4, 1, 1)
_ROWS = [i for i, n in enumerate(POSE_WEIGHTS) for _ in range(n)]
_MODEL_ROWS = np.ascontiguousarray(FACE_MODEL_MM[_ROWS])


def estimate_pose(
    keypoints: npt.ArrayLike, frame_size: tuple[int, int], fov_deg: float = DEFAULT_FOV_DEG
) -> HeadPose | None:
    """Pose from `(5, 2)` keypoints (pixels) in a `(width, height)` frame seen by a camera of
    `fov_deg` horizontal field of view; None if PnP fails."""
    pts = np.ascontiguousarray(np.asarray(keypoints, dtype=np.float64).reshape(5, 1, 2))
    cam = camera_matrix(*frame_size, fov_deg)
    # Start from a frontal face at the distance its eye spacing implies: five points leave PnP
    # with several local minima, and a good start picks the physically plausible one.
    iod = float(np.linalg.norm(pts[1, 0] - pts[0, 0]))
    depth = cam[0, 0] * 64.0 / max(iod, 1.0)
    nose = pts[2, 0]
    tvec0 = np.array(
        [
            [(nose[0] - cam[0, 2]) * depth / cam[0, 0]],
            [(nose[1] - cam[1, 2]) * depth / cam[1, 1]],
            [depth],
        ]
    )
    ok, rvec, tvec = cv2.solvePnP(
        _MODEL_ROWS,
        np.ascontiguousarray(pts[_ROWS]),
        cam,
        None,
        np.zeros((3, 1)),
        tvec0,
        useExtrinsicGuess=True,
        flags=cv2.SOLVEPNP_ITERATIVE,
    )
    if not ok:
        return None
    rot, _ = cv2.Rodrigues(rvec)
    yaw, pitch, roll = euler_from_rotation(np.asarray(rot))
    translation = np.asarray(tvec, np.float64).reshape(3)
    return HeadPose(yaw, pitch, roll, np.asarray(rot, np.float64), translation, fov_deg)
