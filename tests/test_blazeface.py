"""BlazeFace decoding (exact numbers) and our OpenCV-run detector against MediaPipe's own."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from fkd_live.adapters.detector import BlazeFaceDetector, DetectorError
from fkd_live.core.blazeface import (
    Candidates,
    Letterbox,
    decode,
    iou,
    sigmoid_scores,
    ssd_anchors,
    to_detections,
    weighted_nms,
)
from tests.conftest import FACES5, SHARED, need


def test_anchors_follow_mediapipe_layout():
    a = ssd_anchors()
    assert a.shape == (896, 2)
    # Stride 8: a 16x16 grid, two anchors a cell, row by row.
    assert a[0].tolist() == [4.0, 4.0]
    assert a[1].tolist() == [4.0, 4.0]
    assert a[2].tolist() == [12.0, 4.0]
    assert a[32].tolist() == [4.0, 12.0]  # second row
    # Stride 16 (three layers merged): an 8x8 grid, six anchors a cell.
    assert a[512:518].tolist() == [[8.0, 8.0]] * 6
    assert a[518].tolist() == [24.0, 8.0]
    assert a[-1].tolist() == [120.0, 120.0]


def test_letterbox_centres_the_long_side():
    lb = Letterbox.fit(720, 1280)  # portrait: 72x128 content, 28 px black each side
    assert (lb.scale, lb.pad_x, lb.pad_y) == (0.1, 28.0, 0.0)
    assert lb.to_frame(np.array([[28.0, 0.0], [100.0, 128.0]])).tolist() == [
        [0.0, 0.0],
        [720.0, 1280.0],
    ]
    assert lb.matrix().tolist() == [[0.1, 0.0, 28.0], [0.0, 0.1, 0.0]]


def test_scores_are_clipped_sigmoids():
    s = sigmoid_scores(np.array([0.0, 1000.0, -1000.0], np.float32))
    assert s[0] == 0.5
    assert s[1] == 1 / (1 + np.exp(-100.0))
    assert s[2] == 1 / (1 + np.exp(100.0))


def test_decode_offsets_from_the_anchor_in_input_pixels():
    anchors = ssd_anchors()
    scores = np.full(896, -10.0, np.float32)
    coords = np.zeros((896, 16), np.float32)
    scores[2], scores[3] = 0.0, -1.0  # 0.5 kept at min 0.5; 0.27 not
    coords[2, :4] = [2.0, -1.0, 10.0, 20.0]  # anchor 2 is at (12, 4)
    coords[2, 4:6] = [-3.0, 5.0]  # first keypoint
    c = decode(scores, coords, anchors, 0.5)
    assert c.scores.tolist() == [0.5]
    assert c.boxes.tolist() == [[9.0, -7.0, 19.0, 13.0]]  # centre (14, 3), 10 x 20
    assert c.keypoints[0, 0].tolist() == [9.0, 9.0]
    assert c.keypoints[0, 1].tolist() == [12.0, 4.0]  # a zero offset is the anchor


def test_iou_by_hand():
    boxes = np.array([[0, 0, 10, 10], [2, 0, 12, 10], [20, 20, 30, 30], [5, 5, 5, 5]], float)
    assert iou(boxes[0], boxes).tolist() == [1.0, 80 / 120, 0.0, 0.0]


def test_weighted_nms_merges_overlaps_into_a_score_weighted_mean():
    boxes = np.array([[2, 0, 12, 10], [0, 0, 10, 10], [20, 20, 30, 30]], float)
    points = np.zeros((3, 6, 2))
    points[0, 0], points[1, 0], points[2, 0] = [3.0, 3.0], [0.0, 0.0], [25.0, 25.0]
    out = weighted_nms(Candidates(boxes, points, np.array([0.6, 0.9, 0.7])))
    assert out.scores.tolist() == [0.9, 0.7]  # the best keeps its own score
    np.testing.assert_allclose(out.boxes, [[0.8, 0.0, 10.8, 10.0], [20, 20, 30, 30]])
    np.testing.assert_allclose(out.keypoints[:, 0], [[1.2, 1.2], [25.0, 25.0]])


def test_weighted_nms_of_nothing_is_nothing():
    empty = Candidates(np.zeros((0, 4)), np.zeros((0, 6, 2)), np.zeros(0))
    out = weighted_nms(empty)
    assert out.boxes.shape == (0, 4)
    assert out.keypoints.shape == (0, 6, 2)
    assert to_detections(out, Letterbox.fit(64, 64)) == []


def test_detections_are_in_frame_pixels():
    c = Candidates(
        np.array([[38.0, 10.0, 48.0, 30.0]]), np.tile([[48.0, 20.0]], (1, 6, 1)), np.array([0.8])
    )
    (det,) = to_detections(c, Letterbox.fit(720, 1280))
    np.testing.assert_allclose(det.box, (100.0, 100.0, 100.0, 200.0))
    assert det.eyes is not None
    np.testing.assert_allclose(det.eyes, [[200.0, 200.0], [200.0, 200.0]])
    assert det.score == 0.8


def test_a_file_that_is_not_a_model_is_one_clear_error(tmp_path: Path):
    junk = tmp_path / "junk.tflite"
    junk.write_text("not a model")
    with pytest.raises(DetectorError, match=r"^cannot load detector model .*junk.tflite: "):
        BlazeFaceDetector(junk)
    with pytest.raises(DetectorError) as err:
        BlazeFaceDetector(tmp_path / "missing.tflite")
    assert "\n" not in str(err.value)
    assert "OpenCV(" not in str(err.value)


def _frames() -> list[np.ndarray]:
    """Frames from the four clips and photos (some with several people), RGB."""
    frames = []
    for clip in sorted(need(SHARED / "videos").glob("*.mp4")):
        cap = cv2.VideoCapture(str(clip))
        for index in (0, 50, 150):
            cap.set(cv2.CAP_PROP_POS_FRAMES, index)
            ok, bgr = cap.read()
            if ok:
                frames.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
        cap.release()
    photos = []
    for photo in sorted((need(FACES5) / "helen_afw" / "afw").glob("*.jpg"))[:12]:
        bgr = np.asarray(cv2.imread(str(photo)), np.uint8)
        photos.append(cv2.resize(np.ascontiguousarray(bgr[:, :, ::-1]), (160, 160)))
    frames += photos
    # Several people in one frame (a row of three, a 2x2 group) and no one.
    frames += [np.hstack(photos[i : i + 3]) for i in (0, 3, 6, 9)]
    frames += [
        np.vstack([np.hstack(photos[i : i + 2]), np.hstack(photos[i + 2 : i + 4])])
        for i in (0, 4, 8)
    ]
    frames.append(np.full((240, 320, 3), 90, np.uint8))
    return frames


def test_detections_match_mediapipes_face_detector(detector_model: Path):
    """Scores and eyes as MediaPipe's own FaceDetector gives them; its boxes are whole
    pixels (truncated) with the origin clamped into the frame, ours are neither."""
    pytest.importorskip("mediapipe")
    from fkd_live.adapters.landmarker import MediaPipeDetector

    ours, theirs = BlazeFaceDetector(detector_model), MediaPipeDetector(detector_model)
    try:
        faces = 0
        for frame in _frames():
            a = sorted(ours.detect(frame), key=lambda d: -d.score)
            b = sorted(theirs.detect(frame), key=lambda d: -d.score)
            assert len(a) == len(b)
            for x, y in zip(a, b, strict=True):
                assert abs(x.score - y.score) < 1e-4
                assert x.eyes is not None
                assert y.eyes is not None
                np.testing.assert_allclose(x.eyes, y.eyes, atol=0.05)
                clamped = (max(x.box[0], 0.0), max(x.box[1], 0.0), *x.box[2:])
                np.testing.assert_allclose(clamped, y.box, atol=1.0)
                faces += 1
        assert faces >= 40
    finally:
        theirs.close()
