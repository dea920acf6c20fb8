"""End to end on real faces: detect, align, run the shipped model, map back to the frame."""

import csv

import cv2
import numpy as np
import pytest

from fkd_live.adapters.detector import BlazeFaceDetector
from fkd_live.adapters.runtime import KeypointModel
from fkd_live.adapters.sources import DemoSource, VideoSource
from fkd_live.config import PipelineConfig
from fkd_live.core import CELEBA_FRAME, apply_transform, resize_matrix
from fkd_live.pipeline import Pipeline
from tests.conftest import FACES5, SHARED, SHIPPED_MODEL, need
from train.metrics import face_nme

CELEBA = FACES5 / "celeba_half"


def celeba_rows(first: int, count: int) -> list[tuple[str, np.ndarray]]:
    with (need(CELEBA) / "list_landmarks_align_celeba.csv").open() as fh:
        rows = list(csv.reader(fh))[1 + first : 1 + first + count]
    return [(r[0], np.array(r[1:], dtype=np.float64).reshape(5, 2)) for r in rows]


@pytest.fixture(scope="module")
def parts(shipped_model, detector_model):
    detector = BlazeFaceDetector(detector_model)
    yield detector, KeypointModel(shipped_model, device="cpu")
    detector.close()


@pytest.fixture
def pipeline(parts):
    """A fresh pipeline detecting on every frame: unrelated pictures must not be tracked."""
    return Pipeline(*parts, PipelineConfig(redetect_every=1, smoothing=None))


def place_on_canvas(image: np.ndarray, scale: float, offset: tuple[int, int]) -> np.ndarray:
    """The picture enlarged `scale` times on a 640x480 grey canvas, top-left at `offset`."""
    big = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    canvas = np.full((480, 640, 3), 60, np.uint8)
    x, y = offset
    canvas[y : y + big.shape[0], x : x + big.shape[1]] = big
    return canvas


def test_celeba_faces_in_a_frame(pipeline):
    # Real CelebA faces, enlarged into a webcam-sized frame, go through detection, alignment and
    # the model. Some of them may be in the training split, so this checks the whole path with a
    # loose bound; held-out accuracy is what `python -m train evaluate` measures.
    errors = []
    found = 0
    rows = celeba_rows(7900, 40)
    for name, label in rows:
        bgr = cv2.imread(str(CELEBA / "img_align_celeba" / name))
        rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
        h, w = rgb.shape[:2]
        scale, offset = 3.0, (170, 50)
        frame = place_on_canvas(rgb, scale, offset)
        to_frame = resize_matrix(CELEBA_FRAME, (w * scale, h * scale))
        truth = apply_transform(to_frame, label) + offset
        result = Pipeline(pipeline.detector, pipeline.model, pipeline.config).process(frame, 0.0)
        if not result.faces:
            continue
        found += 1
        pred = result.faces[0].keypoints
        iod = np.linalg.norm(truth[1] - truth[0])
        errors.append(np.linalg.norm(pred - truth, axis=1).mean() / iod)
    assert found >= 0.95 * len(rows)
    assert np.mean(errors) < 0.08, f"mean NME {100 * np.mean(errors):.2f}%"


def test_video_faces_are_found():
    path = need(SHARED / "videos" / "d12.mp4")
    model, detector = need(SHIPPED_MODEL), need(SHARED / "models" / "blaze_face_short_range.tflite")
    src = VideoSource(str(path))
    p = Pipeline(BlazeFaceDetector(detector), KeypointModel(model))
    found = 0
    for _ in range(30):
        item = src.read()
        assert item is not None
        frame, t = item
        result = p.process(frame, t)
        found += bool(result.faces)
        for face in result.faces:
            x, _, w, _ = face.box
            inside = (face.keypoints[:, 0] > x - 0.2 * w) & (face.keypoints[:, 0] < x + 1.2 * w)
            assert inside.all()
    src.close()
    p.close()
    assert found >= 28


def test_demo_face_is_found(pipeline):
    demo = DemoSource()
    for t in (0.0, 1.0, 2.5):
        result = pipeline.process(demo.frame_at(t), t)
        assert len(result.faces) == 1
        kp = result.faces[0].keypoints
        assert kp[0, 0] < kp[1, 0]  # image-left eye left of the image-right eye
        assert kp[2, 1] > kp[0, 1]  # nose below the eyes
        assert kp[3, 1] > kp[2, 1]  # mouth below the nose


def test_demo_turn_reads_as_yaw(pipeline):
    """The demo's synthetic turn is read as a turn: the model's keypoints (not the demo's
    geometry) give a yaw that follows the demo's +/-30 degrees, on the right side, and each
    point lands within 3 px of where the demo put it. Measured: 3.2 degrees frontal, +23.7 and
    -22.2 at the peaks (this face's turns read about a quarter short), points within 1.5 px."""
    demo = DemoSource()
    yaws = {}
    for t in (0.0, 6.56 / 4, 6.56 * 3 / 4):
        (face,) = pipeline.process(demo.frame_at(t), t).faces
        assert face.pose is not None
        yaws[t] = face.pose.yaw
        np.testing.assert_allclose(face.keypoints, demo.place(demo.PORTRAIT_KEYPOINTS, t), atol=3)
    frontal, right, left = yaws.values()
    assert abs(frontal) < 8
    assert right - frontal > 12
    assert frontal - left > 12


@pytest.mark.parametrize("noise", [0.0, 8.0])
def test_tracking_follows_the_demo_through_a_whole_turn(parts, noise):
    """Tracked and smoothed as the app runs, over 200 frames (a whole +/-30 degree yaw cycle,
    with the nod, roll and motion), clean and with a dim webcam's noise (std 8 grey levels,
    fresh each frame): the face is never lost, and the points stay near where the demo carries
    the portrait's points. Measured: mean 1.15% / 1.17%, worst 2.03% / 2.18% of the eye
    distance. (This checks tracking through turns, not accuracy: the carried points are the
    model's own answer on the unturned portrait.)"""
    pipe, demo, errors = Pipeline(*parts), DemoSource(), []
    rng = np.random.default_rng(0)
    for i in range(200):
        t = i / demo.fps
        frame = demo.frame_at(t)
        if noise:
            frame = np.clip(frame + rng.normal(0.0, noise, frame.shape), 0, 255).astype(np.uint8)
        (face,) = pipe.process(frame, t).faces
        errors.append(face_nme(face.keypoints, demo.place(demo.PORTRAIT_KEYPOINTS, t)))
    assert np.mean(errors) < 0.02
    assert np.max(errors) < 0.035


def test_tracked_video_keypoints_agree_with_mediapipe(parts):
    """On a real video, tracked and smoothed, our five points stay within 10% of the eye
    distance of MediaPipe Face Landmarker's (its iris centres, nose tip and mouth corners)."""
    from fkd_live.adapters.landmarker import MediaPipeLandmarker

    video = need(SHARED / "videos" / "d13.mp4")
    landmarker = MediaPipeLandmarker(need(SHARED / "models" / "face_landmarker.task"))
    pipe = Pipeline(*parts)
    src = VideoSource(str(video))
    errors, tracked = [], 0
    for _ in range(40):
        frame, t = src.read()
        result = pipe.process(frame, t)
        tracked += not result.detected
        (reference,) = landmarker.detect(frame, t)
        (face,) = result.faces
        iod = np.linalg.norm(reference[1] - reference[0])
        errors.append(np.linalg.norm(face.keypoints - reference, axis=1).mean() / iod)
    src.close()
    landmarker.close()
    assert tracked >= 30  # the detector ran on at most one frame in ten (or on a lost face)
    assert np.mean(errors) < 0.10, f"mean distance {100 * np.mean(errors):.1f}% of the eye distance"
