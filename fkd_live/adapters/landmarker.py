"""MediaPipe Face Landmarker (478 points), the peer we measure against, reduced to our five.

Five points from its mesh: the iris centres (468, 473), the nose tip (1) and the mouth corners
(61, 291); each pair is ordered by x so "left" is image-left as in the contract.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt

from .detector import DetectorError, create_quietly, native_stderr_silenced

MESH_EYES, MESH_NOSE, MESH_MOUTH = (468, 473), 1, (61, 291)


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
