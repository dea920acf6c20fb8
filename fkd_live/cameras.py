"""`fkd-live cameras`: the cameras that open and deliver a frame, with the command for each."""

from __future__ import annotations

from collections.abc import Sequence

import cv2

from .adapters.sources import SourceError
from .argtypes import Parser, positive_int


def probe_cameras(max_index: int) -> list[tuple[int, int, int]]:
    """(index, width, height) of each camera index below `max_index` that opens and reads."""
    found = []
    for index in range(max_index):
        cap = cv2.VideoCapture(index)
        try:
            if cap.isOpened():
                ok, frame = cap.read()
                if ok and frame is not None:
                    found.append((index, frame.shape[1], frame.shape[0]))
        finally:
            cap.release()
    return found


def cameras_main(argv: Sequence[str]) -> int:
    """Print one line per camera; none is a user error (one line, exit 2, as every other)."""
    parser = Parser(prog="fkd-live cameras", description="List the cameras that can be opened.")
    parser.add_argument(
        "--max-index", type=positive_int, default=10, help="indices to try (default 10)"
    )
    args = parser.parse_args(list(argv))
    cameras = probe_cameras(args.max_index)
    if not cameras:
        raise SourceError(f"no camera could be opened (tried indices 0-{args.max_index - 1})")
    for index, w, h in cameras:
        print(f"camera {index}: {w}x{h}   (fkd-live --camera {index})")
    return 0
