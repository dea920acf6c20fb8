"""Offscreen drawing: the overlay burnt into a copy of the frame, for --output, R and `image`.

The same drawing functions as the window, painted at the frame's own resolution onto a QImage,
so what is written to a file is what the window shows (without its scaling).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import numpy.typing as npt
from PyQt6.QtGui import QGuiApplication, QImage, QPainter

from ..config import OverlayOptions
from ..core.faces import FrameResult
from ..display import forget_opencv_qt, has_display
from .overlay import draw_faces, draw_hud
from .props import LoadedProp

_APP: list[QGuiApplication] = []  # the one we made: kept, or Python frees it (and Qt aborts)


def ensure_gui_app() -> QGuiApplication:
    """A Qt application for offscreen drawing (text needs one); without a display, Qt's
    offscreen platform is used so headless runs work on servers. One made here lives as long
    as the process, whether or not the caller keeps it, and is a widgets `QApplication`, so a
    window can still be opened after it (Qt allows one application, and widgets need that
    kind)."""
    app = QGuiApplication.instance()
    if app is None:
        from PyQt6.QtWidgets import QApplication

        forget_opencv_qt(os.environ)
        if not has_display():
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QApplication(["fkd-live"])
        _APP.append(app)
    assert isinstance(app, QGuiApplication)
    return app


def render(
    frame: npt.NDArray[np.uint8],
    result: FrameResult,
    options: OverlayOptions,
    prop: LoadedProp | None = None,
    hud: list[str] | None = None,
) -> npt.NDArray[np.uint8]:
    """`(H, W, 3) uint8` RGB copy of `frame` with the overlay (and the HUD lines if given)."""
    h, w = frame.shape[:2]
    image = QImage(w, h, QImage.Format.Format_RGB888)
    _pixels(image)[:] = frame
    painter = QPainter(image)
    draw_faces(painter, result, (w, h), 1.0, options, prop)
    if hud and options.hud:
        draw_hud(painter, hud)
    painter.end()
    return _pixels(image).copy()


def _pixels(image: QImage) -> npt.NDArray[np.uint8]:
    """The image's pixels as a writable `(H, W, 3)` view (its rows are padded to 4 bytes)."""
    h, w, stride = image.height(), image.width(), image.bytesPerLine()
    bits: Any = image.bits()  # sip.voidptr: a writable buffer once sized
    bits.setsize(h * stride)
    rows: npt.NDArray[np.uint8] = np.frombuffer(bits, np.uint8).reshape(h, stride)
    return rows[:, : 3 * w].reshape(h, w, 3)


def draw_still(image: npt.NDArray[np.uint8], result: FrameResult) -> npt.NDArray[np.uint8]:
    """A still picture annotated as the window would (without the HUD)."""
    ensure_gui_app()
    return render(image, result, OverlayOptions(hud=False))
