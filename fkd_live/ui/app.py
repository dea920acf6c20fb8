"""The Qt event loop around the pipeline worker and the main window."""

from __future__ import annotations

import logging
import os
import signal
import sys
from pathlib import Path

from PyQt6.QtCore import QTimer
from PyQt6.QtWidgets import QApplication

from ..adapters.sources import FrameSource
from ..api import Tracker
from ..config import RunConfig
from ..display import forget_opencv_qt
from ..messages import print_error
from ..stopping import stop_signals
from ..streams import Streams
from .props import find_prop, load_shelf
from .window import MainWindow
from .worker import PipelineWorker

log = logging.getLogger(__name__)


def make_window(
    source: FrameSource, tracker: Tracker, cfg: RunConfig, streams: Streams | None = None
) -> tuple[MainWindow, PipelineWorker]:
    """The window and its (not yet started) worker, connected."""
    info = [
        f"source: {source.name}",
        f"model: {tracker.model.path.name} on {tracker.provider}",
        f"detector: {tracker.detector.name}",
    ]
    shelf = load_shelf(Path(cfg.props_dir) if cfg.props_dir else None)
    first = find_prop(shelf, cfg.prop)
    window = MainWindow(
        "fkd-live", info, Path(cfg.screenshot_dir), shelf, cfg.overlay, source.fps or 30.0,
        streams,
    )  # fmt: skip
    window.select_prop(first)
    worker = PipelineWorker(source, tracker, cfg.frames, streams)
    window.follow(worker)
    return window, worker


def run_qt(source: FrameSource, tracker: Tracker, cfg: RunConfig, streams: Streams) -> int:
    """Run the window until it is closed, the source fails, or `cfg.frames` are done."""
    forget_opencv_qt(os.environ)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    window, worker = make_window(source, tracker, cfg, streams)
    errors: list[str] = []

    def finish() -> None:
        window.close()  # as the close button: a recording in progress is finished, not lost
        app.quit()

    def on_failed(message: str) -> None:
        errors.append(message)
        finish()

    def on_ended() -> None:
        window.view.status = "source ended"
        window.view.update()
        if cfg.frames:
            finish()

    worker.failed.connect(on_failed)
    worker.source_ended.connect(on_ended)
    window.show()
    worker.start()
    # Ctrl+C and SIGTERM close the window as its close button does. Python runs signal
    # handlers only between its own bytecodes, so a timer wakes it now and then; the handler
    # queues the closing for the event loop (a quit() before exec() starts would be lost).
    stopping = (signal.SIGINT, signal.SIGTERM)
    wake = QTimer()
    wake.timeout.connect(lambda: None)
    wake.start(200)
    try:
        with stop_signals(lambda signum, frame: QTimer.singleShot(0, finish), stopping):
            log.info("window open (Ctrl+C or SIGTERM closes it)")
            app.exec()
    finally:
        wake.stop()
        worker.requestInterruption()
        worker.wait()
    if errors:
        print_error(errors[0])
        return 2
    return 0
