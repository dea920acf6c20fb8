"""The main window: the live frame with its overlay, a HUD, menus and shortcuts."""

from __future__ import annotations

import logging
import time
from collections import deque
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
from PyQt6.QtCore import QRectF, Qt
from PyQt6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QImage,
    QKeySequence,
    QPainter,
    QPaintEvent,
)
from PyQt6.QtWidgets import QMainWindow, QMenu, QWidget

from ..adapters.virtual_camera import VirtualCameraError
from ..config import OverlayOptions
from ..core.faces import FrameResult
from ..core.files import OutputError, make_folder, replacing
from ..mailbox import Latest
from .overlay import draw_faces, draw_hud, result_lines
from .props import LoadedProp
from .recorder import Recorder

if TYPE_CHECKING:
    from ..streams import Streams
    from .worker import PipelineWorker

log = logging.getLogger(__name__)

STARTING = "starting…"


class VideoView(QWidget):
    """Paints the newest frame, scaled to fit and centred, with the overlay on top."""

    def __init__(self, info: list[str], options: OverlayOptions | None = None) -> None:
        super().__init__()
        self.setMinimumSize(320, 240)
        self.info = info
        self.options = options or OverlayOptions()
        self.prop: LoadedProp | None = None
        self._frame: npt.NDArray[np.uint8] | None = None
        self._result: FrameResult | None = None
        self._arrivals: deque[float] = deque(maxlen=30)
        self.status = STARTING

    def show_result(self, frame: npt.NDArray[np.uint8], result: FrameResult) -> None:
        self._frame, self._result = frame, result
        if self.status == STARTING:
            self.status = "running"
        self._arrivals.append(time.perf_counter())
        self.update()

    @property
    def fps(self) -> float:
        if len(self._arrivals) < 2:
            return 0.0
        return (len(self._arrivals) - 1) / max(self._arrivals[-1] - self._arrivals[0], 1e-9)

    def hud_lines(self) -> list[str]:
        lines = [f"{self.fps:5.1f} fps", *self.info]
        if self._result is not None:
            lines += result_lines(self._result)
        lines.append(self.status)
        return lines

    def paintEvent(self, event: QPaintEvent | None) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        painter.fillRect(self.rect(), Qt.GlobalColor.black)
        if self._frame is not None:
            h, w = self._frame.shape[:2]
            scale = min(self.width() / w, self.height() / h)
            ox, oy = (self.width() - w * scale) / 2, (self.height() - h * scale) / 2
            frame = np.ascontiguousarray(self._frame)
            image = QImage(frame.tobytes(), w, h, 3 * w, QImage.Format.Format_RGB888)
            painter.drawImage(QRectF(ox, oy, w * scale, h * scale), image)
            if self._result is not None:
                painter.save()
                painter.translate(ox, oy)
                draw_faces(painter, self._result, (w, h), scale, self.options, self.prop)
                painter.restore()
        if self.options.hud:
            draw_hud(painter, self.hud_lines())
        painter.end()


class MainWindow(QMainWindow):
    def __init__(
        self,
        title: str,
        info: list[str],
        screenshot_dir: Path,
        shelf: list[LoadedProp] | None = None,
        options: OverlayOptions | None = None,
        fps: float = 30.0,
        streams: Streams | None = None,
    ) -> None:
        super().__init__()
        self.streams = streams
        self.setWindowTitle(title)
        self.view = VideoView(info, options)
        self.setCentralWidget(self.view)
        self.screenshot_dir = screenshot_dir
        self.shelf = shelf or []
        self.recorder = Recorder(screenshot_dir, fps)
        self._results: Latest[tuple[npt.NDArray[np.uint8], FrameResult]] | None = None
        self._prop_actions: list[QAction] = []
        self._build_menus()
        self.resize(960, 720)

    def follow(self, worker: PipelineWorker) -> None:
        """Show the worker's newest result whenever one is waiting, and record every result
        (in the worker's thread: the recorder queues it for its own)."""
        self._results = worker.latest
        worker.result_waiting.connect(self.take_result)
        worker.taps.append(self.record)

    def take_result(self) -> None:
        """Slot (GUI thread): show the newest result, if one is still waiting."""
        item = self._results.take() if self._results is not None else None
        if item is not None:
            self.view.show_result(*item)

    def record(self, frame: npt.NDArray[np.uint8], result: FrameResult) -> None:
        """Tap for the worker (its thread): queue the frame as the view now draws it. The
        options and prop are immutable values, swapped whole by the GUI thread."""
        if self.recorder.active:
            self.recorder.add(frame, result, self.view.options, self.view.prop)

    def _toggle(self, label: str, key: str, field: str) -> QAction:
        action = QAction(label, self)
        action.setCheckable(True)
        action.setChecked(getattr(self.view.options, field))
        action.setShortcut(QKeySequence(key))

        def flip(on: bool) -> None:
            self.view.options = replace(self.view.options, **{field: on})
            self.view.update()

        action.toggled.connect(flip)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        assert bar is not None
        menus = [bar.addMenu(n) for n in ("&File", "&View", "P&rops", "&Output")]
        file_menu, view_menu, props_menu, output_menu = (m for m in menus if m is not None)
        shot = QAction("Save &screenshot", self)
        shot.setShortcut(QKeySequence("S"))
        shot.triggered.connect(self.save_screenshot)
        self.record_action = QAction("&Record video", self)
        self.record_action.setCheckable(True)
        self.record_action.setShortcut(QKeySequence("R"))
        self.record_action.toggled.connect(self.set_recording)
        quit_action = QAction("&Quit", self)
        quit_action.setShortcuts([QKeySequence("Q"), QKeySequence("Esc")])
        quit_action.triggered.connect(self.close)
        for action in (shot, self.record_action, quit_action):
            file_menu.addAction(action)
        for label, key, field in (
            ("&Keypoints", "K", "keypoints"),
            ("Head &pose", "P", "pose"),
            ("&Gaze cone", "G", "gaze"),
            ("Face &boxes", "B", "boxes"),
            ("&HUD", "H", "hud"),
        ):
            view_menu.addAction(self._toggle(label, key, field))
        self._build_props_menu(props_menu)
        self._build_output_menu(output_menu)

    def _build_output_menu(self, menu: QMenu) -> None:
        """Centre the pose sent to other apps (C) and the virtual camera on and off (V)."""
        centre = QAction("&Centre head pose", self)
        centre.setShortcut(QKeySequence("C"))
        centre.triggered.connect(self.centre_pose)
        self.camera_action = QAction("&Virtual camera", self)
        self.camera_action.setCheckable(True)
        self.camera_action.setShortcut(QKeySequence("V"))
        self.camera_action.setChecked(self.streams is not None and self.streams.camera is not None)
        self.camera_action.toggled.connect(self.set_virtual_camera)
        menu.addAction(centre)
        menu.addAction(self.camera_action)

    def centre_pose(self) -> None:
        """The next pose sent (opentrack, VMC) becomes neutral; the JSON is unchanged."""
        if self.streams is not None:
            self.streams.centre()
        self.view.status = "head pose centred"
        self.view.update()

    def set_virtual_camera(self, on: bool) -> None:
        if self.streams is None:
            return
        try:
            device = self.streams.set_virtual_camera(on)
        except VirtualCameraError as exc:
            log.error("%s", exc)
            _uncheck(self.camera_action)  # without reporting "off" over the error
            self.view.status = str(exc)
            self.view.update()
            return
        self.view.status = f"virtual camera on {device}" if on else "virtual camera off"
        self.view.update()

    def _build_props_menu(self, menu: QMenu) -> None:
        """No prop (0), each prop (1-9), and next/previous ([ and ])."""
        group = QActionGroup(self)
        for i, name in enumerate(["No prop", *(p.prop.name for p in self.shelf)]):
            action = QAction(name, self)
            action.setCheckable(True)
            if i < 10:
                action.setShortcut(QKeySequence(str(i)))
            action.triggered.connect(lambda _=False, i=i: self.select_prop(i - 1 if i else None))
            group.addAction(action)
            menu.addAction(action)
            self._prop_actions.append(action)
        menu.addSeparator()
        for label, key, step in (("&Next prop", "]", 1), ("&Previous prop", "[", -1)):
            action = QAction(label, self)
            action.setShortcut(QKeySequence(key))
            action.triggered.connect(lambda _=False, step=step: self.step_prop(step))
            menu.addAction(action)
        self.select_prop(None)

    def select_prop(self, index: int | None) -> None:
        """Show prop `index` of the shelf (None: no prop)."""
        self.view.prop = self.shelf[index] if index is not None else None
        if self.streams is not None:
            self.streams.prop = self.view.prop  # the call sees the prop the window shows
        self._prop_actions[0 if index is None else index + 1].setChecked(True)
        self.view.update()

    def step_prop(self, step: int) -> None:
        """Cycle through no prop and every prop."""
        current = self.shelf.index(self.view.prop) + 1 if self.view.prop is not None else 0
        slot = (current + step) % (len(self.shelf) + 1)
        self.select_prop(slot - 1 if slot else None)

    def set_recording(self, on: bool) -> None:
        if on:
            try:
                self.recorder.start()
            except OutputError as exc:
                log.error("%s", exc)
                self.view.status = "recording failed"
                _uncheck(self.record_action)
                return
            self.view.status = "recording"
        else:
            path = self.recorder.stop()
            self.view.status = f"saved {path.name}" if path else "nothing recorded"
        if self.record_action.isChecked() != on:
            self.record_action.setChecked(on)

    def closeEvent(self, event: QCloseEvent | None) -> None:  # noqa: N802 (Qt's name)
        if self.recorder.active:
            self.recorder.stop()
        super().closeEvent(event)

    def save_screenshot(self) -> Path:
        path = self.screenshot_dir / time.strftime("fkd-live-%Y%m%d-%H%M%S.png")
        try:
            make_folder(self.screenshot_dir)
            with replacing(path) as tmp:
                if not self.view.grab().save(str(tmp), "PNG"):
                    raise OutputError(f"cannot write {path}: Qt could not save a PNG there")
        except OutputError as exc:
            log.error("%s", exc)
            self.view.status = "screenshot failed"
            return path
        self.view.status = f"saved {path.name}"
        log.info("screenshot saved to %s", path)
        return path


def _uncheck(action: QAction) -> None:
    """Untick a menu toggle after its action failed, without calling its handler again."""
    action.blockSignals(True)
    action.setChecked(False)
    action.blockSignals(False)
