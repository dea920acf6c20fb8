"""Running the pipeline without a window: keypoints as JSON lines, one per frame.

The output is written to a temporary file beside the target and renamed into place when the run
ends (normally, at `--frames`, or on Ctrl-C), so a failed run never leaves a half-written file.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
from pathlib import Path
from typing import TextIO

from .adapters.sources import FrameSource, SourceError
from .config import RunConfig
from .core.faces import FrameResult
from .pipeline import Pipeline

log = logging.getLogger(__name__)


def frame_record(index: int, result: FrameResult) -> str:
    """`{"frame": i, "t": seconds, "faces": [...]}` as one JSON line."""
    faces = [face.to_json() for face in result.faces]
    return json.dumps({"frame": index, "t": round(result.t, 6), "faces": faces})


def _open_target(path: Path) -> tuple[TextIO, Path]:
    if not path.parent.is_dir():
        raise SourceError(f"cannot write {path}: folder {path.parent} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    return os.fdopen(fd, "w"), Path(tmp)


def run_headless(source: FrameSource, pipeline: Pipeline, cfg: RunConfig) -> int:
    """Process frames as fast as they come until the source ends or `cfg.frames` are done."""
    target = Path(cfg.keypoints_out) if cfg.keypoints_out else None
    out, tmp = _open_target(target) if target else (None, None)
    frames = found = 0
    total_ms = 0.0
    try:
        while not cfg.frames or frames < cfg.frames:
            item = source.read()
            if item is None:
                break
            result = pipeline.process(*item)
            if out is not None:
                out.write(frame_record(frames, result) + "\n")
            frames, found = frames + 1, found + bool(result.faces)
            total_ms += result.total_ms
    except KeyboardInterrupt:
        log.warning("interrupted after %d frames", frames)
    except BaseException:
        if out is not None and tmp is not None:
            out.close()
            tmp.unlink(missing_ok=True)
        raise
    if out is not None and tmp is not None and target is not None:
        out.close()
        tmp.chmod(0o644)
        tmp.replace(target)
    mean_ms = total_ms / max(frames, 1)
    print(
        f"{frames} frames, a face in {found}, {mean_ms:.1f} ms per frame in the pipeline"
        + (f"; keypoints in {target}" if target else ""),
        file=sys.stderr,
    )
    return 0
