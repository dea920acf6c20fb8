"""The window, offscreen: results arrive by signal and are painted with their overlay.

The demo source with a scripted detector (`tests.scripted`) and the template model: no file
from ../shared is needed, so these run everywhere (the SIGTERM test runs the real app)."""

from pathlib import Path

import numpy as np
import pytest

from fkd_live.adapters.runtime import KeypointModel
from fkd_live.adapters.sources import DemoSource, SourceError
from fkd_live.api import Tracker
from fkd_live.config import RunConfig
from fkd_live.pipeline import STAGES
from tests.scripted import DemoFaceDetector

pytest.importorskip("pytestqt")


@pytest.fixture
def window_and_worker(qtbot, template_model, tmp_path):
    """A window whose worker has run the demo source for five frames."""
    from fkd_live.ui.app import make_window

    source = DemoSource(size=(320, 240))
    pipeline = Tracker.from_parts(DemoFaceDetector(source), KeypointModel(template_model))
    cfg = RunConfig(frames=5, screenshot_dir=str(tmp_path))
    window, worker = make_window(source, pipeline, cfg)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(worker.source_ended, timeout=20000):
        worker.start()
    qtbot.waitUntil(lambda: window.view._result is not None, timeout=5000)
    yield window, worker
    worker.requestInterruption()
    worker.wait()
    pipeline.close()


def test_results_reach_the_window(qtbot, window_and_worker):
    window, worker = window_and_worker
    assert worker.frames_done == 5
    result = window.view._result
    assert len(result.faces) == 1  # the demo face is found
    assert [name for name, _ in result.stage_ms] == list(STAGES)
    hud = "\n".join(window.view.hud_lines())
    assert "CPUExecutionProvider" in hud
    assert "detector: scripted demo face" in hud
    image = window.view.grab().toImage()
    assert image.width() > 0


def test_keypoints_are_drawn_and_toggle(qtbot, window_and_worker):
    window, _ = window_and_worker

    def pixels():
        from PyQt6.QtGui import QImage

        img = window.view.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
        ptr = img.constBits()
        ptr.setsize(img.sizeInBytes())
        return np.frombuffer(ptr, np.uint8).reshape(img.height(), img.bytesPerLine()).copy()

    with_points = pixels()
    assert with_points.std() > 10  # the frame itself is painted
    from PyQt6.QtCore import Qt

    qtbot.keyClick(window, Qt.Key.Key_K)
    assert not window.view.options.keypoints
    without_points = pixels()
    assert np.count_nonzero(with_points != without_points) > 50
    saved = window.save_screenshot()
    assert Path(saved).is_file()


def test_source_failure_is_reported(qtbot, template_model):
    from fkd_live.ui.worker import PipelineWorker

    class Unplugged(DemoSource):
        def read(self):
            raise SourceError("camera 0 stopped delivering frames (unplugged or in use?)")

    source = Unplugged(size=(64, 48))
    pipeline = Tracker.from_parts(DemoFaceDetector(source), KeypointModel(template_model))
    worker = PipelineWorker(source, pipeline)
    with qtbot.waitSignal(worker.failed, timeout=5000) as blocker:
        worker.start()
    worker.wait()
    pipeline.close()
    assert "unplugged" in blocker.args[0]


def test_props_switch_by_key_and_menu(qtbot, window_and_worker):
    from PyQt6.QtCore import Qt

    window, _ = window_and_worker
    shelf = window.shelf
    assert len(shelf) >= 4
    assert window.view.prop is None
    before = window.view.grab().toImage()
    qtbot.keyClick(window, Qt.Key.Key_1)
    assert window.view.prop is shelf[0]
    assert window.view.grab().toImage() != before  # the prop is drawn
    qtbot.keyClick(window, Qt.Key.Key_BracketRight)
    assert window.view.prop is shelf[1]
    qtbot.keyClick(window, Qt.Key.Key_0)
    assert window.view.prop is None
    qtbot.keyClick(window, Qt.Key.Key_BracketLeft)  # wraps round to the last prop
    assert window.view.prop is shelf[-1]
    menu_action = window._prop_actions[2]  # the menu entry of the second prop
    menu_action.trigger()
    assert window.view.prop is shelf[1]
    assert menu_action.isChecked()


def test_gaze_toggle(qtbot, window_and_worker):
    from PyQt6.QtCore import Qt

    window, _ = window_and_worker
    assert window.view.options.gaze
    qtbot.keyClick(window, Qt.Key.Key_G)
    assert not window.view.options.gaze


def test_r_records_an_mp4_of_the_annotated_frames(qtbot, window_and_worker, tmp_path):
    import cv2
    from PyQt6.QtCore import Qt

    window, _ = window_and_worker
    frame, result = window.view._frame, window.view._result
    qtbot.keyClick(window, Qt.Key.Key_R)
    assert window.recorder.active
    for _ in range(3):
        window.record(frame, result)  # as the worker does, in its thread, for every result
    assert not list(tmp_path.glob("fkd-live-*.mp4"))  # nothing under its name while recording
    qtbot.keyClick(window, Qt.Key.Key_R)
    assert not window.recorder.active
    (video,) = tmp_path.glob("fkd-live-*.mp4")
    cap = cv2.VideoCapture(str(video))
    frames = []
    while True:
        ok, img = cap.read()
        if not ok:
            break
        frames.append(img)
    assert len(frames) == 3
    assert frames[0].shape[:2] == frame.shape[:2]
    drawn = cv2.cvtColor(frames[0], cv2.COLOR_BGR2RGB).astype(int)
    assert (np.abs(drawn - frame).max(axis=2) > 60).sum() > 50  # the overlay is in the video
    assert window.view.status.startswith("saved fkd-live-")


def test_output_menu_centres_the_pose_and_toggles_the_virtual_camera(
    qtbot, monkeypatch, template_model, tmp_path
):
    """The C key makes what is sent zero at the current pose; V opens and closes the camera,
    and a camera that cannot open is a status line, not a crash."""
    import struct

    import pyvirtualcam.camera
    from PyQt6.QtCore import Qt

    from fkd_live.config import StreamConfig
    from fkd_live.streams import Streams
    from fkd_live.ui.app import make_window
    from tests.test_streams import FakeCamera, Receiver

    FakeCamera.opened = []
    monkeypatch.setattr(pyvirtualcam.camera, "BACKENDS", {})
    pyvirtualcam.camera.register_backend("fake", FakeCamera)
    receiver = Receiver()
    stream_cfg = StreamConfig(opentrack=("127.0.0.1", receiver.port))
    cfg = RunConfig(frames=3, screenshot_dir=str(tmp_path), streams=stream_cfg)
    source = DemoSource(size=(320, 240))
    streams = Streams(stream_cfg, source.size, source.fps)
    pipeline = Tracker.from_parts(DemoFaceDetector(source), KeypointModel(template_model))
    window, worker = make_window(source, pipeline, cfg, streams)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(worker.source_ended, timeout=20000):
        worker.start()
    worker.wait()
    qtbot.waitUntil(lambda: window.view._result is not None, timeout=5000)
    frame, result = window.view._frame, window.view._result
    sent = [struct.unpack("<6d", d) for d in receiver.datagrams()]
    assert len(sent) == 3
    assert sent[-1][2] > 15  # not centred yet: z is the distance in cm

    qtbot.keyClick(window, Qt.Key.Key_C)
    assert window.view.status == "head pose centred"
    streams.send(frame, result)
    (centred,) = (struct.unpack("<6d", d) for d in receiver.datagrams())
    assert centred == pytest.approx((0.0,) * 6, abs=1e-9)

    window.camera_action.trigger()
    (camera,) = FakeCamera.opened
    assert window.view.status == "virtual camera on /dev/video-fake"
    streams.send(frame, result)
    assert len(camera.frames) == 1
    assert camera.frames[0].shape == (240, 320, 3)
    window.camera_action.trigger()
    assert camera.closed
    assert window.view.status == "virtual camera off"

    class Missing:
        def __init__(self, **kw) -> None:
            raise RuntimeError("No v4l2 loopback device found at /dev/video[0-99].")

    monkeypatch.setattr(pyvirtualcam.camera, "BACKENDS", {"v4l2loopback": Missing})
    window.camera_action.trigger()
    assert window.view.status.startswith("no virtual camera found")
    assert not window.camera_action.isChecked()
    streams.close()
    receiver.sock.close()
    pipeline.close()


def test_a_busy_window_shows_the_newest_result_and_the_recording_keeps_every_frame(
    qtbot, template_model, tmp_path
):
    """The worker runs 12 frames while the GUI thread handles no events (a window too busy to
    paint): the window then shows only the newest result, skipping the others, while the
    recording, fed in the worker's thread, has all 12."""
    import cv2

    from fkd_live.ui.app import make_window

    source = DemoSource(size=(160, 120))
    pipeline = Tracker.from_parts(DemoFaceDetector(source), KeypointModel(template_model))
    window, worker = make_window(
        source, pipeline, RunConfig(frames=12, screenshot_dir=str(tmp_path))
    )
    qtbot.addWidget(window)
    shown: list[float] = []
    show = window.view.show_result
    window.view.show_result = lambda frame, result: (shown.append(result.t), show(frame, result))
    window.record_action.trigger()  # R (the menu entry: no event loop ran to focus the window)
    assert window.recorder.active
    worker.start()
    assert worker.wait(20000)  # no event handled meanwhile: the results wait in the mailbox
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    assert shown == [11 / source.fps]  # the newest only
    assert worker.latest.skipped == 11
    window.record_action.trigger()
    (video,) = tmp_path.glob("fkd-live-*.mp4")
    assert int(cv2.VideoCapture(str(video)).get(cv2.CAP_PROP_FRAME_COUNT)) == 12
    assert window.recorder.dropped == 0
    pipeline.close()


def test_sigterm_closes_the_window_as_its_close_button(template_model):
    """A service manager's SIGTERM (or Ctrl+C) ends the window mode cleanly: exit 0, not
    killed by the signal. Offscreen, in a child process; sent once the window is open. The
    real app with OpenCV's Haar detector (`--no-download`), so no file from ../shared."""
    import os
    import signal
    import subprocess
    import sys

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    command = [sys.executable, "-m", "fkd_live", "--demo", "-v", "--model", str(template_model)]
    command += ["--no-download"]
    child = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert child.stderr is not None
        for line in child.stderr:  # blocks until the child logs; ends if it exits
            if "window open" in line:
                break
        child.send_signal(signal.SIGTERM)
        child.communicate(timeout=30)
    finally:
        child.kill()
    assert child.returncode == 0


def test_a_recording_folder_that_cannot_be_made_is_a_status_line(qtbot, template_model, tmp_path):
    from fkd_live.ui.app import make_window

    (tmp_path / "taken").write_text("a file where the folder should be")
    source = DemoSource(size=(160, 120))
    pipeline = Tracker.from_parts(DemoFaceDetector(source), KeypointModel(template_model))
    cfg = RunConfig(frames=1, screenshot_dir=str(tmp_path / "taken" / "shots"))
    window, _ = make_window(source, pipeline, cfg)
    qtbot.addWidget(window)
    window.record_action.trigger()
    assert not window.recorder.active
    assert not window.record_action.isChecked()
    assert window.view.status == "recording failed"
    window.save_screenshot()
    assert window.view.status == "screenshot failed"
    pipeline.close()
