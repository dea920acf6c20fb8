"""The capture thread: reads a source, runs the pipeline, hands results to Qt by signal only.

Each result goes, in this thread, to the outputs (`Streams`) and the taps (the recorder), which
must see every frame; the window gets the newest through a one-slot mailbox (`Latest`) and a
signal that says one is waiting, so a slow window skips results instead of queueing them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PyQt6.QtCore import QThread, pyqtSignal

from ..adapters.sources import Frame, FrameSource, SourceError
from ..adapters.virtual_camera import VirtualCameraError
from ..api import Tracker
from ..core.faces import FrameResult
from ..mailbox import Latest
from ..pacing import Pacer
from ..streams import Streams

log = logging.getLogger(__name__)

Tap = Callable[[Frame, FrameResult], None]


class PipelineWorker(QThread):
    """Runs `source -> pipeline` until the source ends, `max_frames` is reached or it is stopped.

    A live camera is read as fast as it delivers (its one-frame buffer drops stale frames); files
    and the demo are paced at their own frame rate so they play in real time.
    """

    result_waiting = pyqtSignal()  # `latest` holds a (frame RGB, FrameResult) not taken yet
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
        self.latest: Latest[tuple[Frame, FrameResult]] = Latest()
        self.taps: list[Tap] = []  # called in this thread with every result (the recorder)

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
                for tap in self.taps:
                    tap(frame, result)
                if self.latest.put((frame, result)):
                    self.result_waiting.emit()
        except (SourceError, VirtualCameraError) as exc:
            log.error("%s", exc)
            self.failed.emit(str(exc))
            return
        self.source_ended.emit()
