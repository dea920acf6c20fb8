"""`fkd-live cameras`: a line per camera, or one error line and exit 2 when none opens."""

from __future__ import annotations

from fkd_live import cameras
from fkd_live.cli import main


def test_no_camera_is_one_line_and_the_documented_exit_code(monkeypatch, capsys):
    monkeypatch.setattr(cameras, "probe_cameras", lambda n: [])
    assert main(["cameras", "--max-index", "3"]) == 2
    captured = capsys.readouterr()
    assert captured.err == "fkd-live: error: no camera could be opened (tried indices 0-2)\n"
    assert captured.out == ""


def test_each_camera_is_listed_with_its_command(monkeypatch, capsys):
    monkeypatch.setattr(cameras, "probe_cameras", lambda n: [(0, 640, 480), (2, 1280, 720)])
    assert main(["cameras"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "camera 0: 640x480   (fkd-live --camera 0)",
        "camera 2: 1280x720   (fkd-live --camera 2)",
    ]


def test_this_machine_has_no_camera_and_says_so(capsys):
    """The real probe, on a machine without cameras (CI and this one): it must not hang."""
    code = main(["cameras", "--max-index", "2"])
    if code == 0:
        return  # a machine with a camera lists it; the two tests above pin the format
    assert code == 2
    assert capsys.readouterr().err.startswith("fkd-live: error: no camera could be opened")
