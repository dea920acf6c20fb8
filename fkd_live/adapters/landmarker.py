"""MediaPipe's own tasks, the peers we measure against: Face Landmarker (478 points) reduced to
our five, and its FaceDetector.

Five points from its mesh: the iris centres (468, 473), the nose tip (1) and the mouth corners
(61, 291); each pair is ordered by x so "left" is image-left as in the contract.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from ..core.faces import Detection
from .detector import DetectorError

log = logging.getLogger(__name__)
T = TypeVar("T")

MESH_EYES, MESH_NOSE, MESH_MOUTH = (468, 473), 1, (61, 291)


@contextlib.contextmanager
def native_stderr_silenced() -> Iterator[None]:
    """Silence C++ libraries that print straight to file descriptor 2 (LiteRT's start-up INFO
    lines), unless logging is at DEBUG level. Python's own stderr is flushed first."""
    if log.isEnabledFor(logging.DEBUG):
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def create_quietly(create: Callable[[], T], what: str, path: Path) -> T:
    """A MediaPipe task from `create()`, its native start-up chatter silenced; a model it
    cannot load becomes one `DetectorError` line."""
    try:
        with native_stderr_silenced():
            return create()
    except (RuntimeError, ValueError) as exc:
        raise DetectorError(f"cannot load {what} model {path}: {exc}") from exc


class MediaPipeDetector:
    """BlazeFace short-range through MediaPipe's own FaceDetector task (IMAGE mode): the
    reference `detector.BlazeFaceDetector` is checked against (tests/test_blazeface.py)."""

    name = "mediapipe-blazeface"

    def __init__(self, model_path: Path, min_score: float = 0.5) -> None:
        import mediapipe as mp
        from mediapipe.tasks.python import BaseOptions, vision

        self._mp = mp
        options = vision.FaceDetectorOptions(
            base_options=BaseOptions(model_asset_path=str(model_path)),
            running_mode=vision.RunningMode.IMAGE,
            min_detection_confidence=min_score,
        )
        self._detector = create_quietly(
            lambda: vision.FaceDetector.create_from_options(options), "detector", model_path
        )

    def detect(self, rgb: npt.NDArray[np.uint8]) -> list[Detection]:
        mp = self._mp
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))
        h, w = rgb.shape[:2]
        out = []
        for det in self._detector.detect(image).detections:
            b = det.bounding_box
            kps = det.keypoints or []
            eyes = np.array([[kps[0].x * w, kps[0].y * h], [kps[1].x * w, kps[1].y * h]])
            score = float(det.categories[0].score) if det.categories else 0.0
            box = (float(b.origin_x), float(b.origin_y), float(b.width), float(b.height))
            out.append(Detection(box=box, score=score, eyes=eyes))
        return out

    def close(self) -> None:
        # Closing explicitly: mediapipe's own __del__ fails noisily at interpreter exit.
        with native_stderr_silenced():
            self._detector.close()


class MediaPipeLandmarker:
    """Face Landmarker in VIDEO mode (tracking between frames, as MediaPipe runs live)."""

    name = "mediapipe-face-landmarker"

    def __init__(self, model_path: str | Path, max_faces: int = 1) -> None:
        import mediapipe as mp
        from mediapipe.tasks.python import BaseOptions, vision

        path = Path(model_path)
        if not path.is_file():
            raise DetectorError(f"Face Landmarker model not found: {path}")
        self._mp = mp
        options = vision.FaceLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(path)),
            running_mode=vision.RunningMode.VIDEO,
            num_faces=max_faces,
        )
        self._landmarker = create_quietly(
            lambda: vision.FaceLandmarker.create_from_options(options), "Face Landmarker", path
        )
        self._last_ms = -1

    def detect(self, rgb: npt.NDArray[np.uint8], t: float) -> list[npt.NDArray[np.float64]]:
        """`(5, 2)` pixel keypoints of each face in a frame taken at `t` seconds."""
        mp = self._mp
        ms = max(round(t * 1000), self._last_ms + 1)  # VIDEO mode wants rising stamps
        self._last_ms = ms
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))
        h, w = rgb.shape[:2]
        out = []
        for mesh in self._landmarker.detect_for_video(image, ms).face_landmarks:
            xy = np.array([[p.x * w, p.y * h] for p in mesh], dtype=np.float64)
            out.append(five_from_mesh(xy))
        return out

    def close(self) -> None:
        with native_stderr_silenced():
            self._landmarker.close()


def five_from_mesh(mesh: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """`(478, 2)` mesh points to `(5, 2)` contract keypoints."""
    eyes = mesh[list(MESH_EYES)]
    mouth = mesh[list(MESH_MOUTH)]
    eyes = eyes[np.argsort(eyes[:, 0])]
    mouth = mouth[np.argsort(mouth[:, 0])]
    return np.vstack([eyes, mesh[MESH_NOSE][None], mouth])
