"""Whole processes, timed from spawn to exit: fkd-live, MediaPipe and the decoder alone.

`fkd-live bench --whole-process` runs, in turn and `runs` times each (alternated, so a noisy
minute of a shared machine hits all alike), three child processes on one clip:

- the floor: a process that only decodes the clip (`python -m fkd_live.whole decode V`), which
  no tool that reads the file can beat;
- fkd-live as a user runs it: `fkd-live --video V --headless --keypoints-out K.jsonl`;
- MediaPipe Face Landmarker (VIDEO mode, the five points of each frame written as JSON lines):
  `python -m fkd_live.whole mediapipe V MODEL.task K.jsonl`.

and start-up: fkd-live's process start to its first result (`--frames 1`, to exit).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path


class WholeProcessError(RuntimeError):
    """A timed child process failed (its last line of stderr says why)."""


FLOOR = "decode only (the floor)"
OURS = "fkd-live --headless --keypoints-out"
START = "fkd-live start-up (--frames 1, to exit)"
THEIRS = "MediaPipe Face Landmarker (VIDEO mode)"


@dataclass
class Runs:
    """Wall seconds of each run of one command."""

    label: str
    seconds: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        import statistics  # here, not at the top: the CLI imports this module to start

        return statistics.median(self.seconds) if self.seconds else float("nan")

    def line(self) -> str:
        each = " ".join(f"{s:.2f}" for s in self.seconds)
        return f"  {self.label:<44}{self.median:>7.2f} s   ({each})"


def _timed(command: list[str]) -> float:
    """Seconds from spawn to exit of `command`; its output is discarded, a failure raised."""
    import subprocess  # as above: only the benchmark spawns

    t0 = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - t0
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        shown = " ".join(Path(a).name if i == 0 else a for i, a in enumerate(command[:5]))
        raise WholeProcessError(f"{shown} ... failed (exit {done.returncode}): {last}")
    return seconds


def commands(
    video: str, models: Sequence[str], landmarker: str | None, out: Path
) -> dict[str, list[str]]:
    """Each timed command by label (MediaPipe's only with a `landmarker` model); `models`:
    fkd-live's model options (`--model M`, `--detector-model D`)."""
    py = sys.executable
    ours = [py, "-m", "fkd_live", "--video", video, "--headless", *models]
    out_ours, out_theirs = str(out / "fkd.jsonl"), str(out / "mediapipe.jsonl")
    table = {
        FLOOR: [py, "-m", "fkd_live.whole", "decode", video],
        OURS: [*ours, "--keypoints-out", out_ours],
        START: [*ours, "--frames", "1", "--keypoints-out", out_ours],
    }
    if landmarker:
        table[THEIRS] = [py, "-m", "fkd_live.whole", "mediapipe", video, landmarker, out_theirs]
    return table


def time_whole(
    video: str, models: Sequence[str], landmarker: str | None, runs: int
) -> tuple[list[Runs], int]:
    """Every command of `commands`, `runs` times each, alternated; and the frames of the clip
    (the lines fkd-live wrote)."""
    with tempfile.TemporaryDirectory(prefix="fkd-whole-") as tmp:
        table = commands(video, models, landmarker, Path(tmp))
        results = {label: Runs(label) for label in table}
        frames = 0
        for _ in range(runs):
            for label, command in table.items():
                results[label].seconds.append(_timed(command))
                if label == OURS:
                    frames = len((Path(tmp) / "fkd.jsonl").read_text().splitlines())
    return list(results.values()), frames


def report(video: str, frames: int, runs: list[Runs]) -> list[str]:
    by = {r.label: r for r in runs}
    lines = [
        f"whole process on {Path(video).name} ({frames} frames), spawn to exit, "
        f"{len(runs[0].seconds)} runs each alternated: median (each run)"
    ]
    lines += [r.line() for r in runs]
    ours, floor = by[OURS], by[FLOOR]
    lines.append(f"  fkd-live takes {ours.median / floor.median:.2f}x the floor's time")
    theirs = by.get(THEIRS)
    if theirs is not None:
        each = [t / o for t, o in zip(theirs.seconds, ours.seconds, strict=True)]
        text = " ".join(f"{r:.2f}" for r in each)
        lines.append(
            f"  MediaPipe / fkd-live: {theirs.median / ours.median:.2f}x  (each run: {text})"
        )
    return lines


def _decode(video: str) -> int:
    import cv2

    cap = cv2.VideoCapture(video)
    frames = 0
    while cap.read()[0]:
        frames += 1
    cap.release()
    return frames


def _mediapipe(video: str, model: str, out: str) -> int:
    from .adapters.landmarker import MediaPipeLandmarker
    from .adapters.sources import VideoSource

    source, landmarker = VideoSource(video), MediaPipeLandmarker(model)
    frames = 0
    with open(out, "w") as fh:
        while (item := source.read()) is not None:
            faces = [points.tolist() for points in landmarker.detect(*item)]
            fh.write(json.dumps({"frame": frames, "t": item[1], "faces": faces}) + "\n")
            frames += 1
    landmarker.close()
    source.close()
    return frames


def main(argv: Sequence[str]) -> int:
    """`decode VIDEO` or `mediapipe VIDEO MODEL.task OUT.jsonl`: the benchmark's children."""
    if len(argv) == 2 and argv[0] == "decode":
        frames = _decode(argv[1])
    elif len(argv) == 4 and argv[0] == "mediapipe":
        frames = _mediapipe(argv[1], argv[2], argv[3])
    else:
        print(
            "usage: python -m fkd_live.whole decode VIDEO | mediapipe VIDEO MODEL OUT",
            file=sys.stderr,
        )
        return 2
    print(f"{frames} frames", file=sys.stderr)
    return 0 if frames else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
