"""The head pose as other apps read it: opentrack's UDP packet and VMC's Unity quaternion.

One convention for every output: the six numbers of a frame's JSON `pose` (`HeadPose.to_json`),
yaw / pitch / roll in degrees and x / y / z in centimetres, in the camera frame of `core.pose`
(x image-right, y down, z away from the camera; yaw > 0 turns the face towards the image's right,
pitch > 0 tilts it down, roll > 0 turns it clockwise on screen).

A stored *neutral* pose (the centre key) makes what is sent relative to it: the rotation since
the neutral head's own frame (R0^T R) and the position moved since it. The JSON never changes.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .faces import Face, FrameResult
from .pose import POSE_FIELDS, HeadPose, euler_from_rotation, rotation_from_euler

# opentrack's "UDP over network" input: six little-endian doubles, x y z (cm), yaw pitch roll.
OPENTRACK_FORMAT = "<6d"
OPENTRACK_PORT = 4242
VMC_PORT = 39539


@dataclass(frozen=True)
class SentPose:
    """A head pose as sent: degrees and centimetres (see the module docstring)."""

    yaw: float
    pitch: float
    roll: float
    x: float
    y: float
    z: float

    @classmethod
    def of(cls, pose: HeadPose) -> SentPose:
        """Exactly the values of the pose's JSON (rounded to 0.01)."""
        values = pose.to_json()
        return cls(*(values[name] for name in POSE_FIELDS))

    @property
    def rotation(self) -> npt.NDArray[np.float64]:
        """`(3, 3)` model-to-camera rotation of these angles."""
        return rotation_from_euler(self.yaw, self.pitch, self.roll)

    def relative_to(self, neutral: SentPose | None) -> SentPose:
        """This pose seen from `neutral` (itself when there is none)."""
        if neutral is None:
            return self
        yaw, pitch, roll = euler_from_rotation(neutral.rotation.T @ self.rotation)
        return SentPose(
            yaw, pitch, roll, self.x - neutral.x, self.y - neutral.y, self.z - neutral.z
        )


def first_face(result: FrameResult) -> Face | None:
    """The face outputs follow: the lowest id of the frame (the longest tracked)."""
    return min(result.faces, key=lambda f: f.id, default=None)


def opentrack_packet(pose: SentPose) -> bytes:
    """The 48-byte datagram opentrack's UDP input reads: x, y, z, yaw, pitch, roll."""
    return struct.pack(OPENTRACK_FORMAT, pose.x, pose.y, pose.z, pose.yaw, pose.pitch, pose.roll)


def quaternion(rotation: npt.ArrayLike) -> tuple[float, float, float, float]:
    """`(x, y, z, w)` unit quaternion of a `(3, 3)` rotation matrix, with w >= 0."""
    r = np.asarray(rotation, dtype=np.float64)
    # Shepperd's method: divide by the largest of the four candidates, which is never small.
    trace = float(r[0, 0] + r[1, 1] + r[2, 2])
    candidates = (trace, float(r[0, 0]), float(r[1, 1]), float(r[2, 2]))
    k = int(np.argmax(candidates))
    if k == 0:
        s = 2.0 * math.sqrt(1.0 + trace)
        q = ((r[2, 1] - r[1, 2]) / s, (r[0, 2] - r[2, 0]) / s, (r[1, 0] - r[0, 1]) / s, s / 4)
    elif k == 1:
        s = 2.0 * math.sqrt(1.0 + r[0, 0] - r[1, 1] - r[2, 2])
        q = (s / 4, (r[0, 1] + r[1, 0]) / s, (r[0, 2] + r[2, 0]) / s, (r[2, 1] - r[1, 2]) / s)
    elif k == 2:
        s = 2.0 * math.sqrt(1.0 + r[1, 1] - r[0, 0] - r[2, 2])
        q = ((r[0, 1] + r[1, 0]) / s, s / 4, (r[1, 2] + r[2, 1]) / s, (r[0, 2] - r[2, 0]) / s)
    else:
        s = 2.0 * math.sqrt(1.0 + r[2, 2] - r[0, 0] - r[1, 1])
        q = ((r[0, 2] + r[2, 0]) / s, (r[1, 2] + r[2, 1]) / s, s / 4, (r[1, 0] - r[0, 1]) / s)
    v = np.asarray(q, dtype=np.float64)
    v /= np.linalg.norm(v)
    if v[3] < 0:
        v = -v
    return float(v[0]), float(v[1]), float(v[2]), float(v[3])


def unity_head(
    pose: SentPose, neutral: SentPose | None
) -> tuple[tuple[float, float, float], tuple[float, float, float, float]]:
    """The head as VMC's `/VMC/Ext/Bone/Pos "Head"` carries it: position (metres) and rotation
    (quaternion x, y, z, w) in Unity's left-handed avatar axes, x to the avatar's right, y up,
    z forward (out of its face). The avatar is the user, not their mirror image: turning your
    head to your right turns its head to its right.

    Our camera axes (x image-right = your left, y down, z away from the camera = your back) are
    each the negative of the avatar's, so the basis change is -I: a rotation keeps its matrix,
    hence its quaternion, and a displacement changes sign. The position is the head's move
    since the neutral pose, zero while none is stored (a bone's position is relative to its
    rest, and the camera-relative position is not one)."""
    moved = pose.relative_to(neutral)
    if neutral is None:
        position = (0.0, 0.0, 0.0)
    else:
        position = (-moved.x / 100.0, -moved.y / 100.0, -moved.z / 100.0)
    return position, quaternion(moved.rotation)
