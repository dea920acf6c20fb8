"""The window, offscreen: results arrive by signal and are painted with their overlay."""

from pathlib import Path

import numpy as np
import pytest

from fkd_live.adapters.detector import make_detector
from fkd_live.adapters.runtime import KeypointModel
from fkd_live.adapters.sources import DemoSource, SourceError
from fkd_live.config import RunConfig
from fkd_live.pipeline import Pipeline

pytest.importorskip("pytestqt")


@pytest.fixture
def window_and_worker(qtbot, template_model, detector_model, tmp_path):
    """A window whose worker has run the demo source for five frames."""
    from fkd_live.ui.app import make_window

    pipeline = Pipeline(make_detector(str(detector_model)), KeypointModel(template_model))
    cfg = RunConfig(frames=5, screenshot_dir=str(tmp_path))
    window, worker = make_window(DemoSource(size=(320, 240)), pipeline, cfg)
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
    assert [name for name, _ in result.stage_ms] == ["detect", "align", "keypoints", "smooth+pose"]
    hud = "\n".join(window.view.hud_lines())
    assert "CPUExecutionProvider" in hud
    assert "detector: blazeface" in hud
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


def test_source_failure_is_reported(qtbot, template_model, detector_model):
    from fkd_live.ui.worker import PipelineWorker

    class Unplugged(DemoSource):
        def read(self):
            raise SourceError("camera 0 stopped delivering frames (unplugged or in use?)")

    pipeline = Pipeline(make_detector(str(detector_model)), KeypointModel(template_model))
    worker = PipelineWorker(Unplugged(size=(64, 48)), pipeline)
    with qtbot.waitSignal(worker.failed, timeout=5000) as blocker:
        worker.start()
    worker.wait()
    pipeline.close()
    assert "unplugged" in blocker.args[0]
