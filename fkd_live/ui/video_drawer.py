"""Annotated video for headless runs: each result drawn offscreen and appended to a video."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt

from ..adapters.sources import FrameSource
from ..adapters.video_out import VideoOut, VideoOutError, check_target
from ..config import RunConfig
from ..core.faces import FrameResult
from ..pipeline import Pipeline
from .overlay import result_lines
from .props import find_prop, load_shelf
from .render import ensure_gui_app, render


def hud_lines(source: FrameSource, pipeline: Pipeline, result: FrameResult) -> list[str]:
    return [
        f"source: {source.name}",
        f"model on {pipeline.model.provider}, detector {pipeline.detector.name}",
        *result_lines(result),
    ]


class VideoDrawer:
    """Draws like the window (same layers, same prop) and writes `cfg.output`."""

    def __init__(self, cfg: RunConfig, source: FrameSource, pipeline: Pipeline) -> None:
        assert cfg.output is not None
        self.app = ensure_gui_app()
        self.cfg, self.source, self.pipeline = cfg, source, pipeline
        shelf = load_shelf(Path(cfg.props_dir) if cfg.props_dir else None)
        index = find_prop(shelf, cfg.prop)
        self.prop = shelf[index] if index is not None else None
        self.path = Path(cfg.output)
        self.out: VideoOut | None = None
        check_target(self.path)  # before any frame is processed

    def add(self, frame: npt.NDArray[np.uint8], result: FrameResult) -> None:
        if self.out is None:  # sized by the first frame
            self.out = VideoOut(self.path, self.source.fps, (frame.shape[1], frame.shape[0]))
        hud = hud_lines(self.source, self.pipeline, result)
        self.out.write(render(frame, result, self.cfg.overlay, self.prop, hud))

    def close(self) -> Path:
        if self.out is None:
            raise VideoOutError(f"no frames to write to {self.path}")
        return self.out.close()

    def abort(self) -> None:
        if self.out is not None:
            self.out.abort()
