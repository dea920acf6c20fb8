"""The field-of-view cone: geometry by hand, and the convex hull."""

import numpy as np

from fkd_live.core.gaze import EYES_MID_MM, convex_hull, gaze_cone, view_wedges
from fkd_live.core.pose import HeadPose, rotation_from_euler


def pose(yaw=0.0, pitch=0.0, z=600.0):
    return HeadPose(yaw, pitch, 0.0, rotation_from_euler(yaw, pitch, 0.0), np.array([0.0, 0.0, z]))


def test_a_frontal_face_gives_a_circle_centred_on_the_eyes():
    apex, rim = gaze_cone(pose(), (640, 480), length_mm=150.0, half_angle_deg=45.0, segments=4)
    # Eyes' midpoint (0, -40, 28) mm at depth 628 with f = 640, centre (320, 240).
    np.testing.assert_allclose(apex, [320.0, 240.0 - 640.0 * 40.0 / 628.0], atol=1e-9)
    # The base 150 mm nearer (depth 478), radius 150 mm: rim points at +-150 mm around it.
    cx, cy = 320.0, 240.0 - 640.0 * 40.0 / 478.0
    r = 640.0 * 150.0 / 478.0
    np.testing.assert_allclose(
        rim, [[cx + r, cy], [cx, cy + r], [cx - r, cy], [cx, cy - r]], atol=1e-9
    )


def test_the_cone_turns_with_yaw():
    apex, rim = gaze_cone(pose(yaw=30.0), (640, 480))
    assert rim.mean(axis=0)[0] > apex[0] + 20  # yaw > 0 looks towards the image's right
    apex, rim = gaze_cone(pose(yaw=-30.0), (640, 480))
    assert rim.mean(axis=0)[0] < apex[0] - 20


def test_the_cone_stops_in_front_of_the_camera():
    close = pose(z=100.0)  # eyes 128 mm away: the base may come no nearer than 40% of that
    _, rim = gaze_cone(close, (640, 480), length_mm=500.0, half_angle_deg=10.0, segments=8)
    assert np.isfinite(rim).all()
    behind = HeadPose(0, 0, 0, np.eye(3), np.array([0.0, 0.0, -50.0]))
    assert gaze_cone(behind, (640, 480)) is None
    assert EYES_MID_MM[2] == 28.0


def test_convex_hull_drops_inner_points():
    pts = [[0, 0], [2, 0], [2, 2], [0, 2], [1, 1], [1, 0]]
    np.testing.assert_allclose(convex_hull(pts), [[0, 0], [2, 0], [2, 2], [0, 2]])
    np.testing.assert_allclose(convex_hull([[1, 1], [1, 1]]), [[1, 1]])


def test_view_wedges_by_hand():
    # Frontal: straight at the camera, down in the top view and right in the side view,
    # 30 degrees either side: edge ends (-+sin 30, cos 30) and (cos 30, -+sin 30).
    top, side = view_wedges(pose(), half_angle_deg=30.0)
    np.testing.assert_allclose(top, [[0, 0], [-0.5, 0.75**0.5], [0.5, 0.75**0.5]], atol=1e-12)
    np.testing.assert_allclose(side, [[0, 0], [0.75**0.5, -0.5], [0.75**0.5, 0.5]], atol=1e-12)
    # Turned 30 degrees to the image's right: the top view's edges at 0 and 60 degrees, the
    # side view unchanged (no pitch).
    top, side = view_wedges(pose(yaw=30.0), half_angle_deg=30.0)
    np.testing.assert_allclose(top, [[0, 0], [0.0, 1.0], [0.75**0.5, 0.5]], atol=1e-12)
    np.testing.assert_allclose(side, [[0, 0], [0.75**0.5, -0.5], [0.75**0.5, 0.5]], atol=1e-12)
    # Pitched by 20 (the face's direction tips towards the image's bottom): the side view
    # turns by 20 degrees (edges at -10 and 50), the top view is unchanged.
    top, side = view_wedges(pose(pitch=20.0), half_angle_deg=30.0)
    rad = np.radians([-10.0, 50.0])
    np.testing.assert_allclose(side[1:], np.stack([np.cos(rad), np.sin(rad)], 1), atol=1e-12)
    np.testing.assert_allclose(top, [[0, 0], [-0.5, 0.75**0.5], [0.5, 0.75**0.5]], atol=1e-12)
