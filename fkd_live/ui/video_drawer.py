"""Annotated video for headless runs: each result drawn offscreen and appended to a video."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt

from ..adapters.sources import FrameSource
from ..adapters.video_out import VideoOut, VideoOutError, check_target
from ..api import Tracker
from ..config import RunConfig
from ..core.faces import FrameResult
from .overlay import result_lines
from .props import named_prop
from .render import ensure_gui_app, render


def hud_lines(source: FrameSource, tracker: Tracker, result: FrameResult) -> list[str]:
    return [
        f"source: {source.name}",
        f"model on {tracker.provider}, detector {tracker.detector.name}",
        *result_lines(result),
    ]


class VideoDrawer:
    """Draws like the window (same layers, same prop) and writes `cfg.output`."""

    def __init__(self, cfg: RunConfig, source: FrameSource, tracker: Tracker) -> None:
        assert cfg.output is not None
        self.app = ensure_gui_app()
        self.cfg, self.source, self.tracker = cfg, source, tracker
        self.prop = named_prop(cfg.props_dir, cfg.prop)
        self.path = Path(cfg.output)
        self.out: VideoOut | None = None
        check_target(self.path)  # before any frame is processed

    def add(self, frame: npt.NDArray[np.uint8], result: FrameResult) -> None:
        if self.out is None:  # sized by the first frame
            self.out = VideoOut(self.path, self.source.fps, (frame.shape[1], frame.shape[0]))
        hud = hud_lines(self.source, self.tracker, result)
        self.out.write(render(frame, result, self.cfg.overlay, self.prop, hud))

    def close(self) -> Path:
        if self.out is None:
            raise VideoOutError(f"no frames to write to {self.path}")
        return self.out.close()

    def abort(self) -> None:
        if self.out is not None:
            self.out.abort()
