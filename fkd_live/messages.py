"""The one form a user-facing error takes: `fkd-live: error: ...`, one line on stderr."""

from __future__ import annotations

import sys

PROG = "fkd-live"


def print_error(message: str, prog: str = PROG) -> None:
    """One line naming the program and what went wrong (never a traceback)."""
    print(f"{prog}: error: {message}", file=sys.stderr, flush=True)
