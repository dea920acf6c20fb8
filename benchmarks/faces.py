"""What each extra face costs (issue 19): the pipeline on four faces at once against one.

Makes a four-person clip, a 2x2 grid of four talking-head clips (each centre-cropped square,
`--cell` pixels a side, the shorter clips looped), written as mp4v and read back as a user's
clip would be. Then two trackers, `--max-faces 1` and `--max-faces 4`, process the very same
decoded frames, frame by frame in turn (side by side, so a noisy minute hits both alike), and
the pipeline's milliseconds per frame are printed for each, with the ratio. Decoding is left
out of both: it is the same for both and this measures what the faces cost. The four crops of
a frame are one model call (a batch of four), so four faces should cost well under 4x one:

    python -m benchmarks.faces ../shared/videos/d0.mp4 ../shared/videos/d3.mp4 \\
        ../shared/videos/d12.mp4 ../shared/videos/d13.mp4 \\
        --detector-model ../shared/models/blaze_face_short_range.tflite --write /tmp/four.mp4

`fkd-live --video /tmp/four.mp4 --max-faces 4` then shows the clip tracked.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from fkd_live import Tracker
from fkd_live.adapters.sources import VideoSource
from fkd_live.core.files import OutputError, check_writable, replacing

Frame = npt.NDArray[np.uint8]


def square(frame: Frame, side: int) -> Frame:
    """The frame's centred square, resized to `side` x `side`."""
    h, w = frame.shape[:2]
    s = min(h, w)
    y, x = (h - s) // 2, (w - s) // 2
    return np.asarray(cv2.resize(frame[y : y + s, x : x + s], (side, side)), dtype=np.uint8)


def read_all(clip: str) -> list[Frame]:
    """Every frame of a clip, RGB."""
    source, frames = VideoSource(clip), []
    while (item := source.read()) is not None:
        frames.append(item[0])
    source.close()
    return frames


def grid_frames(clips: Sequence[str], cell: int, frames: int) -> list[Frame]:
    """`frames` RGB frames of the 2x2 grid of `clips` (four), each clip looped as needed."""
    cells = [[square(f, cell) for f in read_all(c)] for c in clips]
    out = []
    for i in range(frames):
        a, b, c, d = (cells[k][i % len(cells[k])] for k in range(4))
        out.append(np.vstack([np.hstack([a, b]), np.hstack([c, d])]))
    return out


def write_clip(path: Path, frames: list[Frame], fps: float) -> None:
    """The frames as an mp4v clip at `path`, written beside it and renamed when complete."""
    side = frames[0].shape[1], frames[0].shape[0]
    with replacing(path) as tmp:
        writer = cv2.VideoWriter(str(tmp), cv2.VideoWriter.fourcc(*"mp4v"), fps, side)
        if not writer.isOpened():
            raise OutputError(f"cannot write {path}: OpenCV could not open an mp4v writer")
        for frame in frames:
            writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
        writer.release()


def time_side_by_side(
    frames: list[Frame], fps: float, detector_model: str, counts: Sequence[int]
) -> dict[int, tuple[list[float], list[int]]]:
    """Per `--max-faces` count: the pipeline's ms and the faces found, frame by frame, each
    frame given to every tracker in turn."""
    trackers = {n: Tracker(detector_model=detector_model, max_faces=n) for n in counts}
    out: dict[int, tuple[list[float], list[int]]] = {n: ([], []) for n in counts}
    try:
        for i, frame in enumerate(frames):
            for n, tracker in trackers.items():
                t0 = time.perf_counter()
                faces = tracker.track(frame, i / fps)
                out[n][0].append(1e3 * (time.perf_counter() - t0))
                out[n][1].append(len(faces))
    finally:
        for tracker in trackers.values():
            tracker.close()
    return out


def report(results: dict[int, tuple[list[float], list[int]]]) -> list[str]:
    lines = [f"{'max faces':>10}{'faces/frame':>13}{'median ms':>11}{'p95 ms':>9}{'x one':>8}"]
    one = float(np.median(results[min(results)][0]))
    for n, (ms, found) in results.items():
        median, p95 = float(np.median(ms)), float(np.percentile(ms, 95))
        lines.append(
            f"{n:>10}{np.mean(found):>13.2f}{median:>11.2f}{p95:>9.2f}{median / one:>8.2f}"
        )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("clips", nargs=4, help="four clips, one per cell of the grid")
    parser.add_argument("--detector-model", required=True)
    parser.add_argument("--cell", type=int, default=360, help="pixels a side (default 360)")
    parser.add_argument("--frames", type=int, default=300, help="frames (default 300)")
    parser.add_argument("--fps", type=float, default=25.0)
    parser.add_argument("--write", type=Path, help="keep the four-person clip here")
    args = parser.parse_args()
    for clip in args.clips:
        if not Path(clip).is_file():
            parser.error(f"clip not found: {clip}")
    if args.write:
        try:
            check_writable(args.write)
        except OutputError as exc:
            parser.error(str(exc))
    made = grid_frames(args.clips, args.cell, args.frames)
    with tempfile.TemporaryDirectory(prefix="fkd-faces-") as tmp:
        path = args.write or Path(tmp) / "four.mp4"
        write_clip(path, made, args.fps)
        frames = read_all(str(path))  # as compressed and decoded, not the pristine grid
    results = time_side_by_side(frames, args.fps, args.detector_model, (1, 4))
    print(f"{len(frames)} frames of a 2x2 grid, {2 * args.cell} px a side")
    print("\n".join(report(results)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
