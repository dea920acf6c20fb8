"""Head pose geometry: a generic 3-D five-point face, the camera, Euler angles, projection.

Axes: x to the image's right, y down, z away from the camera (OpenCV's camera frame). The face
model is in millimetres with the nose tip at the origin, facing the camera (-z). Angles in degrees:
yaw > 0 turns the face towards the image's right, pitch > 0 tilts it down, roll > 0 turns it
clockwise on screen.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

# A generic adult face (mm), contract order: image-left eye, image-right eye, nose tip,
# image-left mouth corner, image-right mouth corner. Seen from the front it is CelebA's mean
# template scaled to a 64 mm eye distance (1.671 mm per template pixel), so an average frontal
# face reads as zero pitch; eyes and mouth lie behind the nose tip.
FACE_MODEL_MM = np.array(
    [
        [-32.0, -40.0, 28.0],
        [32.0, -40.0, 28.0],
        [0.0, 0.0, 0.0],
        [-28.7, 28.4, 22.0],
        [28.7, 28.4, 22.0],
    ],
    dtype=np.float64,
)


@dataclass(frozen=True)
class HeadPose:
    yaw: float
    pitch: float
    roll: float
    rotation: npt.NDArray[np.float64]  # (3, 3) model-to-camera rotation
    translation: npt.NDArray[np.float64]  # (3,) nose tip in camera coordinates, mm

    def to_json(self) -> dict[str, float]:
        return {
            "yaw": round(self.yaw, 2),
            "pitch": round(self.pitch, 2),
            "roll": round(self.roll, 2),
        }


def camera_matrix(width: int, height: int) -> npt.NDArray[np.float64]:
    """A pinhole camera for a frame: focal length = frame width (about a 53 degree horizontal
    field of view, typical of webcams), principal point at the centre."""
    f = float(width)
    return np.array([[f, 0.0, width / 2.0], [0.0, f, height / 2.0], [0.0, 0.0, 1.0]])


def euler_from_rotation(r: npt.NDArray[np.float64]) -> tuple[float, float, float]:
    """(yaw, pitch, roll) degrees of R = Rz(roll) @ Ry(yaw) @ Rx(pitch) (see module docstring)."""
    yaw = math.degrees(math.asin(float(np.clip(-r[2, 0], -1.0, 1.0))))
    pitch = math.degrees(math.atan2(float(r[2, 1]), float(r[2, 2])))
    roll = math.degrees(math.atan2(float(r[1, 0]), float(r[0, 0])))
    return -yaw, pitch, roll


def rotation_from_euler(yaw: float, pitch: float, roll: float) -> npt.NDArray[np.float64]:
    """Inverse of `euler_from_rotation`."""
    y, p, r = (math.radians(v) for v in (-yaw, pitch, roll))
    rx = np.array([[1, 0, 0], [0, math.cos(p), -math.sin(p)], [0, math.sin(p), math.cos(p)]])
    ry = np.array([[math.cos(y), 0, math.sin(y)], [0, 1, 0], [-math.sin(y), 0, math.cos(y)]])
    rz = np.array([[math.cos(r), -math.sin(r), 0], [math.sin(r), math.cos(r), 0], [0, 0, 1]])
    out: npt.NDArray[np.float64] = rz @ ry @ rx
    return out


def project(
    points_mm: npt.ArrayLike, pose: HeadPose, frame_size: tuple[int, int]
) -> npt.NDArray[np.float64]:
    """`(N, 3)` face-model points (mm) to `(N, 2)` pixels under a pose."""
    cam = camera_matrix(*frame_size)
    cam_pts = np.asarray(points_mm, dtype=np.float64) @ pose.rotation.T + pose.translation
    uv = cam_pts @ cam.T
    out: npt.NDArray[np.float64] = uv[:, :2] / uv[:, 2:3]
    return out
