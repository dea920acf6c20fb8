"""How far the tracked keypoints move when every timestamp moves by a tiny amount (issue 18).

Tracks a clip twice with the same frames, once at the media times and once with each time moved
by uniform noise of +-`--jitter` seconds (the order stays), and prints, over the frames with a
face in both runs, the largest and the median keypoint difference in pixels, beside the median
eye distance. A loop that contracts gives differences near the jitter times the face's speed
(far under 0.01 px); `--no-prediction`, `--no-smoothing`, `--crop-step 0` (crops placed
anywhere, not on a grid) and `--antialias` show where the rest comes from:

    python -m benchmarks.time_sensitivity ../shared/videos/d13.mp4 \\
        --detector-model ../shared/models/blaze_face_short_range.tflite
"""

from __future__ import annotations

import argparse

import numpy as np
import numpy.typing as npt

from benchmarks.live_quality import add_crop_arguments, apply_crop_arguments
from fkd_live import Tracker
from fkd_live.adapters.sources import VideoSource
from fkd_live.core import tracking

Points = list[npt.NDArray[np.float64] | None]


def track(clip: str, jitter: float, args: argparse.Namespace) -> Points:
    """The first face's keypoints per frame (None: no face), times moved by +-`jitter` s."""
    rng = np.random.default_rng(0)
    source, found = VideoSource(clip), []
    options = {
        "detector_model": args.detector_model,
        "smoothing": not args.no_smoothing,
        "crop_step": args.crop_step,
    }
    with Tracker(**options) as tracker:
        while (item := source.read()) is not None:
            faces = tracker.track(item[0], item[1] + jitter * rng.uniform(-1.0, 1.0))
            found.append(faces[0].keypoints.astype(np.float64) if faces else None)
    source.close()
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("clips", nargs="+")
    parser.add_argument("--detector-model", required=True)
    parser.add_argument("--jitter", type=float, default=1e-7, help="seconds (default 1e-7)")
    parser.add_argument("--no-prediction", action="store_true", help="MAX_PREDICT_S = 0")
    parser.add_argument("--no-smoothing", action="store_true")
    add_crop_arguments(parser)
    args = parser.parse_args()
    apply_crop_arguments(args)
    if args.no_prediction:
        tracking.MAX_PREDICT_S = 0.0
    print(f"{'clip':<16}{'frames':>8}{'max px':>9}{'median px':>11}{'IOD px':>8}")
    for clip in args.clips:
        a, b = track(clip, 0.0, args), track(clip, args.jitter, args)
        both = [(x, y) for x, y in zip(a, b, strict=True) if x is not None and y is not None]
        moved = [float(np.abs(x - y).max()) for x, y in both]
        iod = float(np.median([np.linalg.norm(x[1] - x[0]) for x, _ in both]))
        name = clip.rsplit("/", 1)[-1]
        row = f"{name:<16}{len(both):>8}{max(moved):>9.3f}{np.median(moved):>11.4f}{iod:>8.1f}"
        print(row)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
