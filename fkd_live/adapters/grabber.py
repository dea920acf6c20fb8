"""Capture on its own thread, so decoding overlaps processing and a stuck camera cannot hang us.

A live source (camera) keeps only the newest frame: when processing falls behind, older frames
are dropped (and counted), so the overlay never lags behind the camera. A file keeps a queue
(`file_queue`) and drops nothing. If no frame arrives for `stall_s` seconds (longer before the
first one), `read()` raises `SourceError` saying the source stalled, instead of waiting forever.
"""

from __future__ import annotations

import logging
import threading
from collections import deque

from .sources import Frame, FrameSource, SourceError

log = logging.getLogger(__name__)


QUEUE_BYTES = 48 << 20


def file_queue(size: tuple[int, int]) -> int:
    """Frames a file's queue holds: 48 MB of them, 4 to 16. Decoding ahead covers the models'
    loading at start (the source opens first) and the detector's slower frames: a 78-frame
    512x512 clip ran, whole process, in 0.47-0.49 s with 16 against 0.50-0.51 s with 4."""
    width, height = size
    return max(4, min(16, QUEUE_BYTES // max(1, 3 * width * height)))


class ThreadedSource:
    """A FrameSource read on a background thread (see module docstring)."""

    def __init__(
        self,
        source: FrameSource,
        stall_s: float = 3.0,
        first_frame_s: float = 10.0,
        queue: int | None = None,
    ) -> None:
        self.source = source
        self.name, self.fps, self.live = source.name, source.fps, source.live
        self.size = source.size
        self.stall_s, self.first_frame_s = stall_s, first_frame_s
        self.dropped = 0
        self._capacity = 1 if source.live else max(1, queue or file_queue(self.size))
        self._items: deque[tuple[Frame, float]] = deque()
        self._cond = threading.Condition()
        self._ended = False
        self._error: SourceError | None = None
        self._got_first = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"grab {self.name}", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                item = self.source.read()
                with self._cond:
                    if item is None:
                        self._ended = True
                        return
                    if self.live and self._items:
                        self.dropped += len(self._items)  # the newest frame wins
                        self._items.clear()
                    while len(self._items) >= self._capacity and not self._stop.is_set():
                        self._cond.wait(0.1)
                    self._items.append(item)
                    self._cond.notify_all()
        except SourceError as exc:
            with self._cond:
                self._error = exc
        except Exception as exc:  # a decoder crash must reach the reader, not kill silently
            with self._cond:
                self._error = SourceError(f"{self.name} failed: {exc}")
        finally:
            with self._cond:
                self._ended = True
                self._cond.notify_all()

    def read(self) -> tuple[Frame, float] | None:
        """The next frame (the newest, for a live source); None at the end of the source."""
        timeout = self.stall_s if self._got_first else self.first_frame_s
        with self._cond:
            ready = self._cond.wait_for(lambda: self._items or self._ended, timeout=timeout)
            if self._items:
                item = self._items.popleft()
                self._got_first = True
                self._cond.notify_all()
                return item
            if self._error is not None:
                raise self._error
            if not ready:
                raise SourceError(f"{self.name} stalled: no frame for {timeout:g} s")
            return None

    def close(self) -> None:
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        self._thread.join(timeout=2.0)
        if self._thread.is_alive():
            log.warning("%s: capture thread still blocked in the driver; leaving it", self.name)
        self.source.close()
        if self.dropped:
            log.info("%s: %d stale frames dropped", self.name, self.dropped)
