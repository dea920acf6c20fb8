"""The Python API gives exactly what the command line gives, on real faces, and refuses frames
that are not H x W x 3 uint8 RGB."""

import json
import subprocess
import sys

import numpy as np
import pytest

from fkd_live import Face, HeadPose, Tracker
from fkd_live.adapters.imaging import read_image_rgb
from fkd_live.adapters.sources import VideoSource
from fkd_live.cli import main
from tests.conftest import FACES5, SHARED, need


@pytest.fixture
def tracker(shipped_model, detector_model):
    with Tracker(model=shipped_model, detector_model=detector_model) as t:
        yield t


def test_track_is_what_keypoints_out_writes(tmp_path, tracker, shipped_model, detector_model):
    video = need(SHARED / "videos" / "d0.mp4")
    out = tmp_path / "kp.jsonl"
    args = ["--video", str(video), "--keypoints-out", str(out), "--frames", "15"]
    assert (
        main([*args, "--model", str(shipped_model), "--detector-model", str(detector_model)]) == 0
    )
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    source = VideoSource(str(video))
    try:
        for line in lines:
            frame, t = source.read()
            faces = tracker.track(frame, t)
            assert line["t"] == round(t, 6)
            assert [f.to_json() for f in faces] == line["faces"]
    finally:
        source.close()
    assert sum(bool(line["faces"]) for line in lines) == 15
    face = faces[0]
    assert isinstance(face, Face)
    assert isinstance(face.pose, HeadPose)
    assert face.keypoints.shape == (5, 2)
    assert face.keypoints.dtype == np.float32
    assert face.id == 1


def test_detect_is_what_image_json_prints(capsys, tracker, shipped_model, detector_model):
    picture = need(FACES5 / "lfw" / "Aaron_Eckhart" / "Aaron_Eckhart_0001.jpg")
    models = ["--model", str(shipped_model), "--detector-model", str(detector_model)]
    code = main(["image", str(picture), "--json", *models])
    assert code == 0
    printed = json.loads(capsys.readouterr().out.splitlines()[0])
    faces = tracker.detect(read_image_rgb(str(picture)))
    assert len(faces) == 1
    assert [f.to_json() for f in faces] == printed["faces"]
    # no state: the same picture again gives the same answer, even after tracking
    tracker.track(read_image_rgb(str(picture)), 0.0)
    assert [f.to_json() for f in tracker.detect(read_image_rgb(str(picture)))] == printed["faces"]


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (np.zeros((48, 64), np.uint8), "got shape (48, 64)"),
        (np.zeros((48, 64, 4), np.uint8), "got shape (48, 64, 4)"),
        (np.zeros((48, 64, 3), np.float32), "got dtype float32"),
        (np.zeros((0, 64, 3), np.uint8), "got shape (0, 64, 3)"),
        ([[0, 0, 0]], "must be numpy arrays"),
    ],
)
def test_bad_frames_raise_value_error(tracker, frame, message):
    with pytest.raises(ValueError, match="H x W x 3 uint8 RGB") as info:
        tracker.track(frame, 0.0)
    assert message in str(info.value)
    with pytest.raises(ValueError, match="H x W x 3 uint8 RGB"):
        tracker.detect(frame)


def test_times_must_not_go_back(tracker):
    frame = np.zeros((48, 64, 3), np.uint8)
    assert tracker.track(frame, 1.0) == ()
    with pytest.raises(ValueError, match="never decrease"):
        tracker.track(frame, 0.5)
    with pytest.raises(ValueError, match="finite"):
        tracker.track(frame, float("nan"))
    tracker.reset()  # a new video may start again at 0
    assert tracker.track(frame, 0.0) == ()


def test_the_api_loads_lazily():
    code = (
        "import sys, fkd_live\n"
        "assert 'onnxruntime' not in sys.modules and 'cv2' not in sys.modules\n"
        "from fkd_live import Tracker\n"
        "assert 'fkd_live.api' in sys.modules and Tracker.__module__ == 'fkd_live.api'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    with pytest.raises(ImportError):
        exec("from fkd_live import Trackerr")


def test_detect_scores_faces_and_honours_min_readable(tracker, shipped_model, detector_model):
    image = read_image_rgb(str(need(FACES5 / "lfw" / "Aaron_Eckhart" / "Aaron_Eckhart_0001.jpg")))
    assert image is not None
    (face,) = tracker.detect(image)
    # The model's readable score (0.53 here), over the default --min-readable 0.1, under 1.
    assert 0.1 < face.score < 0.999
    strict = face.score + 1e-3
    with Tracker(model=shipped_model, detector_model=detector_model, min_readable=strict) as t:
        assert t.detect(image) == ()
    # A box on a blank wall: answered (the caller framed it), and scored as no face.
    grey = np.full((200, 200, 3), 128, np.uint8)
    (wall,) = tracker.detect(grey, box=(50.0, 50.0, 100.0, 100.0))
    assert wall.score < 0.1
