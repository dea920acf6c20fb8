"""R in the window: record the annotated frames (drawn at the frame's resolution) to an MP4.

Drawing a 720p frame's overlay and encoding it costs several milliseconds, so neither runs on
the GUI thread (which would stutter) nor on the capture thread (which would lag the tracking):
`add` queues the frame and the recorder's own thread draws and encodes. Frames are added by the
capture thread for every result, so the video has every frame even when the window skips some.
QPainter on a QImage is allowed outside the GUI thread.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from pathlib import Path

import numpy as np
import numpy.typing as npt

from ..adapters.video_out import VideoOut, VideoOutError
from ..config import OverlayOptions
from ..core.faces import FrameResult
from ..core.files import make_folder
from .props import LoadedProp
from .render import render

log = logging.getLogger(__name__)

Job = tuple[npt.NDArray[np.uint8], FrameResult, OverlayOptions, LoadedProp | None]
BACKLOG = 60  # frames waiting to be encoded (2 s at 30 fps, 160 MB at 720p); more are dropped


class Recorder:
    """Records between `start()` and `stop()`; the file appears (atomically) at `stop()`."""

    def __init__(self, folder: Path, fps: float, backlog: int = BACKLOG) -> None:
        self.folder, self.fps, self.backlog = folder, fps, backlog
        self.active = False
        self.dropped = 0  # frames not recorded because the encoder fell `backlog` behind
        self._jobs: queue.Queue[Job | None] = queue.Queue(backlog)
        self._thread: threading.Thread | None = None
        self._path: Path | None = None
        self._saved: Path | None = None

    def start(self) -> None:
        """Begin a recording (`OutputError` when its folder cannot be made)."""
        if self.active:
            return
        make_folder(self.folder)
        self._path = self.folder / time.strftime("fkd-live-%Y%m%d-%H%M%S.mp4")
        self._jobs, self.dropped, self._saved = queue.Queue(self.backlog), 0, None
        self._thread = threading.Thread(target=self._encode, name="recorder", daemon=True)
        self._thread.start()
        self.active = True
        log.info("recording to %s", self._path)

    def add(
        self,
        frame: npt.NDArray[np.uint8],
        result: FrameResult,
        options: OverlayOptions,
        prop: LoadedProp | None,
    ) -> None:
        """Queue one frame (any thread); never blocks."""
        if not self.active:
            return
        try:
            self._jobs.put_nowait((frame, result, options, prop))
        except queue.Full:
            self.dropped += 1

    def stop(self) -> Path | None:
        """Finish the queued frames and the file; its path, or None when nothing was recorded."""
        if self._thread is None:
            return None
        self.active = False
        self._jobs.put(None)  # after every queued frame: they are all encoded first
        self._thread.join()
        self._thread = None
        if self.dropped:
            log.warning("recording: %d frames dropped (the encoder fell behind)", self.dropped)
        return self._saved

    def _encode(self) -> None:
        out: VideoOut | None = None
        failed = False
        while (job := self._jobs.get()) is not None:
            if failed:
                continue  # drain until stop()
            frame, result, options, prop = job
            try:
                if out is None:
                    assert self._path is not None
                    out = VideoOut(self._path, self.fps, (frame.shape[1], frame.shape[0]))
                out.write(render(frame, result, options, prop))
            except VideoOutError as exc:
                log.error("recording stopped: %s", exc)
                failed, self.active = True, False
                if out is not None:
                    out.abort()  # no half-written video left behind
                    out = None
        self._saved = out.close() if out is not None else None
