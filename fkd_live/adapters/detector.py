"""Face detectors: MediaPipe's BlazeFace short-range, or OpenCV's Haar cascade as a fallback."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np
import numpy.typing as npt

from ..core.blazeface import INPUT_SIZE, Letterbox, decode, ssd_anchors, to_detections, weighted_nms
from ..core.faces import Detection

log = logging.getLogger(__name__)

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
    # platformdirs and the downloader (urllib, ssl, email: 25 ms) are imported only when the
    # model is not named: a start-up with --detector-model or $FKD_LIVE_DETECTOR_MODEL skips them.
    import platformdirs

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


class BlazeFaceDetector:
    """BlazeFace short-range (MediaPipe's `.tflite` file) run by OpenCV's DNN module, decoded
    as MediaPipe's face detection graph decodes it (`core.blazeface`): the same detections as
    MediaPipe's FaceDetector (scores and eyes equal to 1e-4; boxes unrounded), without
    importing mediapipe, which takes about a second (it loads matplotlib)."""

    name = "blazeface"

    def __init__(self, model_path: Path, min_score: float = 0.5) -> None:
        try:
            self._net = cv2.dnn.readNetFromTFLite(str(model_path))
            self._outputs = list(self._net.getUnconnectedOutLayersNames())
            scores, _ = self._forward(np.zeros((INPUT_SIZE, INPUT_SIZE, 3), np.uint8))
        except cv2.error as exc:
            # "OpenCV(4.x) file:line: error: (-2:...) WHAT in function 'F'": keep WHAT.
            message = str(exc).split("error) ", 1)[-1].split(" in function")[0].strip()
            raise DetectorError(f"cannot load detector model {model_path}: {message}") from exc
        except ValueError as exc:  # not two outputs
            raise DetectorError(f"{model_path} is not BlazeFace short-range: {exc}") from exc
        self._anchors = ssd_anchors()
        if scores.size != len(self._anchors):
            raise DetectorError(f"{model_path} is not BlazeFace short-range: {scores.size} anchors")
        self.min_score = min_score

    def _forward(
        self, square: npt.NDArray[np.uint8]
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
        """The network's raw `(896,)` scores and `(896, 16)` numbers for a 128x128 RGB input."""
        blob = square.transpose(2, 0, 1)[None].astype(np.float32) * (1 / 127.5) - 1.0
        self._net.setInput(blob)
        scores, coords = self._net.forward(self._outputs)
        return np.asarray(scores, np.float32).reshape(-1), np.asarray(coords, np.float32).reshape(
            -1, 16
        )

    def detect(self, rgb: npt.NDArray[np.uint8]) -> list[Detection]:
        h, w = rgb.shape[:2]
        letterbox = Letterbox.fit(w, h)
        # Bilinear and black borders, as MediaPipe's CPU image-to-tensor step.
        square = np.asarray(
            cv2.warpAffine(
                rgb, letterbox.matrix(), (INPUT_SIZE, INPUT_SIZE), flags=cv2.INTER_LINEAR
            ),
            np.uint8,
        )
        candidates = decode(*self._forward(square), self._anchors, self.min_score)
        return to_detections(weighted_nms(candidates), letterbox)

    def close(self) -> None:
        pass


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
    from .download import download

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
        from .download import DownloadError

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
    return BlazeFaceDetector(path, min_score)
