"""`fkd-live bench`: the figures it prints (not their values: speed is not unit-tested)."""

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
    for stage in ("decode", "detect", "align", "keypoints", "smooth+pose", "arrival to overlay"):
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
