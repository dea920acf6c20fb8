"""`fkd-live bench`: the figures it prints (not their values: speed is not unit-tested)."""

import pytest

from fkd_live.cli import main
from tests.conftest import SHARED, need


def test_bench_prints_stages_and_compares_with_mediapipe(capsys, template_model, detector_model):
    video = need(SHARED / "videos" / "d13.mp4")
    landmarker = need(SHARED / "models" / "face_landmarker.task")
    code = main(
        [
            "bench", "--video", str(video), "--frames", "12", "--model", str(template_model),
            "--detector-model", str(detector_model), "--compare-mediapipe", str(landmarker),
        ]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    assert "fkd-live: 12 frames, a face in 12" in out
    for stage in ("decode", "detect", "align", "warp", "keypoints", "smooth", "arrival to overlay"):
        assert stage in out
    assert "MediaPipe Face Landmarker (VIDEO mode): 12 frames, a face in 12" in out
    assert "frame rate ratio, fkd-live / MediaPipe:" in out


def test_bench_defaults_to_the_demo_and_rejects_a_missing_landmarker(
    capsys, template_model, detector_model, tmp_path
):
    common = ["--model", str(template_model), "--detector-model", str(detector_model)]
    assert main(["bench", "--frames", "3", *common]) == 0
    assert "bench on demo" in capsys.readouterr().out
    code = main(["bench", "--compare-mediapipe", str(tmp_path / "none.task"), *common])
    assert code == 2
    assert "Face Landmarker model not found" in capsys.readouterr().err


def test_bench_times_whole_processes_against_the_floor_and_mediapipe(
    capsys, template_model, detector_model
):
    video = need(SHARED / "videos" / "d0.mp4")
    landmarker = need(SHARED / "models" / "face_landmarker.task")
    code = main(
        [
            "bench", "--video", str(video), "--frames", "3", "--model", str(template_model),
            "--detector-model", str(detector_model), "--compare-mediapipe", str(landmarker),
            "--whole-process", "1",
        ]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    assert "the same stages' work alone" in out
    assert "whole process on d0.mp4 (78 frames)" in out  # every frame written by the child
    for row in ("decode only (the floor)", "fkd-live --headless", "start-up", "MediaPipe Face"):
        assert row in out
    assert "x the floor's time" in out
    assert "MediaPipe / fkd-live:" in out


def test_whole_process_needs_a_video_and_reports_a_failing_child(capsys, tmp_path):
    with pytest.raises(SystemExit) as exit_:
        main(["bench", "--whole-process", "1"])
    assert exit_.value.code == 2
    assert "--whole-process needs --video" in capsys.readouterr().err
    from fkd_live.whole import main as child

    assert child(["decode"]) == 2  # usage
    junk = tmp_path / "junk.mp4"
    junk.write_text("not a video")
    assert child(["decode", str(junk)]) == 1  # no frames
