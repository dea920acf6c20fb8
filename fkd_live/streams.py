"""Results out of the window: opentrack, VMC and a virtual camera, fed one frame at a time.

Whoever runs the pipeline (the window's worker thread, a headless run, `fkd-live bench`) calls
`Streams.send(frame, result)` right after each result. Poses go out for the first tracked face
(lowest id) on frames with a face, and nothing while no face is tracked (receivers hold the last
pose); the virtual camera gets every frame, drawn with the prop and the layers asked for.

The window's thread may call `centre()`, `set_virtual_camera()` and set `prop` while the worker
sends: the camera is opened, used and closed under one lock.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from .adapters.senders import OpentrackSender, VmcSender
from .adapters.virtual_camera import VirtualCamera
from .config import StreamConfig
from .core.faces import FrameResult
from .core.outputs import SentPose, first_face

if TYPE_CHECKING:
    from .ui.props import LoadedProp

log = logging.getLogger(__name__)


class Streams:
    """The outputs `cfg` (the run's `streams` part) asks for, for frames of `size` (width,
    height) at `fps`.
    `prop` is what the virtual camera draws: the window keeps it on the prop it shows."""

    def __init__(self, cfg: StreamConfig, size: tuple[int, int], fps: float) -> None:
        self.cfg, self.size, self.fps = cfg, size, fps
        self.opentrack = OpentrackSender(self.cfg.opentrack) if self.cfg.opentrack else None
        self.vmc = VmcSender(self.cfg.vmc) if self.cfg.vmc else None
        self.neutral: SentPose | None = None
        self._centre = self.cfg.centre_on_start  # take the next pose sent as neutral
        self._lock = threading.Lock()
        self.camera: VirtualCamera | None = None
        self.prop: LoadedProp | None = None
        if self.cfg.virtual_camera is not None:
            self.set_virtual_camera(True)

    @property
    def any(self) -> bool:
        """Whether anything is being sent (so callers can skip the work)."""
        return bool(self.opentrack or self.vmc or self.camera)

    def centre(self) -> None:
        """Store the next pose sent as neutral: what is sent becomes relative to it."""
        self._centre = True

    def set_virtual_camera(self, on: bool) -> str:
        """Open or close the virtual camera; its device name (VirtualCameraError if none)."""
        with self._lock:
            if on and self.camera is None:
                device = self.cfg.virtual_camera or None
                self.camera = VirtualCamera(self.size, self.fps, device)
            elif not on and self.camera is not None:
                self.camera.close()
                self.camera = None
            return self.camera.device if self.camera is not None else ""

    def send(self, frame: npt.NDArray[np.uint8], result: FrameResult) -> None:
        """Everything this frame owes its receivers (see the module docstring)."""
        face = first_face(result)
        if face is not None and face.pose is not None and (self.opentrack or self.vmc):
            pose = SentPose.of(face.pose)
            if self._centre:
                self.neutral, self._centre = pose, False
                log.info("neutral pose stored: %s", pose)
            if self.opentrack is not None:
                self.opentrack.send_pose(pose.relative_to(self.neutral))
            if self.vmc is not None:
                self.vmc.send_pose(pose, self.neutral, result.t)
        if self.camera is not None:
            self._send_frame(frame, result)

    def _send_frame(self, frame: npt.NDArray[np.uint8], result: FrameResult) -> None:
        from .ui.overlay import result_lines  # Qt only when drawing
        from .ui.render import ensure_gui_app, render

        ensure_gui_app()
        layers = self.cfg.virtual_camera_layers
        hud = result_lines(result) if layers.hud else None
        image = render(frame, result, layers, self.prop, hud)
        with self._lock:
            if self.camera is not None:
                self.camera.send(image)

    def close(self) -> None:
        for sender in (self.opentrack, self.vmc):
            if sender is not None:
                sender.close()
        self.set_virtual_camera(False)
