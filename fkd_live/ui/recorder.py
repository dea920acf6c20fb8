"""R in the window: record the annotated frames (drawn at the frame's resolution) to an MP4."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import numpy as np
import numpy.typing as npt

from ..adapters.video_out import VideoOut, VideoOutError
from ..config import OverlayOptions
from ..core.faces import FrameResult
from .props import LoadedProp
from .render import render

log = logging.getLogger(__name__)


class Recorder:
    """Records between `start()` and `stop()`; the file appears (atomically) at `stop()`."""

    def __init__(self, folder: Path, fps: float) -> None:
        self.folder, self.fps = folder, fps
        self.active = False
        self._out: VideoOut | None = None
        self._path: Path | None = None

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self._path = self.folder / time.strftime("fkd-live-%Y%m%d-%H%M%S.mp4")
        self._out, self.active = None, True
        log.info("recording to %s", self._path)

    def add(
        self,
        frame: npt.NDArray[np.uint8],
        result: FrameResult,
        options: OverlayOptions,
        prop: LoadedProp | None,
    ) -> None:
        if not self.active or self._path is None:
            return
        try:
            if self._out is None:
                self._out = VideoOut(self._path, self.fps, (frame.shape[1], frame.shape[0]))
            self._out.write(render(frame, result, options, prop))
        except VideoOutError as exc:
            log.error("recording stopped: %s", exc)
            self.active = False

    def stop(self) -> Path | None:
        """Finish; the video's path, or None when no frame was recorded."""
        self.active = False
        out, self._out = self._out, None
        return out.close() if out is not None else None
