"""The capture thread: reads a source, runs the pipeline, hands results to Qt by signal only."""

from __future__ import annotations

import logging

from PyQt6.QtCore import QThread, pyqtSignal

from ..adapters.sources import FrameSource, SourceError
from ..adapters.virtual_camera import VirtualCameraError
from ..api import Tracker
from ..pacing import Pacer
from ..streams import Streams

log = logging.getLogger(__name__)


class PipelineWorker(QThread):
    """Runs `source -> pipeline` until the source ends, `max_frames` is reached or it is stopped.

    A live camera is read as fast as it delivers (its one-frame buffer drops stale frames); files
    and the demo are paced at their own frame rate so they play in real time.
    """

    result_ready = pyqtSignal(object, object)  # (frame RGB ndarray, FrameResult)
    failed = pyqtSignal(str)
    source_ended = pyqtSignal()

    def __init__(
        self,
        source: FrameSource,
        tracker: Tracker,
        max_frames: int = 0,
        streams: Streams | None = None,
    ) -> None:
        super().__init__()
        self.source, self.tracker, self.max_frames = source, tracker, max_frames
        self.streams = streams
        self.frames_done = 0

    def run(self) -> None:
        pacer = Pacer()
        try:
            while not self.isInterruptionRequested():
                if self.max_frames and self.frames_done >= self.max_frames:
                    break
                item = self.source.read()
                if item is None:
                    break
                frame, t = item
                if not self.source.live:
                    pacer.wait(t)
                result = self.tracker.process(frame, t)
                if self.streams is not None:
                    self.streams.send(frame, result)  # before the GUI: least latency
                self.frames_done += 1
                self.result_ready.emit(frame, result)
        except (SourceError, VirtualCameraError) as exc:
            log.error("%s", exc)
            self.failed.emit(str(exc))
            return
        self.source_ended.emit()
