"""Headless runs: one JSON line per frame, written atomically."""

import json

import numpy as np

from fkd_live.cli import main
from tests.conftest import SHARED, need


def test_keypoints_out_from_a_real_video(tmp_path, capsys, shipped_model, detector_model):
    video = need(SHARED / "videos" / "d0.mp4")
    out = tmp_path / "kp.jsonl"
    code = main(
        [
            "--video",
            str(video),
            "--keypoints-out",
            str(out),
            "--frames",
            "12",
            "--model",
            str(shipped_model),
            "--detector-model",
            str(detector_model),
        ]
    )
    assert code == 0
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["frame"] for r in lines] == list(range(12))
    assert lines[1]["t"] == 0.04  # 25 fps
    face = lines[0]["faces"][0]
    assert set(face) == {"id", "box", "score", "keypoints", "pose"}
    assert len(face["keypoints"]) == 5
    assert set(face["pose"]) == {"yaw", "pitch", "roll", "x", "y", "z"}
    assert 20 < face["pose"]["z"] < 300  # centimetres in front of the camera
    (left_x, _), (right_x, _) = face["keypoints"][:2]
    assert left_x < right_x  # image-left eye first
    assert "12 frames, a face in 12" in capsys.readouterr().err
    assert not list(tmp_path.glob(".*"))  # no temporary file left


def test_headless_demo_without_output(capsys, template_model, detector_model):
    code = main(
        [
            "--demo",
            "--headless",
            "--frames",
            "3",
            "--model",
            str(template_model),
            "--detector-model",
            str(detector_model),
        ]
    )
    assert code == 0
    assert "3 frames, a face in 3" in capsys.readouterr().err


def test_unwritable_output_is_one_line(tmp_path, capsys, template_model):
    code = main(
        [
            "--demo",
            "--keypoints-out",
            str(tmp_path / "no" / "such" / "kp.jsonl"),
            "--model",
            str(template_model),
        ]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "does not exist" in err
    assert "Traceback" not in err


def test_a_failing_source_leaves_no_file(tmp_path, capsys, template_model, monkeypatch):
    from fkd_live.adapters import sources

    def broken(self):
        raise sources.SourceError("camera 0 stopped delivering frames (unplugged or in use?)")

    monkeypatch.setattr(sources.DemoSource, "read", broken)
    out = tmp_path / "kp.jsonl"
    code = main(["--demo", "--keypoints-out", str(out), "--model", str(template_model)])
    assert code == 2
    assert "stopped delivering frames" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def _frames(path, n):
    import cv2

    cap = cv2.VideoCapture(str(path))
    out = []
    while len(out) < n:
        ok, frame = cap.read()
        if not ok:
            break
        out.append(frame.astype(int))
    cap.release()
    return out


def test_output_video_carries_the_overlay(tmp_path, capsys, shipped_model, detector_model):
    """The annotated video differs from the source around the face (prop, keypoints, cone);
    with every layer hidden and no prop it matches the source up to compression noise."""
    video = need(SHARED / "videos" / "d0.mp4")
    common = ["--video", str(video), "--frames", "6", "--model", str(shipped_model)]
    common += ["--detector-model", str(detector_model)]
    drawn, plain = tmp_path / "drawn.mp4", tmp_path / "plain.avi"
    assert main([*common, "--output", str(drawn), "--prop", "glasses"]) == 0
    hidden = "keypoints,boxes,pose,gaze,hud"
    assert main([*common, "--output", str(plain), "--hide", hidden, "--prop", "none"]) == 0
    assert "6 frames, a face in 6" in capsys.readouterr().err
    source, with_overlay, without = _frames(video, 6), _frames(drawn, 10), _frames(plain, 10)
    assert len(with_overlay) == len(without) == 6
    for src, a, b in zip(source, with_overlay, without, strict=True):
        assert np.abs(b - src).mean() < 4.0  # only codec noise
        changed = np.abs(a - src).max(axis=2) > 60
        assert changed.sum() > 2000  # the glasses, the cone, the points, the HUD
    assert sorted(p.name for p in tmp_path.iterdir()) == ["drawn.mp4", "plain.avi"]


def test_bad_output_paths_are_one_line(tmp_path, capsys, template_model):
    for target, message in (
        (tmp_path / "out.gif", "use one of"),
        (tmp_path / "missing" / "out.mp4", "does not exist"),
    ):
        code = main(["--demo", "--output", str(target), "--model", str(template_model)])
        err = capsys.readouterr().err
        assert code == 2
        assert message in err
        assert "Traceback" not in err
    code = main(["--demo", "--output", str(tmp_path / "o.mp4"), "--prop", "wig"])
    assert code == 2
    assert "unknown prop 'wig'" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_prop_is_refused_even_where_nothing_is_drawn(tmp_path, capsys, template_model):
    # Plain headless draws no prop, but a typo must not pass silently; a user folder's props
    # count, by file name or display name.
    code = main(["--demo", "--headless", "--frames", "1", "--prop", "wig"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1
    assert "unknown prop 'wig'; choose one of: none, clown_nose" in err
    wig = {"name": "Big Wig", "image": "w.png", "anchors": {"lefteye": [0, 0], "righteye": [9, 0]}}
    (tmp_path / "wig.json").write_text(json.dumps(wig))
    (tmp_path / "w.png").write_bytes(b"only read when drawn")
    (tmp_path / "broken.json").write_text("{")  # skipped, as the window skips it
    common = ["--demo", "--headless", "--frames", "1", "--model", str(template_model)]
    for name in ("wig", "big wig"):
        assert main([*common, "--props-dir", str(tmp_path), "--prop", name]) == 0


def test_a_bad_output_leaves_no_keypoints_file_either(tmp_path, capsys, template_model):
    code = main(
        [
            "--demo", "--keypoints-out", str(tmp_path / "kp.jsonl"),
            "--output", str(tmp_path / "out.mp4"), "--prop", "wig",
            "--model", str(template_model),
        ]
    )  # fmt: skip
    assert code == 2
    assert "unknown prop 'wig'" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_a_headless_start_imports_only_what_it_needs(tmp_path, shipped_model, detector_model):
    """Start-up (issue 19): a headless run with its models named loads no Qt, no mediapipe
    (and its matplotlib), no torch, no downloader and no benchmark machinery."""
    import subprocess
    import sys

    heavy = ["PyQt6", "mediapipe", "matplotlib", "torch", "urllib.request", "platformdirs"]
    heavy += ["subprocess", "statistics"]
    video = str(need(SHARED / "videos" / "d0.mp4"))
    script = (
        "import sys\n"
        "from fkd_live.cli import main\n"
        f"rc = main(['--video', {video!r}, '--headless', '--frames', '2',"
        f" '--model', {str(shipped_model)!r},"
        f" '--detector-model', {str(detector_model)!r}])\n"
        f"print(rc, sorted(m for m in {heavy!r} if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.stdout.split(maxsplit=1) == ["0", "[]\n"], done.stderr


def test_outputs_where_no_file_can_be_made_fail_before_any_work(capsys, template_model):
    """/proc takes no new files: each output is checked, in one line, before the source opens
    (a video path that does not exist is never reached)."""
    for option, target in (("--keypoints-out", "/proc/x.jsonl"), ("--output", "/proc/x.mp4")):
        code = main(["--video", "/no/such.mp4", option, target, "--model", str(template_model)])
        err = capsys.readouterr().err
        assert code == 2
        assert err == f"fkd-live: error: cannot write {target}: no file can be made in /proc " + (
            "(no such file or directory)\n"
        )


def test_sigterm_ends_a_run_as_ctrl_c_does(tmp_path, shipped_model, detector_model):
    """A service manager's SIGTERM mid-run: the frames so far are written and renamed, no
    temporary file is left, exit 0 (as Ctrl+C). The opentrack stream paces the clip in real time
    (11.7 s), so the signal comes while it runs: once some lines have been written."""
    import signal
    import subprocess
    import sys
    import time

    video = need(SHARED / "videos" / "d13.mp4")
    out = tmp_path / "kp.jsonl"
    command = [sys.executable, "-m", "fkd_live", "--video", str(video), "--keypoints-out"]
    command += [str(out), "--opentrack", "127.0.0.1:9", "--model", str(shipped_model)]
    command += ["--detector-model", str(detector_model)]
    child = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30.0
        while time.monotonic() < deadline:  # the hidden file has a few lines: the run is on
            pending = list(tmp_path.glob(".kp.*"))
            if pending and pending[0].stat().st_size > 2000:
                break
            time.sleep(0.02)
        child.send_signal(signal.SIGTERM)
        _, err = child.communicate(timeout=30)
    finally:
        child.kill()
    assert child.returncode == 0, err
    assert "interrupted after" in err
    lines = out.read_text().splitlines()
    assert 3 <= len(lines) < 352
    assert json.loads(lines[-1])["frame"] == len(lines) - 1  # whole lines only
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kp.jsonl"]
