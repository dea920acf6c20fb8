"""Running without a window: keypoints as JSON lines and/or an annotated video.

With `--keypoints-out` alone nothing is drawn (pipeline only). With `--output`, the overlay is
drawn offscreen with the window's own drawing code. Every output is written to a temporary file
beside its target and renamed into place when the run ends (normally, at `--frames`, or on
Ctrl+C or SIGTERM), so a failed run never leaves a half-written file.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import numpy as np
import numpy.typing as npt

from .adapters.sources import FrameSource
from .api import Tracker
from .config import RunConfig
from .core.faces import FrameResult
from .core.files import Pending
from .pacing import Pacer
from .stopping import stop_signals
from .streams import Streams

if TYPE_CHECKING:
    from .ui.video_drawer import VideoDrawer

log = logging.getLogger(__name__)


def frame_record(index: int, result: FrameResult) -> str:
    """`{"frame": i, "t": seconds, "faces": [...]}` as one JSON line."""
    faces = [face.to_json() for face in result.faces]
    return json.dumps({"frame": index, "t": round(result.t, 6), "faces": faces})


class _Outputs:
    """The run's output files: opened up front (so bad paths fail before any work), committed
    together at the end or all discarded on failure."""

    def __init__(self, cfg: RunConfig, source: FrameSource, tracker: Tracker) -> None:
        self.jsonl: TextIO | None = None
        self.pending: Pending | None = None
        if cfg.keypoints_out:
            self.pending = Pending(cfg.keypoints_out)
            self.jsonl = self.pending.tmp.open("w", encoding="utf-8")
        self.drawer: VideoDrawer | None = None
        if cfg.output:
            from .ui.video_drawer import VideoDrawer  # Qt only when drawing

            try:
                self.drawer = VideoDrawer(cfg, source, tracker)
            except BaseException:
                self.discard()  # a bad prop or video path: leave no keypoints file either
                raise

    def add(self, index: int, frame: npt.NDArray[np.uint8], result: FrameResult) -> None:
        if self.jsonl is not None:
            self.jsonl.write(frame_record(index, result) + "\n")
        if self.drawer is not None:
            self.drawer.add(frame, result)

    def commit(self) -> list[Path]:
        done = []
        if self.jsonl is not None and self.pending is not None:
            self.jsonl.close()
            done.append(self.pending.commit())
        if self.drawer is not None:
            done.append(self.drawer.close())
        return done

    def discard(self) -> None:
        if self.jsonl is not None and self.pending is not None:
            self.jsonl.close()
            self.pending.discard()
        if self.drawer is not None:
            self.drawer.abort()


def run_headless(source: FrameSource, tracker: Tracker, cfg: RunConfig, streams: Streams) -> int:
    """Process frames as fast as they come until the source ends or `cfg.frames` are done;
    a file feeding other apps plays in real time (a game or a call expects the frame rate).
    Ctrl+C and SIGTERM end it early with the frames so far written (`stopping`)."""
    with stop_signals():
        return _run(source, tracker, cfg, streams)


def _run(source: FrameSource, tracker: Tracker, cfg: RunConfig, streams: Streams) -> int:
    outputs = _Outputs(cfg, source, tracker)
    pacer = Pacer() if streams.any and not source.live else None
    if streams.camera is not None:
        from .ui.props import named_prop
        from .ui.render import ensure_gui_app

        ensure_gui_app()
        streams.prop = named_prop(cfg.props_dir, cfg.prop)
    frames = found = 0
    total_ms = 0.0
    try:
        while not cfg.frames or frames < cfg.frames:
            item = source.read()
            if item is None:
                break
            if pacer is not None:
                pacer.wait(item[1])
            result = tracker.process(*item)
            streams.send(item[0], result)
            outputs.add(frames, item[0], result)
            frames, found = frames + 1, found + bool(result.faces)
            total_ms += result.total_ms
    except KeyboardInterrupt:
        log.warning("interrupted after %d frames", frames)
    except BaseException:
        outputs.discard()
        raise
    written = outputs.commit()
    mean_ms = total_ms / max(frames, 1)
    print(
        f"{frames} frames, a face in {found}, {mean_ms:.1f} ms per frame in the pipeline"
        + (f"; wrote {', '.join(str(p) for p in written)}" if written else ""),
        file=sys.stderr,
    )
    return 0
