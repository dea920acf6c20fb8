"""`fkd-live bench`: time the live pipeline on a video, beside MediaPipe's Face Landmarker.

Both sides decode the same frames themselves (decode included, drawing excluded), one after the
other in one run, so the ratio is measured side by side. Latency is a frame's arrival (decoded)
to its result being ready, i.e. the pipeline's time for it.
"""

from __future__ import annotations

import argparse
import socket
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .adapters.grabber import ThreadedSource
from .adapters.sources import DemoSource, Frame, FrameSource, VideoSource
from .api import Tracker
from .config import PipelineConfig, RunConfig, StreamConfig
from .core.smoothing import OneEuroConfig
from .streams import Streams


@dataclass
class Timings:
    """Milliseconds per frame by stage (a stage that did not run on a frame is left out)."""

    frames: int = 0
    wall_s: float = 0.0
    stages: dict[str, list[float]] = field(default_factory=dict)
    faces: int = 0

    def add(self, name: str, ms: float) -> None:
        self.stages.setdefault(name, []).append(ms)

    @property
    def fps(self) -> float:
        return self.frames / self.wall_s if self.wall_s > 0 else 0.0


def _stats(values: list[float]) -> tuple[float, float]:
    arr = np.asarray(values, dtype=np.float64)
    return float(np.median(arr)), float(np.percentile(arr, 95))


Work = Callable[[Frame, float], tuple[list[tuple[str, float]], bool]]


def time_frames(source: FrameSource, frames: int, work: Work, label: str | None = None) -> Timings:
    """Read up to `frames` frames and time `work(frame, t)` on each, which answers the stages it
    timed itself and whether it found a face; `label`, if given, names its whole time per frame."""
    out = Timings()
    start = time.perf_counter()
    while out.frames < frames:
        t0 = time.perf_counter()
        item = source.read()
        if item is None:
            break
        t1 = time.perf_counter()
        stages, found = work(*item)
        t2 = time.perf_counter()
        out.add("decode", 1e3 * (t1 - t0))
        for name, ms in stages:
            out.add(name, ms)
        if label is not None:
            out.add(label, 1e3 * (t2 - t1))
        out.add("frame (decode + pipeline)", 1e3 * (t2 - t0))
        out.frames += 1
        out.faces += found
    out.wall_s = time.perf_counter() - start
    return out


def time_pipeline(
    source: FrameSource, tracker: Tracker, frames: int, streams: Streams | None = None
) -> Timings:
    """Our pipeline; the detector's stage counts only on the frames it ran. With `streams`,
    each result is also sent (opentrack, VMC), timed from the frame's arrival to the
    datagrams having left (the send returned) on the frames with a face."""

    def work(frame: Frame, t: float) -> tuple[list[tuple[str, float]], bool]:
        t0 = time.perf_counter()
        result = tracker.process(frame, t)
        t1 = time.perf_counter()
        stages = [(n, ms) for n, ms in result.stage_ms if n != "detect" or result.detected]
        stages += [("pipeline (arrival to overlay ready)", 1e3 * (t1 - t0))]
        if streams is not None and result.faces:
            streams.send(frame, result)
            t2 = time.perf_counter()
            stages += [("send (opentrack + VMC)", 1e3 * (t2 - t1))]
            stages += [("arrival to datagrams sent", 1e3 * (t2 - t0))]
        return stages, bool(result.faces)

    return time_frames(source, frames, work)


def time_landmarker(source: FrameSource, model: str, frames: int) -> Timings:
    """MediaPipe Face Landmarker in VIDEO mode on the same kind of loop."""
    from .adapters.landmarker import MediaPipeLandmarker

    landmarker = MediaPipeLandmarker(model)
    try:
        return time_frames(
            source, frames, lambda f, t: ([], bool(landmarker.detect(f, t))), "landmarker"
        )
    finally:
        landmarker.close()


def time_alone(tracker: Tracker, frames: list[tuple[Frame, float]], repeats: int = 200) -> Timings:
    """Each stage's own work on the last of `frames` (tracked through them first), timed in a
    tight loop with nothing beside it: what the stages would cost without a decoder sharing
    the CPU and the caches. The model's row is `python -m train speed`'s measurement."""
    from .adapters.imaging import warp_crop
    from .adapters.pose import estimate_pose
    from .core.smoothing import OneEuroFilter

    for frame, t in frames:
        result = tracker.process(frame, t)
    frame, t = frames[-1]
    pipeline = tracker.pipeline
    out = Timings(frames=repeats)
    if not result.faces or pipeline is None or not pipeline.tracks:
        return out
    track, spec, size = pipeline.tracks[0], tracker.model.spec, (frame.shape[1], frame.shape[0])
    matrix = pipeline.track_crop(track, t)
    crop = warp_crop(frame, matrix, spec)[None]
    smoother, keypoints = OneEuroFilter(), track.keypoints
    work: list[tuple[str, Callable[[int], object]]] = [
        ("align", lambda i: pipeline.track_crop(track, t)),
        ("warp", lambda i: warp_crop(frame, matrix, spec)),
        ("keypoints", lambda i: tracker.model.predict_scored(crop)),
        ("smooth", lambda i: smoother(keypoints, i / 30.0, 60.0)),
        ("pose", lambda i: estimate_pose(keypoints, size, tracker.config.pipeline.fov)),
    ]
    for name, fn in work:
        for i in range(repeats):
            t0 = time.perf_counter()
            fn(i)
            out.add(name, 1e3 * (time.perf_counter() - t0))
    return out


def report(title: str, t: Timings) -> list[str]:
    lines = [f"{title}: {t.frames} frames, a face in {t.faces}, {t.fps:.1f} fps"]
    lines.append(f"  {'stage':<38}{'median ms':>10}{'p95 ms':>9}{'runs':>7}")
    for name, values in t.stages.items():
        median, p95 = _stats(values)
        lines.append(f"  {name:<38}{median:>10.2f}{p95:>9.2f}{len(values):>7}")
    return lines


class _Receivers:
    """Two UDP sockets on 127.0.0.1 for the timed sends to go to (nothing reads them: a send
    does not wait for its receiver), as `StreamConfig`'s opentrack and VMC endpoints."""

    def __enter__(self) -> _Receivers:
        self.sockets = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(2)]
        for sock in self.sockets:
            sock.bind(("127.0.0.1", 0))
        ports = [int(sock.getsockname()[1]) for sock in self.sockets]
        self.config = StreamConfig(opentrack=("127.0.0.1", ports[0]), vmc=("127.0.0.1", ports[1]))
        return self

    def __exit__(self, *exc: object) -> None:
        for sock in self.sockets:
            sock.close()


def build_parser() -> argparse.ArgumentParser:
    from .argtypes import Parser, add_model_arguments, count, positive_int

    parser = Parser(
        prog="fkd-live bench",
        description="Per-stage milliseconds (median, p95) and fps of the pipeline on a video "
        "(decode included, drawing excluded); with --compare-mediapipe, MediaPipe Face "
        "Landmarker (VIDEO mode) on the same frames, side by side.",
    )
    parser.add_argument("--video", metavar="PATH", help="video to run (default: the demo)")
    parser.add_argument("--frames", type=count, default=300, help="frames (default 300)")
    parser.add_argument("--compare-mediapipe", metavar="MODEL.task", help="Face Landmarker")
    parser.add_argument(
        "--redetect-every", type=positive_int, default=PipelineConfig.redetect_every
    )
    parser.add_argument("--no-smoothing", action="store_true")
    parser.add_argument(
        "--no-prefetch",
        action="store_true",
        help="decode on the measuring thread (default: both sides decode on a capture thread, "
        "as the app does)",
    )
    parser.add_argument(
        "--whole-process",
        type=count,
        metavar="RUNS",
        default=0,
        help="also time whole processes RUNS times each (spawn to exit, decode included): "
        "fkd-live --headless --keypoints-out, the decoder alone (the floor), start-up, and "
        "with --compare-mediapipe MediaPipe's; needs --video",
    )
    add_model_arguments(parser)
    return parser


def _open(video: str | None, prefetch: bool) -> FrameSource:
    source: FrameSource = VideoSource(video) if video else DemoSource()
    return ThreadedSource(source) if prefetch else source


def bench_main(argv: Sequence[str]) -> int:
    args = build_parser().parse_args(list(argv))
    from .argtypes import configure_logging, model_options

    configure_logging(args.verbose)
    if args.whole_process and not args.video:
        build_parser().error("--whole-process needs --video")
    if args.compare_mediapipe and not Path(args.compare_mediapipe).is_file():
        from .adapters.detector import DetectorError

        raise DetectorError(f"Face Landmarker model not found: {args.compare_mediapipe}")
    cfg = RunConfig(
        **model_options(args),
        pipeline=PipelineConfig(
            min_score=args.min_score,
            redetect_every=args.redetect_every,
            smoothing=None if args.no_smoothing else OneEuroConfig(),
        ),
    )
    tracker = Tracker.from_config(cfg).prepare()
    source = _open(args.video, False)
    try:
        # At most ten frames: the demo source never ends.
        first = [item for _, item in zip(range(10), iter(source.read, None), strict=False)]
    finally:
        source.close()
    alone = time_alone(tracker, first)
    tracker.reset()
    source = _open(args.video, not args.no_prefetch)
    with _Receivers() as receivers:
        streams = Streams(receivers.config, source.size, source.fps)
        try:
            ours = time_pipeline(source, tracker, args.frames or 300, streams)
            model = f"{tracker.model.path.name} on {tracker.provider}"
            detector = tracker.detector.name
        finally:
            streams.close()
            source.close()
            tracker.close()
    name = Path(args.video).name if args.video else "demo"
    lines = [f"fkd-live bench on {name}: model {model}, detector {detector}"]
    lines += report("fkd-live", ours)
    lines.append("the same stages' work alone (tight loop on one tracked frame, no decoder beside)")
    lines += report("", alone)[1:]
    if args.compare_mediapipe:
        source = _open(args.video, not args.no_prefetch)
        try:
            theirs = time_landmarker(source, args.compare_mediapipe, args.frames or 300)
        finally:
            source.close()
        lines += report("MediaPipe Face Landmarker (VIDEO mode)", theirs)
        ratio = ours.fps / theirs.fps if theirs.fps else float("nan")
        lines.append(f"frame rate ratio, fkd-live / MediaPipe: {ratio:.2f}x")
    if args.whole_process:
        from .whole import report as whole_report
        from .whole import time_whole

        models = [
            f"--{name}={value}"
            for name, value in (("model", args.model), ("detector-model", args.detector_model))
            if value
        ]
        runs, frames = time_whole(args.video, models, args.compare_mediapipe, args.whole_process)
        lines += whole_report(args.video, frames, runs)
    print("\n".join(lines), file=sys.stdout, flush=True)
    return 0
