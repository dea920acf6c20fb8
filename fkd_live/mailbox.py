"""A one-slot mailbox between threads: the newest item wins.

The capture thread puts each result in; the window takes the newest when it gets to it. A
window that is slower than the pipeline (a big frame to scale, a busy desktop) then skips the
results it could not show instead of queueing them behind each other and falling ever further
behind; the skipped ones are counted. Only `put`'s first item after a `take` needs to wake the
reader (`put` returns True then), so the reader is signalled once per item it will read.
"""

from __future__ import annotations

import threading
from typing import Generic, TypeVar

T = TypeVar("T")


class Latest(Generic[T]):
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._item: T | None = None
        self.skipped = 0  # items replaced before anyone took them

    def put(self, item: T) -> bool:
        """Leave `item` (replacing one not taken yet); True when the slot was empty, i.e. the
        reader has no wake-up pending and must be told."""
        with self._lock:
            empty = self._item is None
            if not empty:
                self.skipped += 1
            self._item = item
            return empty

    def take(self) -> T | None:
        """The newest item, or None when there is none since the last take."""
        with self._lock:
            item, self._item = self._item, None
            return item
