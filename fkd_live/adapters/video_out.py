"""Writing annotated video: MP4 (mp4v) or AVI (MJPG) through OpenCV, atomically.

Frames go to a temporary file beside the target; `close()` renames it into place, `abort()`
deletes it, so an interrupted or failed run never leaves a half-written video under the name.
"""

from __future__ import annotations

import logging
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from ..core.files import OutputError, Pending, check_writable

log = logging.getLogger(__name__)

CODECS = {".mp4": "mp4v", ".m4v": "mp4v", ".mov": "mp4v", ".avi": "MJPG"}


class VideoOutError(OutputError):
    """The video file cannot be written."""


def check_target(path: Path) -> str:
    """The codec for a video path; `VideoOutError` for an unknown suffix or a missing folder."""
    codec = CODECS.get(path.suffix.lower())
    if codec is None:
        raise VideoOutError(f"cannot write {path}: use one of {', '.join(sorted(CODECS))}")
    try:
        check_writable(path)
    except OutputError as exc:
        raise VideoOutError(str(exc)) from exc
    return codec


class VideoOut:
    def __init__(self, path: str | Path, fps: float, size: tuple[int, int]) -> None:
        self.path = Path(path)
        codec = check_target(self.path)
        self._pending = Pending(self.path)  # the suffix stays last: it picks the container
        self.size, self.frames = size, 0
        fourcc = cv2.VideoWriter.fourcc(*codec)
        self._writer = cv2.VideoWriter(str(self._pending.tmp), fourcc, float(fps or 30.0), size)
        if not self._writer.isOpened():
            self._pending.discard()
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
        self._pending.commit()
        log.info("wrote %d frames to %s", self.frames, self.path)
        return self.path

    def abort(self) -> None:
        self._writer.release()
        self._pending.discard()
