"""The capture thread: reads a source, runs the pipeline, hands results to Qt by signal only."""

from __future__ import annotations

import logging
import time

from PyQt6.QtCore import QThread, pyqtSignal

from ..adapters.sources import FrameSource, SourceError
from ..pipeline import Pipeline

log = logging.getLogger(__name__)


class PipelineWorker(QThread):
    """Runs `source -> pipeline` until the source ends, `max_frames` is reached or it is stopped.

    A live camera is read as fast as it delivers (its one-frame buffer drops stale frames); files
    and the demo are paced at their own frame rate so they play in real time.
    """

    result_ready = pyqtSignal(object, object)  # (frame RGB ndarray, FrameResult)
    failed = pyqtSignal(str)
    source_ended = pyqtSignal()

    def __init__(self, source: FrameSource, pipeline: Pipeline, max_frames: int = 0) -> None:
        super().__init__()
        self.source, self.pipeline, self.max_frames = source, pipeline, max_frames
        self.frames_done = 0

    def run(self) -> None:
        start = time.perf_counter()
        first_t: float | None = None
        try:
            while not self.isInterruptionRequested():
                if self.max_frames and self.frames_done >= self.max_frames:
                    break
                item = self.source.read()
                if item is None:
                    break
                frame, t = item
                if not self.source.live:
                    first_t = t if first_t is None else first_t
                    delay = (t - first_t) - (time.perf_counter() - start)
                    if delay > 0:
                        self.msleep(int(delay * 1000))
                result = self.pipeline.process(frame, t)
                self.frames_done += 1
                self.result_ready.emit(frame, result)
        except SourceError as exc:
            log.error("%s", exc)
            self.failed.emit(str(exc))
            return
        self.source_ended.emit()
