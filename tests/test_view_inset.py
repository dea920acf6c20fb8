"""The gaze inset beside a face: drawn inside the frame, and it shows which way the face turns."""

import numpy as np
import pytest

pytest.importorskip("PyQt6")

from fkd_live.config import OverlayOptions
from fkd_live.core.faces import Face, FrameResult
from fkd_live.core.pose import HeadPose, rotation_from_euler

ONLY_GAZE = OverlayOptions(keypoints=False, pose=False, boxes=False, hud=False, gaze=True)


def drawn(box, yaw=0.0, pitch=0.0, size=(320, 240)):
    from fkd_live.ui.render import ensure_gui_app, render

    ensure_gui_app()
    # Behind the camera: no cone over the face (`gaze_cone` is None), only the inset, which
    # reads the rotation alone.
    behind = np.array([0.0, 0.0, -600.0])
    pose = HeadPose(yaw, pitch, 0.0, rotation_from_euler(yaw, pitch, 0.0), behind)
    face = Face(box, 1.0, np.zeros((5, 2), np.float32), pose, 1)
    frame = np.zeros((size[1], size[0], 3), np.uint8)
    return render(frame, FrameResult(t=0.0, faces=(face,), stage_ms=(), detected=True), ONLY_GAZE)


def test_the_inset_sits_right_of_the_face_or_left_of_it_at_the_frame_edge():
    # A 100 px face: 48 px panels (the smallest), right of the box when there is room.
    image = drawn((40.0, 20.0, 100.0, 100.0))
    ink = image.max(axis=2) > 0
    assert ink[20:120, 146:194].any()
    assert not ink[:, 200:].any()
    # At the frame's right edge: on the face's left instead.
    image = drawn((210.0, 20.0, 100.0, 100.0))
    ink = image.max(axis=2) > 0
    assert ink[20:120, 156:204].any()
    assert not ink[:, :150].any()


def test_turning_the_face_turns_the_top_view_and_not_the_side_view():
    box = (40.0, 20.0, 100.0, 100.0)
    top, side = np.s_[20:68, 146:194], np.s_[72:120, 146:194]
    left, right = drawn(box, yaw=-30.0), drawn(box, yaw=30.0)
    assert np.abs(left[top].astype(int) - right[top]).sum() > 1000
    # Seen from the side, turning left or right looks the same.
    np.testing.assert_array_equal(left[side], right[side])


def test_a_window_can_open_after_offscreen_drawing():
    """Drawing first (a library caller, `image -o`) must not keep a window from opening
    later in the same process: Qt allows one application, and widgets need a QApplication."""
    import subprocess
    import sys

    code = (
        "import numpy as np\n"
        "from fkd_live.ui.render import draw_still\n"
        "from fkd_live.core.faces import FrameResult\n"
        "draw_still(np.zeros((8, 8, 3), np.uint8), FrameResult(0.0, (), (), True))\n"
        "from PyQt6.QtWidgets import QWidget\n"
        "QWidget()\n"
        "print('ok')\n"
    )
    import os

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr[-500:]
    assert out.stdout.strip() == "ok"
