"""Head pose: the face model projected under a known pose is recovered."""

import numpy as np
import pytest

from fkd_live.adapters.pose import estimate_pose
from fkd_live.core.pose import (
    FACE_MODEL_MM,
    HeadPose,
    camera_matrix,
    euler_from_rotation,
    project,
    rotation_from_euler,
)

SIZE = (640, 480)


def synthetic(yaw, pitch, roll, t=(0.0, 0.0, 600.0)):
    r = rotation_from_euler(yaw, pitch, roll)
    return project(FACE_MODEL_MM, HeadPose(yaw, pitch, roll, r, np.array(t)), SIZE)


def test_camera_matrix():
    np.testing.assert_allclose(camera_matrix(640, 480), [[640, 0, 320], [0, 640, 240], [0, 0, 1]])


def test_frontal_face_projection_by_hand():
    pts = synthetic(0, 0, 0)
    # nose tip at depth 600 on the axis: the image centre
    np.testing.assert_allclose(pts[2], [320, 240])
    # left eye (-32, -40, 628): 320 - 640 * 32 / 628, 240 - 640 * 40 / 628
    np.testing.assert_allclose(pts[0], [320 - 640 * 32 / 628, 240 - 640 * 40 / 628])
    assert pts[0, 0] < pts[1, 0]  # image-left eye first


@pytest.mark.parametrize(
    ("yaw", "pitch", "roll"), [(0, 0, 0), (25, 0, 0), (-20, 10, 5), (0, -15, 0), (10, 5, -30)]
)
def test_pose_round_trip(yaw, pitch, roll):
    pose = estimate_pose(synthetic(yaw, pitch, roll, (30.0, -20.0, 650.0)), SIZE)
    assert pose is not None
    assert pose.yaw == pytest.approx(yaw, abs=0.5)
    assert pose.pitch == pytest.approx(pitch, abs=0.5)
    assert pose.roll == pytest.approx(roll, abs=0.5)
    np.testing.assert_allclose(pose.translation, [30.0, -20.0, 650.0], atol=2.0)


def test_sign_conventions():
    # Yaw > 0: the face turns towards the image's right: the nose moves right of the eyes.
    pts = synthetic(20, 0, 0)
    assert pts[2, 0] > (pts[0, 0] + pts[1, 0]) / 2
    # Roll > 0: clockwise on screen (y down), so the image-right eye is lower.
    pts = synthetic(0, 0, 15)
    assert pts[1, 1] > pts[0, 1]
    # Pitch > 0: the face tilts down, so the nose drops towards the mouth.
    frontal, down = synthetic(0, 0, 0), synthetic(0, 20, 0)
    assert (down[2, 1] - down[0, 1]) > (frontal[2, 1] - frontal[0, 1])


def test_the_mean_celeba_face_is_frontal():
    from fkd_live.core import CELEBA_TEMPLATE

    # The template, three times its size, in the middle of a 640x480 frame.
    pts = (np.asarray(CELEBA_TEMPLATE) - (88.0, 135.0)) * 3.0 + (320.0, 240.0)
    pose = estimate_pose(pts, SIZE)
    assert pose is not None
    assert abs(pose.yaw) < 2.0
    assert abs(pose.pitch) < 3.0
    assert abs(pose.roll) < 1.0


def test_euler_round_trip():
    r = rotation_from_euler(12.0, -7.0, 33.0)
    np.testing.assert_allclose(euler_from_rotation(r), (12.0, -7.0, 33.0), atol=1e-9)
