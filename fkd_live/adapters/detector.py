"""Face detectors: MediaPipe's BlazeFace short-range, or OpenCV's Haar cascade as a fallback."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol, TypeVar

import cv2
import numpy as np
import numpy.typing as npt
import platformdirs

from ..core.faces import Detection
from .download import DownloadError, download

log = logging.getLogger(__name__)

T = TypeVar("T")

DETECTOR_FILE = "blaze_face_short_range.tflite"
DETECTOR_ENV = "FKD_LIVE_DETECTOR_MODEL"
# MediaPipe's published BlazeFace short-range model and its SHA-256 (pinned: a changed file is
# refused). $FKD_LIVE_DETECTOR_URL points elsewhere (a mirror; tests use a local file:// URL).
DETECTOR_URL = (
    "https://storage.googleapis.com/mediapipe-models/face_detector/"
    "blaze_face_short_range/float16/1/blaze_face_short_range.tflite"
)
DETECTOR_SHA256 = "b4578f35940bf5a1a655214a1cce5cab13eba73c1297cd78e1a04c2380b0152f"
DETECTOR_URL_ENV = "FKD_LIVE_DETECTOR_URL"


class DetectorError(RuntimeError):
    """The detector model cannot be found or loaded."""


class FaceDetector(Protocol):
    name: str

    def detect(self, rgb: npt.NDArray[np.uint8]) -> list[Detection]: ...

    def close(self) -> None: ...


def user_cache_model() -> Path:
    return Path(platformdirs.user_cache_dir("fkd-live")) / DETECTOR_FILE


def find_detector_model(explicit: str | None) -> Path | None:
    """The BlazeFace file: `--detector-model`, then $FKD_LIVE_DETECTOR_MODEL, then the user cache.

    An explicitly named file that does not exist is an error, not a silent fallback.
    """
    for origin, value in (
        ("--detector-model", explicit),
        (DETECTOR_ENV, os.environ.get(DETECTOR_ENV)),
    ):
        if value:
            path = Path(value)
            if not path.is_file():
                raise DetectorError(f"detector model named by {origin} not found: {path}")
            return path
    cached = user_cache_model()
    return cached if cached.is_file() else None


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
    """BlazeFace short-range through the MediaPipe Tasks FaceDetector (IMAGE mode)."""

    name = "blazeface"

    def __init__(self, model_path: Path, min_score: float = 0.5) -> None:
        import mediapipe as mp
        from mediapipe.tasks.python import BaseOptions, vision

        self._mp = mp  # imported here, lazily, and kept for the per-frame calls
        options = vision.FaceDetectorOptions(
            base_options=BaseOptions(model_asset_path=str(model_path)),
            running_mode=vision.RunningMode.IMAGE,
            min_detection_confidence=min_score,
        )
        self._detector = create_quietly(
            lambda: vision.FaceDetector.create_from_options(options), "detector", model_path
        )
        with native_stderr_silenced():
            # The first call prints LiteRT's memory-alignment notice: make it here, quietly.
            self._detector.detect(
                mp.Image(image_format=mp.ImageFormat.SRGB, data=np.zeros((64, 64, 3), np.uint8))
            )

    def detect(self, rgb: npt.NDArray[np.uint8]) -> list[Detection]:
        mp = self._mp
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))
        h, w = rgb.shape[:2]
        out = []
        for det in self._detector.detect(image).detections:
            b = det.bounding_box
            # BlazeFace's first two keypoints are the subject's right then left eye, i.e. the
            # image-left eye first on an unmirrored picture, the contract's order.
            kps = det.keypoints or []
            eyes = (
                np.array([[kps[0].x * w, kps[0].y * h], [kps[1].x * w, kps[1].y * h]])
                if len(kps) >= 2
                else None
            )
            score = float(det.categories[0].score) if det.categories else 0.0
            box = (float(b.origin_x), float(b.origin_y), float(b.width), float(b.height))
            out.append(Detection(box=box, score=score, eyes=eyes))
        return out

    def close(self) -> None:
        # Closing explicitly: mediapipe's own __del__ fails noisily at interpreter exit.
        with native_stderr_silenced():
            self._detector.close()


class HaarDetector:
    """OpenCV's bundled frontal-face Haar cascade: boxes only, used when BlazeFace is absent."""

    name = "haar"

    def __init__(self) -> None:
        cascades = Path(cv2.data.haarcascades)  # type: ignore[attr-defined]
        path = cascades / "haarcascade_frontalface_default.xml"
        self._cascade = cv2.CascadeClassifier(str(path))
        if self._cascade.empty():
            raise DetectorError(f"cannot load OpenCV's Haar cascade from {path}")

    def detect(self, rgb: npt.NDArray[np.uint8]) -> list[Detection]:
        grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
        min_side = max(24, min(grey.shape[:2]) // 10)
        boxes = self._cascade.detectMultiScale(grey, 1.1, 5, minSize=(min_side, min_side))
        return [
            Detection(box=(float(x), float(y), float(w), float(h)), score=1.0)
            for x, y, w, h in boxes
        ]

    def close(self) -> None:
        pass


def fetch_detector_model() -> Path:
    """Download BlazeFace into the user cache; `DownloadError` when offline or when what
    arrives is not the pinned file."""
    url = os.environ.get(DETECTOR_URL_ENV) or DETECTOR_URL
    return download(url, user_cache_model(), DETECTOR_SHA256)


def make_detector(
    explicit_model: str | None, min_score: float = 0.5, allow_download: bool = True
) -> FaceDetector:
    """BlazeFace from the first file `find_detector_model` names, else downloaded once into the
    user cache, else (offline) OpenCV's Haar cascade with a one-line warning."""
    path = find_detector_model(explicit_model)
    why = "downloads are off"
    if path is None and allow_download:
        try:
            path = fetch_detector_model()
        except DownloadError as exc:
            why = str(exc)
    if path is None:
        log.warning(
            "no BlazeFace model (--detector-model, $%s, %s; %s): using OpenCV's Haar cascade",
            DETECTOR_ENV,
            user_cache_model(),
            why,
        )
        return HaarDetector()
    return MediaPipeDetector(path, min_score)
