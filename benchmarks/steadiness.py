"""Steadiness under camera noise and motion, beside MediaPipe Face Landmarker (issue 18).

    python -m benchmarks.steadiness \\
        --detector-model ../shared/models/blaze_face_short_range.tflite \\
        --compare-mediapipe ../shared/models/face_landmarker.task

Held-out faces only (faces5's validation split), each scaled to `--iod` px between the eyes in a
640x480 grey frame (see `benchmarks.live_quality.place`), one face asked for, 30 fps:

- still: the picture for `--frames` frames with fresh Gaussian noise of each `--noise` std (grey
  levels) every frame. Keypoint jitter: RMS frame-to-frame motion over the eye distance; pose
  jitter: RMS frame-to-frame change of yaw, pitch and roll (degrees); wander: their standard
  deviation over the clip. The first `SETTLE` frames are left out (filters settling).
- moving: the picture swayed at webcam speeds (`live_quality.sway`, up to ~380 px/s, roll and
  zoom) and squashed in x and y as a turning and nodding head foreshortens (`turn`), noise std 2.
  NME against the moved labels, and the lag: the time shift of the truth track that best matches
  the answers (ms; positive: the answers trail), beside one frame (33.3 ms).

MediaPipe's pose is solved from its five points with the same solver as ours, so the pose
figures compare what the five points of each method give. Faces: `--clips` evenly spaced over
CelebA and Helen/AFW's held-out pictures; `--clip-offset` picks a disjoint set (the filters were
tuned on offset 0; report the other too). The filter before issue 18, for before/after:
`--speed value --still-speed 0 --min-cutoff 0.3 --beta 20`; before the crop grid: `--crop-step 0`.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt

from benchmarks import live_quality as lq
from fkd_live.adapters.detector import make_detector
from fkd_live.adapters.pose import estimate_pose
from fkd_live.adapters.runtime import KeypointModel
from fkd_live.config import PipelineConfig
from fkd_live.core import compose_transforms
from fkd_live.core.smoothing import OneEuroConfig
from fkd_live.pipeline import Pipeline
from train.config import VAL_FRACTION
from train.data import FaceSample, load_faces5, split
from train.metrics import face_nme

SETTLE = 10
FPS = 30.0
Answer = tuple[npt.NDArray[np.float64], npt.NDArray[np.float64] | None]  # points, (y, p, r)
Tracker = Callable[[npt.NDArray[np.uint8], float], list[Answer]]
Factory = Callable[[], Tracker]


def turn(t: float) -> npt.NDArray[np.float64]:
    """A squash about the frame centre, as a head turning (x, 0.6 Hz, to 85%) and nodding (y,
    0.45 Hz, to 90%) foreshortens; composed after `live_quality.sway`."""
    sx = 1.0 - 0.075 * (1.0 - math.cos(2 * math.pi * 0.6 * t))
    sy = 1.0 - 0.05 * (1.0 - math.cos(2 * math.pi * 0.45 * t))
    c = np.array(lq.FRAME, np.float64) / 2
    return np.array([[sx, 0.0, c[0] * (1 - sx)], [0.0, sy, c[1] * (1 - sy)]])


def motion(t: float) -> npt.NDArray[np.float64]:
    return compose_transforms(turn(t), lq.sway(t))


def ours(pipeline: Callable[[], Pipeline]) -> Factory:
    def new() -> Tracker:
        pipe = pipeline()

        def track(frame: npt.NDArray[np.uint8], t: float) -> list[Answer]:
            return [
                (f.keypoints.astype(np.float64), _angles(f.pose))
                for f in pipe.process(frame, t).faces
            ]

        return track

    return new


def mediapipe(task: str) -> Factory:
    new_landmarker = lq.mediapipe(task, max_faces=1)

    def new() -> Tracker:
        detect = new_landmarker()

        def track(frame: npt.NDArray[np.uint8], t: float) -> list[Answer]:
            size = (frame.shape[1], frame.shape[0])
            return [(k, _angles(estimate_pose(k, size))) for k in detect(frame, t)]

        return track

    return new


def _angles(pose: object) -> npt.NDArray[np.float64] | None:
    if pose is None:
        return None
    return np.array([pose.yaw, pose.pitch, pose.roll])  # type: ignore[attr-defined]


def nearest(answers: list[Answer], truth: npt.NDArray[np.float64]) -> Answer | None:
    points = lq.nearest([a[0] for a in answers], truth)
    return None if points is None else next(a for a in answers if a[0] is points)


def still(face: FaceSample, new: Factory, noise: float, iod: float, frames: int) -> list[float]:
    """[keypoint jitter (fraction of IOD), yaw, pitch, roll jitter (deg), yaw, pitch, roll
    wander (deg)] of one still noisy clip; NaN where no face (or pose) was answered."""
    rng = np.random.default_rng(0)
    frame, truth = lq.place(face, iod)
    track = new()
    points, angles = [], []
    for i in range(frames):
        noisy = np.clip(frame + rng.normal(0, noise, frame.shape), 0, 255).astype(np.uint8)
        got = nearest(track(noisy, i / FPS), truth)
        if i >= SETTLE:
            points.append(got[0] if got else np.full((5, 2), np.nan))
            angles.append(got[1] if got and got[1] is not None else np.full(3, np.nan))
    p, a = np.array(points), np.array(angles)
    step = math.sqrt(float(np.nanmean(np.sum(np.diff(p, axis=0) ** 2, axis=2)))) / iod
    turn_rms = np.sqrt(np.nanmean(np.diff(a, axis=0) ** 2, axis=0))
    return [step, *turn_rms.tolist(), *np.nanstd(a, axis=0).tolist()]


def moving(face: FaceSample, new: Factory, iod: float, frames: int) -> list[float]:
    """[mean NME (a frame without a face counts 100%), lag ms] of one moving clip."""
    rng = np.random.default_rng(1)
    track = new()
    errors, answered, times = [], [], []
    for i in range(frames):
        t = i / FPS
        frame, truth = lq.place(face, iod, motion(t))
        noisy = np.clip(frame + rng.normal(0, 2.0, frame.shape), 0, 255).astype(np.uint8)
        got = nearest(track(noisy, t), truth)
        if i >= SETTLE // 2:
            errors.append(face_nme(got[0], truth) if got else 1.0)
            if got:
                answered.append(got[0])
                times.append(t)
    return [float(np.mean(errors)), 1e3 * lag(face, iod, np.array(answered), np.array(times))]


def lag(
    face: FaceSample, iod: float, answers: npt.NDArray[np.float64], times: npt.NDArray[np.float64]
) -> float:
    """Seconds (positive: behind) of the truth track's shift that best matches `answers`
    `(T, 5, 2)` at `times`: a 1 ms grid over +-150 ms, then the parabola through its minimum."""
    if len(times) < 10:
        return math.nan
    shifts = np.arange(-0.150, 0.1505, 0.001)
    cost = []
    for d in shifts:
        truth = np.array([lq.place_points(face, iod, motion(t - d)) for t in times])
        cost.append(float(np.mean(np.sum((answers - truth) ** 2, axis=2))))
    i = int(np.clip(np.argmin(cost), 1, len(cost) - 2))
    c0, c1, c2 = cost[i - 1], cost[i], cost[i + 1]
    curve = c0 - 2 * c1 + c2
    offset = 0.5 * (c0 - c2) / curve if curve > 0 else 0.0
    return float(shifts[i] + offset * 0.001)


def methods(args: argparse.Namespace) -> dict[str, Factory]:
    model = KeypointModel(args.model, device="cpu", threads=1)
    detector = make_detector(args.detector_model)
    lq.CLOSERS.append(detector.close)

    filt = OneEuroConfig(args.min_cutoff, args.beta, still_speed=args.still_speed,
                         speed=args.speed)  # fmt: skip

    def pipeline(smoothing: bool) -> Callable[[], Pipeline]:
        config = PipelineConfig(smoothing=filt if smoothing else None, crop_step=args.crop_step)
        return lambda: Pipeline(detector, model, config)

    out = {"fkd-live": ours(pipeline(True)), "fkd-live raw": ours(pipeline(False))}
    if args.compare_mediapipe:
        out["MediaPipe"] = mediapipe(args.compare_mediapipe)
    return out


def clip_faces(args: argparse.Namespace) -> list[FaceSample]:
    pool: list[FaceSample] = []
    for source in ("celeba", "helen_afw"):
        pool += split(load_faces5(Path(args.data), [source]), VAL_FRACTION)[1]
    return lq.spaced(pool, args.clips, args.clip_offset)


def row(label: str, cells: list[float], digits: int, unit: str = "") -> str:
    return f"{label:<40}" + "".join(f"{c:>13.{digits}f}{unit}" for c in cells)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    lq.add_common_arguments(p)
    p.add_argument("--clips", type=int, default=12)
    p.add_argument("--clip-offset", type=int, default=0)
    p.add_argument("--frames", type=int, default=90)
    p.add_argument("--noise", type=float, nargs="+", default=[2.0, 4.0, 8.0])
    p.add_argument("--iod", type=float, default=70.0)
    p.add_argument("--no-moving", action="store_true")
    defaults = OneEuroConfig()
    p.add_argument("--min-cutoff", type=float, default=defaults.min_cutoff)
    p.add_argument("--beta", type=float, default=defaults.beta)
    p.add_argument("--still-speed", type=float, default=defaults.still_speed)
    p.add_argument("--speed", choices=("face", "value"), default=defaults.speed)
    lq.add_crop_arguments(p)
    args = p.parse_args()
    lq.apply_crop_arguments(args)
    faces, found = clip_faces(args), methods(args)
    print(f"{len(faces)} held-out faces (offset {args.clip_offset}) x {args.frames} frames, "
          f"{args.iod:g} px eye distance; medians over clips")  # fmt: skip
    print(f"{'':<40}" + "".join(f"{m:>14}" for m in found))
    for noise in args.noise:
        res = np.array(
            [[still(f, new, noise, args.iod, args.frames) for f in faces] for new in found.values()]
        )  # fmt: skip  (method, clip, figure)
        med = np.nanmedian(res, axis=1)
        print(row(f"still, noise {noise:g}: keypoints % IOD", list(100 * med[:, 0]), 3, "%"))
        for k, name in enumerate(("yaw", "pitch", "roll")):
            print(row(f"  {name} frame-to-frame RMS deg", list(med[:, 1 + k]), 3))
        for k, name in enumerate(("yaw", "pitch", "roll")):
            print(row(f"  {name} wander (std) deg", list(med[:, 4 + k]), 3))
    if not args.no_moving:
        res = np.array([[moving(f, new, args.iod, args.frames) for f in faces]
                        for new in found.values()])  # fmt: skip
        print(row("moving: NME % (mean of clips)", list(100 * res[:, :, 0].mean(axis=1)), 2, "%"))
        print(row("  NME % (median of clips)", list(100 * np.median(res[:, :, 0], axis=1)), 2,
                  "%"))  # fmt: skip
        print(row("  lag ms (median of clips)", list(np.nanmedian(res[:, :, 1], axis=1)), 1))
    return lq.close_all()


if __name__ == "__main__":
    raise SystemExit(main())
