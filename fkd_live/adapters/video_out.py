"""Writing annotated video: MP4 (mp4v) or AVI (MJPG) through OpenCV, atomically.

Frames go to a temporary file beside the target; `close()` renames it into place, `abort()`
deletes it, so an interrupted or failed run never leaves a half-written video under the name.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)

CODECS = {".mp4": "mp4v", ".m4v": "mp4v", ".mov": "mp4v", ".avi": "MJPG"}


class VideoOutError(RuntimeError):
    """The video file cannot be written."""


def check_target(path: Path) -> str:
    """The codec for a video path; `VideoOutError` for an unknown suffix or a missing folder."""
    codec = CODECS.get(path.suffix.lower())
    if codec is None:
        raise VideoOutError(f"cannot write {path}: use one of {', '.join(sorted(CODECS))}")
    if not path.parent.is_dir():
        raise VideoOutError(f"cannot write {path}: folder {path.parent} is missing")
    return codec


class VideoOut:
    def __init__(self, path: str | Path, fps: float, size: tuple[int, int]) -> None:
        self.path = Path(path)
        codec = check_target(self.path)
        fd, tmp = tempfile.mkstemp(
            prefix=f".{self.path.stem}.", suffix=self.path.suffix, dir=self.path.parent
        )
        os.close(fd)
        self._tmp = Path(tmp)
        self.size, self.frames = size, 0
        fourcc = cv2.VideoWriter.fourcc(*codec)
        self._writer = cv2.VideoWriter(str(self._tmp), fourcc, float(fps or 30.0), size)
        if not self._writer.isOpened():
            self._tmp.unlink(missing_ok=True)
            raise VideoOutError(f"cannot write {self.path}: OpenCV could not open a {codec} writer")

    def write(self, rgb: npt.NDArray[np.uint8]) -> None:
        """Append one `(H, W, 3) uint8` RGB frame of the writer's size."""
        if (rgb.shape[1], rgb.shape[0]) != self.size:
            raise VideoOutError(f"frame size {rgb.shape[1]}x{rgb.shape[0]} is not {self.size}")
        self._writer.write(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
        self.frames += 1

    def close(self) -> Path:
        """Finish the file and move it into place."""
        self._writer.release()
        self._tmp.chmod(0o644)
        self._tmp.replace(self.path)
        log.info("wrote %d frames to %s", self.frames, self.path)
        return self.path

    def abort(self) -> None:
        self._writer.release()
        self._tmp.unlink(missing_ok=True)
