"""SIGTERM (a service manager, `kill`) ends a run the way Ctrl+C does: outputs finished, not lost.

Python turns Ctrl+C (SIGINT) into KeyboardInterrupt, which the headless loop catches to write
and rename what it has; SIGTERM would otherwise kill the process on the spot and leave only the
hidden temporary files. Handlers can only be set from the main thread; elsewhere (a library
user's worker thread) nothing is changed.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


@contextmanager
def stop_signals(
    handler: Callable[[int, FrameType | None], Any] = _interrupt,
    signals: tuple[signal.Signals, ...] = (signal.SIGTERM,),
) -> Iterator[None]:
    """While inside, `signals` call `handler` (default: raise KeyboardInterrupt, as Ctrl+C
    does); the previous handlers come back on leaving."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.signal(s, handler) for s in signals}
    try:
        yield
    finally:
        for s, old in previous.items():
            signal.signal(s, old)
