"""No display: one line and exit 2 before anything loads; OpenCV's bundled Qt kept out of PyQt6."""

from __future__ import annotations

import pytest

from fkd_live.cli import main
from fkd_live.display import NO_DISPLAY, display_problem, forget_opencv_qt


@pytest.mark.parametrize(
    ("env", "platform", "problem"),
    [
        ({}, "linux", NO_DISPLAY),
        ({"DISPLAY": ":99"}, "linux", None),
        ({"WAYLAND_DISPLAY": "wayland-0"}, "linux", None),
        ({"QT_QPA_PLATFORM": "offscreen"}, "linux", None),
        ({"DISPLAY": ""}, "linux", NO_DISPLAY),
        ({}, "darwin", None),
        ({}, "win32", None),
    ],
)
def test_display_problem(env, platform, problem):
    assert display_problem(env, platform) == problem


def test_opencvs_qt_paths_are_dropped_and_others_kept():
    env = {
        "QT_QPA_PLATFORM_PLUGIN_PATH": "/venv/lib/python3.11/site-packages/cv2/qt/plugins",
        "QT_QPA_FONTDIR": "/venv/lib/python3.11/site-packages/cv2/qt/fonts",
        "PATH": "/usr/bin",
    }
    forget_opencv_qt(env)
    assert env == {"PATH": "/usr/bin"}
    mine = {"QT_QPA_PLATFORM_PLUGIN_PATH": "/opt/qt6/plugins"}
    forget_opencv_qt(mine)
    assert mine == {"QT_QPA_PLATFORM_PLUGIN_PATH": "/opt/qt6/plugins"}
    windows = {"QT_QPA_PLATFORM_PLUGIN_PATH": "C:\\py\\Lib\\site-packages\\cv2\\qt\\plugins"}
    forget_opencv_qt(windows)
    assert windows == {}


def test_the_window_without_a_display_is_one_line_and_exit_2(monkeypatch, capsys):
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("sys.platform", "linux")
    # Checked before any model loads: a model file that does not exist is never reached.
    assert main(["--demo", "--frames", "1", "--model", "/nonexistent.onnx"]) == 2
    err = capsys.readouterr().err
    assert err == f"fkd-live: error: {NO_DISPLAY}\n"
