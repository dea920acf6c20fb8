"""The command line: modes in --help, and one clear line with exit code 2 for every user error."""

import sys

import pytest

from fkd_live.cli import MODES, main


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_help_lists_every_mode(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    text = capsys.readouterr().out
    for mode in MODES:
        assert f"fkd-live {mode}" in text
    for flag in ("--camera", "--video", "--image", "--demo", "--model", "--device"):
        assert flag in text


def one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.startswith("fkd-live: error:")]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_missing_camera(capsys, template_model):
    code, _, err = run(capsys, "--camera", "57", "--model", str(template_model))
    assert code == 2
    assert "camera 57 could not be opened" in one_error_line(err)


def test_missing_video(capsys, template_model, tmp_path):
    code, _, err = run(
        capsys, "--video", str(tmp_path / "none.mp4"), "--model", str(template_model)
    )
    assert code == 2
    assert "video file not found" in one_error_line(err)


def test_unreadable_video_and_image(capsys, template_model, tmp_path):
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"\x00" * 1000)
    code, _, err = run(capsys, "--video", str(junk), "--model", str(template_model))
    assert code == 2
    assert "cannot read video" in one_error_line(err)
    text = tmp_path / "notes.png"
    text.write_text("hello")
    code, _, err = run(capsys, "--image", str(text), "--model", str(template_model))
    assert code == 2
    assert "cannot read image" in one_error_line(err)


def test_missing_model_and_detector(capsys, tmp_path, template_model):
    code, _, err = run(capsys, "--demo", "--model", str(tmp_path / "gone.onnx"))
    assert code == 2
    assert "model file not found" in one_error_line(err)
    code, _, err = run(
        capsys,
        "--demo",
        "--model",
        str(template_model),
        "--detector-model",
        str(tmp_path / "gone.tflite"),
    )
    assert code == 2
    assert "detector model named by --detector-model not found" in one_error_line(err)


def test_missing_runtime(capsys, monkeypatch, template_model):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    code, _, err = run(capsys, "--demo", "--model", str(template_model))
    assert code == 2
    line = one_error_line(err)
    assert "fkd-live[cpu]" in line
    assert "fkd-live[gpu]" in line


def test_bad_size_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--camera", "0", "--size", "big"])
    assert info.value.code == 2
    assert "size must look like 640x480" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [
        ("--max-faces", "0", "must be at least 1"),
        ("--min-score", "1.5", "between 0 and 1"),
        ("--frames", "-3", "must not be negative"),
        ("--threads", "many", "not a number"),
        ("--min-cutoff", "0", "must be positive"),
        ("--beta", "-1", "must not be negative"),
    ],
)
def test_bad_numbers_are_usage_errors(capsys, flag, value, message):
    with pytest.raises(SystemExit) as info:
        main(["--demo", flag, value])
    assert info.value.code == 2
    assert message in capsys.readouterr().err


def test_cameras_mode_takes_at_least_one_index(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["cameras", "--max-index", "0"])
    assert exit_info.value.code == 2
    assert "must be at least 1" in capsys.readouterr().err
