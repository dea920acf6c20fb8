"""Whether a window can open here, asked before anything loads, and keeping OpenCV's Qt out.

No Qt is imported here: the answer must come before the models load and without PyQt6's own
abort (with no display, Qt prints a page about plugins and kills the process, exit 134).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, MutableMapping


class DisplayError(RuntimeError):
    """The live window cannot open: there is no display to put it on."""


NO_DISPLAY = (
    "no display to open the window on (DISPLAY and WAYLAND_DISPLAY are unset): add --headless "
    "(with --keypoints-out, --virtual-camera, --opentrack or --vmc), or --output OUT.mp4"
)


def display_problem(env: Mapping[str, str], platform: str) -> str | None:
    """Why the window cannot open here, or None when it can (or we cannot tell)."""
    if not platform.startswith("linux"):
        return None  # macOS and Windows always have their window system
    if env.get("QT_QPA_PLATFORM"):
        return None  # a platform chosen on purpose (offscreen, vnc, eglfs, ...)
    return None if has_display(env) else NO_DISPLAY


def check_display() -> None:
    """Raise `DisplayError` when the window cannot open here."""
    problem = display_problem(os.environ, sys.platform)
    if problem:
        raise DisplayError(problem)


def has_display(env: Mapping[str, str] | None = None) -> bool:
    """Whether an X or Wayland display is named (`env`: default the process's)."""
    env = os.environ if env is None else env
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def forget_opencv_qt(env: MutableMapping[str, str]) -> None:
    """Drop the Qt paths OpenCV's wheel sets when `cv2` is imported (`cv2/config-3.py` points
    QT_QPA_PLATFORM_PLUGIN_PATH and QT_QPA_FONTDIR into its own bundled Qt): PyQt6 would then
    load OpenCV's plugins, built for another Qt. Paths the user set elsewhere are kept."""
    for name in ("QT_QPA_PLATFORM_PLUGIN_PATH", "QT_QPA_FONTDIR"):
        value = env.get(name, "")
        parts = value.replace("\\", "/").split("/")
        if "cv2" in parts and "qt" in parts:
            del env[name]
