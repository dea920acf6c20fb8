"""A virtual webcam (pyvirtualcam) that Zoom, Meet, Discord and OBS can pick as a camera.

pyvirtualcam drives v4l2loopback on Linux and OBS's virtual camera on Windows and macOS; where
none exists, opening fails with `VirtualCameraError`, whose one line names what to install.
"""

from __future__ import annotations

import logging
import platform

import cv2
import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)

INSTALL = {
    "Linux": "install v4l2loopback and load it: "
    "sudo modprobe v4l2loopback devices=1 exclusive_caps=1",
    "Windows": "install OBS Studio (28 or newer) and start its virtual camera once",
    "Darwin": "install OBS Studio (30 or newer) and start its virtual camera once",
}


class VirtualCameraError(RuntimeError):
    """No virtual camera could be opened."""


def install_hint(system: str | None = None) -> str:
    return INSTALL.get(system or platform.system(), "install OBS Studio's virtual camera")


class VirtualCamera:
    """Frames of one size at one rate, sent as RGB; `device` None takes the first free one."""

    def __init__(self, size: tuple[int, int], fps: float, device: str | None = None) -> None:
        try:
            import pyvirtualcam
        except ImportError:
            raise VirtualCameraError(
                "the virtual camera needs pyvirtualcam: pip install pyvirtualcam"
            ) from None
        self.size, self.fps = size, float(fps or 30.0)
        try:
            self._cam = pyvirtualcam.Camera(
                size[0], size[1], self.fps, fmt=pyvirtualcam.PixelFormat.RGB, device=device
            )
        except Exception as exc:  # pyvirtualcam raises RuntimeError, ValueError and others
            reason = " ".join(str(exc).split()) or type(exc).__name__
            opened = f"virtual camera {device} could not be opened"
            where = opened if device else "no virtual camera found"
            message = f"{where} ({reason}); {install_hint()}"
            raise VirtualCameraError(message) from None
        self.device = str(self._cam.device)
        self.frames = 0
        log.info("virtual camera %s: %dx%d at %.1f fps", self.device, *size, self.fps)

    def send(self, rgb: npt.NDArray[np.uint8]) -> None:
        """One `(H, W, 3) uint8` RGB frame, resized if a camera delivered another size."""
        w, h = self.size
        if rgb.shape[:2] != (h, w):
            rgb = np.asarray(cv2.resize(rgb, (w, h), interpolation=cv2.INTER_AREA), np.uint8)
        try:
            self._cam.send(np.ascontiguousarray(rgb))
        except Exception as exc:  # the device went away under us
            raise VirtualCameraError(f"virtual camera {self.device} failed: {exc}") from None
        self.frames += 1

    def close(self) -> None:
        self._cam.close()
