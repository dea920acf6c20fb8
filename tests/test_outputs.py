"""What other apps receive, by hand-computed numbers: opentrack's packet, VMC's quaternion and
Unity axes, the neutral pose, the field of view."""

import math
import struct

import numpy as np
import pytest

from fkd_live.core.faces import Face, FrameResult
from fkd_live.core.outputs import (
    SentPose,
    first_face,
    opentrack_packet,
    quaternion,
    unity_head,
)
from fkd_live.core.pose import (
    DEFAULT_FOV_DEG,
    HeadPose,
    camera_matrix,
    focal_length,
    rotation_from_euler,
)

S45 = math.sqrt(0.5)


def matrix_of(q: tuple[float, float, float, float]) -> np.ndarray:
    """The rotation matrix of a unit quaternion (x, y, z, w), the textbook formula."""
    x, y, z, w = q
    return np.array(
        [
            [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
            [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
            [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
        ]
    )


@pytest.mark.parametrize(
    ("rotation", "expected"),
    [
        (np.eye(3), (0.0, 0.0, 0.0, 1.0)),
        ([[0, -1, 0], [1, 0, 0], [0, 0, 1]], (0.0, 0.0, S45, S45)),  # +90 deg about z
        ([[0, 1, 0], [-1, 0, 0], [0, 0, 1]], (0.0, 0.0, -S45, S45)),  # -90: w stays >= 0
        (np.diag([1.0, -1.0, -1.0]), (1.0, 0.0, 0.0, 0.0)),  # 180 deg about x
        (np.diag([-1.0, 1.0, -1.0]), (0.0, 1.0, 0.0, 0.0)),  # 180 deg about y
        (np.diag([-1.0, -1.0, 1.0]), (0.0, 0.0, 1.0, 0.0)),  # 180 deg about z
    ],
)
def test_quaternion_by_hand(rotation, expected):
    assert quaternion(rotation) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(
    "angles", [(30, 0, 0), (0, -20, 0), (0, 0, 170), (-60, 45, -120), (89, 10, 5)]
)
def test_quaternion_is_the_same_rotation(angles):
    r = rotation_from_euler(*angles)
    q = quaternion(r)
    assert math.fsum(v * v for v in q) == pytest.approx(1.0, abs=1e-12)
    assert q[3] >= 0
    np.testing.assert_allclose(matrix_of(q), r, atol=1e-12)


def test_opentrack_packet_is_six_little_endian_doubles_xyz_then_angles():
    pose = SentPose(yaw=10.0, pitch=-5.0, roll=2.5, x=1.0, y=-2.0, z=60.0)
    packet = opentrack_packet(pose)
    assert len(packet) == 48
    assert packet[:8] == b"\x00\x00\x00\x00\x00\x00\xf0\x3f"  # 1.0 as a little-endian double
    assert struct.unpack("<6d", packet) == (1.0, -2.0, 60.0, 10.0, -5.0, 2.5)


def test_sent_pose_is_the_json_pose():
    translation = np.array([12.345, -6.789, 612.3456])  # mm
    pose = HeadPose(1.234, -5.678, 9.995, rotation_from_euler(1.234, -5.678, 9.995), translation)
    sent = SentPose.of(pose)
    assert sent == SentPose(yaw=1.23, pitch=-5.68, roll=9.99, x=1.23, y=-0.68, z=61.23)
    assert pose.to_json() == {
        "yaw": 1.23,
        "pitch": -5.68,
        "roll": 9.99,
        "x": 1.23,
        "y": -0.68,
        "z": 61.23,
    }


def test_relative_to_a_neutral_pose():
    neutral = SentPose(yaw=10.0, pitch=0.0, roll=0.0, x=1.0, y=2.0, z=50.0)
    pose = SentPose(yaw=30.0, pitch=0.0, roll=0.0, x=3.0, y=2.0, z=40.0)
    moved = pose.relative_to(neutral)
    assert (moved.yaw, moved.pitch, moved.roll) == pytest.approx((20.0, 0.0, 0.0), abs=1e-9)
    assert (moved.x, moved.y, moved.z) == (2.0, 0.0, -10.0)
    assert pose.relative_to(None) is pose
    still = neutral.relative_to(neutral)
    assert (still.yaw, still.pitch, still.roll, still.x, still.y, still.z) == pytest.approx(
        (0, 0, 0, 0, 0, 0), abs=1e-9
    )


def test_relative_rotation_is_composed_not_subtracted():
    """With the head rolled 90 degrees as neutral, a further yaw of the head reads as yaw in the
    head's own frame, where subtracting angles would call it pitch-and-yaw mixed."""
    neutral = SentPose(yaw=0.0, pitch=0.0, roll=90.0, x=0.0, y=0.0, z=50.0)
    r = rotation_from_euler(0, 0, 90) @ rotation_from_euler(25, 0, 0)
    from fkd_live.core.pose import euler_from_rotation

    yaw, pitch, roll = euler_from_rotation(r)
    moved = SentPose(yaw, pitch, roll, 0.0, 0.0, 50.0).relative_to(neutral)
    assert (moved.yaw, moved.pitch, moved.roll) == pytest.approx((25.0, 0.0, 0.0), abs=1e-9)


def forward_in_unity(q: tuple[float, float, float, float]) -> np.ndarray:
    """Where an avatar looking along Unity's +z looks after rotation q."""
    forward: np.ndarray = matrix_of(q) @ np.array([0.0, 0.0, 1.0])
    return forward


def test_unity_head_turns_the_avatar_as_the_user():
    # yaw +30: the face turns towards the image's right, which is the user's own left
    # (the camera faces them); the avatar turns to its left, Unity's -x.
    position, q = unity_head(SentPose(30.0, 0.0, 0.0, 5.0, 0.0, 60.0), None)
    assert position == (0.0, 0.0, 0.0)  # no neutral: the bone stays at rest
    np.testing.assert_allclose(forward_in_unity(q), [-0.5, 0.0, math.sqrt(3) / 2], atol=1e-12)
    # pitch +30 tilts the face down: the avatar looks down, Unity's -y.
    _, q = unity_head(SentPose(0.0, 30.0, 0.0, 0.0, 0.0, 60.0), None)
    np.testing.assert_allclose(forward_in_unity(q), [0.0, -0.5, math.sqrt(3) / 2], atol=1e-12)


def test_unity_head_position_is_the_move_since_neutral_in_metres():
    neutral = SentPose(0.0, 0.0, 0.0, 1.0, 2.0, 50.0)
    # 2 cm to the image's right (the user's left), 3 cm down, 10 cm closer to the camera
    position, q = unity_head(SentPose(0.0, 0.0, 0.0, 3.0, 5.0, 40.0), neutral)
    assert position == pytest.approx((-0.02, -0.03, 0.10), abs=1e-12)
    assert q == pytest.approx((0.0, 0.0, 0.0, 1.0), abs=1e-12)


def face(face_id: int, yaw: float) -> Face:
    pose = HeadPose(yaw, 0.0, 0.0, rotation_from_euler(yaw, 0, 0), np.array([0.0, 0.0, 500.0]))
    return Face((0, 0, 10, 10), 0.9, np.zeros((5, 2), np.float32), pose, face_id)


def test_first_face_is_the_lowest_id():
    result = FrameResult(faces=(face(7, 1.0), face(3, 2.0)), t=0.0, stage_ms=(), detected=True)
    chosen = first_face(result)
    assert chosen is not None
    assert chosen.id == 3
    assert first_face(FrameResult(faces=(), t=0.0, stage_ms=(), detected=True)) is None


def test_field_of_view_sets_the_focal_length():
    assert pytest.approx(53.130102354, abs=1e-9) == DEFAULT_FOV_DEG
    assert focal_length(640) == pytest.approx(640.0, abs=1e-9)  # the default: f = width
    assert focal_length(640, 90.0) == pytest.approx(320.0, abs=1e-9)
    assert focal_length(1280, 60.0) == pytest.approx(640.0 * math.sqrt(3), abs=1e-9)
    np.testing.assert_allclose(
        camera_matrix(640, 480, 90.0), [[320, 0, 320], [0, 320, 240], [0, 0, 1]]
    )
    with pytest.raises(ValueError, match="between 0 and 180"):
        focal_length(640, 180.0)
