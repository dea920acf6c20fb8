"""Real-time playback of files: how long to wait before a frame's media time has come."""

from __future__ import annotations

import time


class Pacer:
    """The first frame sets the clock; each later frame at media time `t` is due `t - t0`
    seconds after it. A live source (a camera) needs none: it delivers in real time."""

    def __init__(self) -> None:
        self._start: float | None = None
        self._first_t = 0.0

    def delay(self, t: float) -> float:
        """Seconds until the frame taken at `t` is due (0 or less: due now)."""
        now = time.perf_counter()
        if self._start is None:
            self._start, self._first_t = now, t
        return (t - self._first_t) - (now - self._start)

    def wait(self, t: float) -> None:
        """Sleep until the frame taken at `t` is due."""
        delay = self.delay(t)
        if delay > 0:
            time.sleep(delay)
