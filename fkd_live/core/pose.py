"""Head pose geometry: a generic 3-D five-point face, the camera, Euler angles, projection.

Axes: x to the image's right, y down, z away from the camera (OpenCV's camera frame). The face
model is in millimetres with the nose tip at the origin, facing the camera (-z). Angles in degrees:
yaw > 0 turns the face towards the image's right, pitch > 0 tilts it down, roll > 0 turns it
clockwise on screen. Position is the nose tip's, in the camera frame.

Distances need a metric face (a 64 mm eye distance, below) and a focal length, which comes from
the camera's horizontal field of view: `DEFAULT_FOV_DEG` (53.13 degrees, focal length = frame
width) is typical of laptop webcams; `--fov` sets the real one.
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


# The six numbers of a pose as every output gives them: degrees, then centimetres.
POSE_FIELDS = ("yaw", "pitch", "roll", "x", "y", "z")

# The horizontal field of view whose focal length is the frame's width: 2 atan(1/2).
DEFAULT_FOV_DEG = math.degrees(2.0 * math.atan(0.5))


@dataclass(frozen=True)
class HeadPose:
    yaw: float
    pitch: float
    roll: float
    rotation: npt.NDArray[np.float64]  # (3, 3) model-to-camera rotation
    translation: npt.NDArray[np.float64]  # (3,) nose tip in camera coordinates, mm
    fov: float = DEFAULT_FOV_DEG  # horizontal field of view (degrees) of the camera assumed

    @property
    def x(self) -> float:
        """Centimetres to the right of the camera's axis (image right)."""
        return float(self.translation[0]) / 10.0

    @property
    def y(self) -> float:
        """Centimetres below the camera's axis (image down)."""
        return float(self.translation[1]) / 10.0

    @property
    def z(self) -> float:
        """Centimetres from the camera, along its axis (positive in front of it)."""
        return float(self.translation[2]) / 10.0

    def to_json(self) -> dict[str, float]:
        """`{"yaw", "pitch", "roll"}` degrees and `{"x", "y", "z"}` centimetres, rounded to
        0.01: the values every output (JSON lines, opentrack, VMC) sends."""
        values = (self.yaw, self.pitch, self.roll, self.x, self.y, self.z)
        return {k: round(v, 2) for k, v in zip(POSE_FIELDS, values, strict=True)}


def focal_length(width: int, fov_deg: float = DEFAULT_FOV_DEG) -> float:
    """Pixels: the pinhole focal length that spans `fov_deg` across `width` pixels."""
    if not 0.0 < fov_deg < 180.0:
        raise ValueError(f"field of view must be between 0 and 180 degrees, got {fov_deg}")
    return (width / 2.0) / math.tan(math.radians(fov_deg) / 2.0)


def camera_matrix(
    width: int, height: int, fov_deg: float = DEFAULT_FOV_DEG
) -> npt.NDArray[np.float64]:
    """A pinhole camera for a frame: the focal length of a `fov_deg` horizontal field of view
    (by default the frame's width, about 53 degrees, typical of webcams), square pixels,
    principal point at the centre."""
    f = focal_length(width, fov_deg)
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
    cam = camera_matrix(*frame_size, pose.fov)
    cam_pts = np.asarray(points_mm, dtype=np.float64) @ pose.rotation.T + pose.translation
    uv = cam_pts @ cam.T
    out: npt.NDArray[np.float64] = uv[:, :2] / uv[:, 2:3]
    return out
