"""A still real face under dim-webcam noise gives steady keypoints and head pose (issue 18).

LFW pictures scaled to about 70 px between the eyes in a 640x480 grey frame, fresh Gaussian noise
of std 4 grey levels each frame at 30 fps, tracked with the app's defaults. The bounds are the
issue's targets: keypoints move at most 0.030% of the eye distance frame to frame (RMS), yaw,
pitch and roll at most 0.05 degrees. The filter before issue 18 (each coordinate its own speed,
no still band) gave about 0.06% and 0.06 degrees here: `benchmarks.steadiness` measures more.
"""

from __future__ import annotations

import numpy as np

from fkd_live.adapters.imaging import read_image_rgb
from fkd_live.api import Tracker
from tests.conftest import FACES5, need

# The first four LFW people in name order whose first picture is frontal enough to track.
PICTURES = (
    "AJ_Cook/AJ_Cook_0001.jpg",
    "Aaron_Eckhart/Aaron_Eckhart_0001.jpg",
    "Abba_Eban/Abba_Eban_0001.jpg",
    "Adelina_Avila/Adelina_Avila_0001.jpg",
)
FRAMES, SETTLE = 60, 10


def still_clip(path: str, seed: int) -> list[np.ndarray]:
    import cv2

    image = read_image_rgb(str(need(FACES5 / "lfw" / path)))
    assert image is not None
    big = cv2.resize(image, None, fx=1.75, fy=1.75)  # LFW's eyes are ~40 px apart
    frame = np.full((480, 640, 3), 128, np.uint8)
    h, w = big.shape[:2]
    top, left = (480 - h) // 2, (640 - w) // 2
    frame[top : top + h, left : left + w] = big
    rng = np.random.default_rng(seed)
    noisy = [frame + rng.normal(0.0, 4.0, frame.shape) for _ in range(FRAMES)]
    return [np.clip(f, 0, 255).astype(np.uint8) for f in noisy]


def steadiness(path: str, tracker: Tracker) -> tuple[float, np.ndarray]:
    """Keypoint RMS step over the eye distance, and yaw, pitch, roll RMS steps (degrees)."""
    points, angles = [], []
    for i, frame in enumerate(still_clip(path, seed=len(path))):
        faces = tracker.track(frame, 100.0 + i / 30.0)  # a fresh track: times start anywhere
        assert len(faces) == 1
        assert faces[0].pose is not None
        if i >= SETTLE:
            pose = faces[0].pose
            points.append(faces[0].keypoints.astype(np.float64))
            angles.append((pose.yaw, pose.pitch, pose.roll))
    p, a = np.array(points), np.array(angles)
    iod = float(np.linalg.norm(p[:, 1] - p[:, 0], axis=1).mean())
    assert 60 < iod < 85
    step = float(np.sqrt(np.mean(np.sum(np.diff(p, axis=0) ** 2, axis=2)))) / iod
    return step, np.sqrt(np.mean(np.diff(a, axis=0) ** 2, axis=0))


def test_still_noisy_faces_are_steady(shipped_model, detector_model):
    steps, turns = [], []
    for path in PICTURES:
        with Tracker(model=shipped_model, detector_model=detector_model) as tracker:
            step, turn = steadiness(path, tracker)
        steps.append(step)
        turns.append(turn)
    # The targets on the median face; no face far off them (one frame where the model's
    # whole answer jumps by a third of a pixel opens the filter, as real motion must).
    assert float(np.median(steps)) <= 0.00030, steps
    assert (np.median(turns, axis=0) <= 0.05).all(), turns
    assert max(steps) <= 0.0010, steps
    assert float(np.max(turns)) <= 0.15, turns


def test_slightly_different_times_give_nearly_the_same_still_face(shipped_model, detector_model):
    # Every timestamp moved by up to 1e-7 s (the order kept): a loop that contracts answers a
    # still face within a few hundredths of a pixel (eye distance ~70 px). Measured: median
    # frame 0-0.044 px, worst frame 0-0.13 px (one face's answer jumps once; see above).
    for path in PICTURES:
        clip = still_clip(path, seed=len(path))
        runs = []
        for jitter in (0.0, 1e-7):
            rng = np.random.default_rng(0)
            with Tracker(model=shipped_model, detector_model=detector_model) as tracker:
                times = [100.0 + i / 30.0 + jitter * rng.uniform(-1.0, 1.0) for i in range(FRAMES)]
                runs.append(
                    [tracker.track(f, t)[0].keypoints for f, t in zip(clip, times, strict=True)]
                )
        moved = np.abs(np.array(runs[0], np.float64) - np.array(runs[1], np.float64)).max(
            axis=(1, 2)
        )
        assert float(np.median(moved)) < 0.05, (path, moved)
        assert float(moved.max()) < 0.25, (path, moved)


def moving_clip(path: str) -> list[np.ndarray]:
    """The still clip's first frame swayed sideways and up and down (up to ~300 px/s) and
    turned (up to 6 degrees), as a head moves in front of a webcam."""
    import cv2

    frame = still_clip(path, seed=len(path))[0]
    out = []
    for i in range(FRAMES):
        t = i / 30.0
        m = cv2.getRotationMatrix2D((320.0, 240.0), 6.0 * np.sin(2 * np.pi * 0.5 * t), 1.0)
        m[:, 2] += (60.0 * np.sin(2 * np.pi * 0.8 * t), 20.0 * np.sin(2 * np.pi * 0.6 * t))
        out.append(cv2.warpAffine(frame, m, (640, 480), borderMode=cv2.BORDER_REPLICATE))
    return out


def test_slightly_different_times_give_the_same_moving_face(shipped_model, detector_model):
    # The loop from one frame's answer to the next frame's crop must settle on moving faces
    # too. Without the crop grid (`crop_step=0`) these two clips differed by 0.30 and 0.89 px
    # at worst (median frame 0.13 and 0.18 px, eye distance ~70 px); on it, not at all.
    for path in PICTURES[:2]:
        clip = moving_clip(path)
        runs = []
        for jitter in (0.0, 1e-7):
            rng = np.random.default_rng(0)
            with Tracker(model=shipped_model, detector_model=detector_model) as tracker:
                times = [100.0 + i / 30.0 + jitter * rng.uniform(-1.0, 1.0) for i in range(FRAMES)]
                runs.append([tracker.track(f, t) for f, t in zip(clip, times, strict=True)])
        assert all(len(a) == len(b) == 1 for a, b in zip(*runs, strict=True))
        moved = [np.abs(a[0].keypoints - b[0].keypoints).max() for a, b in zip(*runs, strict=True)]
        assert max(moved) < 0.01, (path, moved)
