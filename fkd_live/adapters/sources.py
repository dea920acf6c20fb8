"""Frame sources: webcam, video file, still image and the built-in demo. All yield RGB frames.

A source's `read()` returns `(frame, t)`: an `(H, W, 3) uint8` RGB frame and its timestamp in
seconds (the media time for files and the demo, the capture clock for cameras), or None at the end.
"""

from __future__ import annotations

import math
import os
import time
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np
import numpy.typing as npt

from ..core.geometry import Matrix, apply_transform, invert_transform, similarity_matrix
from ..core.relief import HeadRelief
from .imaging import bgr_to_rgb, read_image_rgb

Frame = npt.NDArray[np.uint8]
FILL = (40, 40, 48)  # the demo's background where the moved portrait does not reach


class SourceError(RuntimeError):
    """A source cannot be opened or stopped delivering frames."""


class FrameSource(Protocol):
    name: str
    fps: float
    live: bool  # frames arrive in real time (a camera); files are paced by the reader
    size: tuple[int, int]  # (width, height) of its frames (a camera's: as it reports it)

    def read(self) -> tuple[Frame, float] | None: ...

    def close(self) -> None: ...


class CameraSource:
    """A webcam through OpenCV, asking for MJPEG and a one-frame buffer so the newest frame wins."""

    live = True

    def __init__(self, index: int, size: tuple[int, int] | None = None, fps: float = 0.0) -> None:
        self.name = f"camera {index}"
        self._cap = cv2.VideoCapture(index)
        if not self._cap.isOpened():
            self._cap.release()
            raise SourceError(
                f"camera {index} could not be opened (missing, busy or no permission)"
            )
        self._cap.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter.fourcc(*"MJPG"))
        self._cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        if size:
            self._cap.set(cv2.CAP_PROP_FRAME_WIDTH, size[0])
            self._cap.set(cv2.CAP_PROP_FRAME_HEIGHT, size[1])
        if fps:
            self._cap.set(cv2.CAP_PROP_FPS, fps)
        self.fps = float(self._cap.get(cv2.CAP_PROP_FPS) or 30.0)
        self.size = (
            int(self._cap.get(cv2.CAP_PROP_FRAME_WIDTH)),
            int(self._cap.get(cv2.CAP_PROP_FRAME_HEIGHT)),
        )

    def read(self) -> tuple[Frame, float] | None:
        ok, bgr = self._cap.read()
        if not ok or bgr is None:
            raise SourceError(f"{self.name} stopped delivering frames (unplugged or in use?)")
        return bgr_to_rgb(np.asarray(bgr, dtype=np.uint8)), time.monotonic()

    def close(self) -> None:
        self._cap.release()


class VideoSource:
    """A video file, read frame by frame; timestamps are frame index / fps."""

    live = False

    def __init__(self, path: str) -> None:
        self.name = Path(path).name
        if not Path(path).is_file():
            raise SourceError(f"video file not found: {path}")
        # The decoder's threads leave a core to the pipeline: on 2 cores, one thread decoding
        # d13.mp4 (720x1280) beside the pipeline took a little less CPU and time than FFmpeg's
        # default of one per core (`fkd-live --video d13.mp4 --headless --keypoints-out K`,
        # four alternated runs each with the thread count patched: 1.31-1.56 s against
        # 1.48-1.54 s; within this machine's noise, so a mild choice, not a proven gain).
        threads = max(1, (os.cpu_count() or 2) - 1)
        self._cap = cv2.VideoCapture(path, cv2.CAP_FFMPEG, [cv2.CAP_PROP_N_THREADS, threads])
        if not self._cap.isOpened():  # a build or file FFmpeg does not take: any backend
            self._cap = cv2.VideoCapture(path)
        ok, first = self._cap.read() if self._cap.isOpened() else (False, None)
        if not ok or first is None:
            self._cap.release()
            raise SourceError(f"cannot read video {path}: not a video OpenCV can decode")
        self.fps = float(self._cap.get(cv2.CAP_PROP_FPS) or 30.0) or 30.0
        self._pending: Frame | None = np.asarray(first, dtype=np.uint8)
        self._bgr: Frame = self._pending
        self.size = (self._pending.shape[1], self._pending.shape[0])
        self._index = 0

    def read(self) -> tuple[Frame, float] | None:
        if self._pending is not None:
            bgr, self._pending = self._pending, None
        else:
            # Decoded into one reused buffer (the RGB copy is what leaves): a fresh 2.7 MB array
            # a frame, freed at once, made glibc hand the heap's top back and fault it in again
            # each frame (d13.mp4 read in a loop: 474k page faults, 1.8 s; reused: 0.9 s).
            ok, data = self._cap.read(self._bgr)
            if not ok or data is None:
                return None
            bgr = self._bgr = np.asarray(data, dtype=np.uint8)
        t = self._index / self.fps
        self._index += 1
        return bgr_to_rgb(bgr), t

    def close(self) -> None:
        self._cap.release()


class ImageSource:
    """One still picture, repeated (so the window keeps showing it) at `fps`."""

    live = False

    def __init__(self, path: str, fps: float = 30.0) -> None:
        self.name = Path(path).name
        image = read_image_rgb(path) if Path(path).is_file() else None
        if image is None:
            raise SourceError(f"cannot read image {path}: missing or not an image")
        self._image, self.fps, self._index = image, fps, 0
        self.size = (image.shape[1], image.shape[0])

    def read(self) -> tuple[Frame, float] | None:
        t = self._index / self.fps
        self._index += 1
        return self._image.copy(), t

    def close(self) -> None:
        pass


class DemoSource:
    """A real face with no webcam and no download: scikit-image's public-domain astronaut
    portrait (NASA), moved by a smooth synthetic head motion that is a pure function of time:
    it turns (yaw, through `core.relief`'s head relief), nods (pitch), rolls, scales and moves."""

    live = False
    name = "demo"
    # Where the shipped model finds the portrait's five points (contract order), measured once
    # with `Tracker().detect(skimage.data.astronaut())`: the relief is fitted to them.
    PORTRAIT_KEYPOINTS = (
        (203.4, 100.8),
        (245.7, 102.7),
        (224.8, 127.7),
        (201.0, 138.6),
        (245.1, 140.3),
    )
    # Renders solve the relief on a grid of one point per GRID portrait pixels (about 4 frame
    # pixels at 640x480), then interpolate: the displacement is smooth, and the solve is the
    # costly part.
    GRID = 3.0

    def __init__(self, size: tuple[int, int] = (640, 480), fps: float = 30.0) -> None:
        from skimage import data

        self._portrait: Frame = np.ascontiguousarray(data.astronaut())  # type: ignore[no-untyped-call]
        self.size, self.fps, self._index = size, fps, 0
        self.relief = HeadRelief.for_face(self.PORTRAIT_KEYPOINTS)

    def matrix_at(self, t: float) -> Matrix:
        """`(2, 3)` portrait-to-frame matrix at time `t` seconds: the face (about (225, 130)
        in the portrait) rolled, scaled and moved along smooth sines."""
        w, h = self.size
        ph, pw = self._portrait.shape[:2]
        base = min(w / pw, h / ph) * 1.5  # webcam-like: the face about a third of the height
        scale = base * (1.0 + 0.08 * math.sin(2 * math.pi * t / 5.3))
        angle = math.radians(9.0 * math.sin(2 * math.pi * t / 4.1))
        m = similarity_matrix(scale, angle, 0.0, 0.0)
        centre = np.array([225.0, 130.0])
        target = np.array(
            [
                w / 2 + 50 * math.sin(2 * math.pi * t / 3.7),
                h * 0.45 + 20 * math.sin(2 * math.pi * t / 4.9),
            ]
        )
        m[:, 2] = target - m[:, :2] @ centre
        return m

    @staticmethod
    def turn_at(t: float) -> tuple[float, float]:
        """`(yaw, pitch)` degrees the head is turned at `t` seconds (both 0 at t = 0): yaw
        peaks at +/-30 degrees, pitch at +/-10."""
        return 30.0 * math.sin(2 * math.pi * t / 6.56), 10.0 * math.sin(2 * math.pi * t / 5.9)

    def place(self, points: npt.ArrayLike, t: float) -> npt.NDArray[np.float64]:
        """`(N, 2)` portrait points to where they are in the frame at `t`."""
        return apply_transform(self.matrix_at(t), self.relief.place(points, *self.turn_at(t)))

    def frame_at(self, t: float) -> Frame:
        """The frame at `t`: the portrait moved by `matrix_at(t)`, its head turned by
        `turn_at(t)` (only the head's box is redrawn: nothing outside it moves)."""
        m = self.matrix_at(t)
        out = cv2.warpAffine(
            self._portrait, m, self.size, borderMode=cv2.BORDER_CONSTANT, borderValue=FILL
        )
        box = self.head_box(m)
        if box is not None and any(self.turn_at(t)):
            x0, y0, x1, y1 = box
            out[y0:y1, x0:x1] = self._turned(m, box, t)
        return np.asarray(out, dtype=np.uint8)

    def head_box(self, m: Matrix) -> tuple[int, int, int, int] | None:
        """`(x0, y0, x1, y1)`, ends excluded: the frame pixels a turn can change when the
        portrait-to-frame matrix is `m` (the relief's extent carried by `m`, clipped to the
        frame); None when the head is off the frame."""
        a, b, c, d = self.relief.extent()
        corners = apply_transform(m, [(a, b), (c, b), (a, d), (c, d)])
        (left, top), (right, bottom) = corners.min(axis=0), corners.max(axis=0)
        w, h = self.size
        x0, y0 = max(0, math.floor(left)), max(0, math.floor(top))
        x1, y1 = min(w, math.ceil(right) + 1), min(h, math.ceil(bottom) + 1)
        return (x0, y0, x1, y1) if x0 < x1 and y0 < y1 else None

    def _turned(self, m: Matrix, box: tuple[int, int, int, int], t: float) -> Frame:
        """The head's box of the frame at `t`, turned. Where each pixel samples the portrait
        is solved on a grid of one point per `GRID` portrait pixels (the map is smooth, and
        the solve is the costly part) and interpolated. The grid reaches a step beyond the box
        on every side, so no pixel of the box lies where the interpolation would clamp."""
        x0, y0, x1, y1 = box
        step = max(2.0, self.GRID * math.sqrt(abs(np.linalg.det(m[:, :2]))))
        pad = math.ceil(step)
        bw, bh = x1 - x0 + 2 * pad, y1 - y0 + 2 * pad  # the padded box
        gw, gh = math.ceil(bw / step), math.ceil(bh / step)
        # Grid points at the centres cv2.resize's linear interpolation assumes, in frame pixels.
        u = x0 - pad + (np.arange(gw) + 0.5) * (bw / gw) - 0.5
        v = y0 - pad + (np.arange(gh) + 0.5) * (bh / gh) - 0.5
        seen = apply_transform(invert_transform(m), np.stack(np.meshgrid(u, v), axis=-1))
        x, y = self.relief.source_of(seen[..., 0], seen[..., 1], *self.turn_at(t))
        inner = (slice(pad, bh - pad), slice(pad, bw - pad))
        map_x = cv2.resize(x.astype(np.float32), (bw, bh))[inner]
        map_y = cv2.resize(y.astype(np.float32), (bw, bh))[inner]
        patch = cv2.remap(
            self._portrait,
            map_x,
            map_y,
            cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_CONSTANT,
            borderValue=FILL,
        )
        return np.asarray(patch, dtype=np.uint8)

    def read(self) -> tuple[Frame, float] | None:
        t = self._index / self.fps
        self._index += 1
        return self.frame_at(t), t

    def close(self) -> None:
        pass
