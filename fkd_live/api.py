"""The Python API: `Tracker`, the object every `fkd-live` mode itself runs on.

    from fkd_live import Tracker

    with Tracker(max_faces=1) as tracker:
        faces = tracker.track(frame_rgb, t)   # video: tracking and smoothing, t in seconds
        faces = tracker.detect(image_rgb)     # one picture: no state, no smoothing

**Frames are `(H, W, 3) uint8` RGB arrays** (as MediaPipe and PIL give them; OpenCV's
`cv2.imread` and `VideoCapture` give BGR: convert with `cv2.cvtColor(f, cv2.COLOR_BGR2RGB)`).
Anything else raises `ValueError`. Each face is a `fkd_live.Face`: `keypoints` `(5, 2) float32`
pixels of the frame in contract order (image-left eye, image-right eye, nose tip, image-left and
image-right mouth corner), `box` `(x, y, w, h)`, `score`, `id` and `pose` (`yaw`, `pitch`,
`roll` degrees and `x`, `y`, `z` centimetres; None when it could not be solved).

`fkd-live --video V --keypoints-out K.jsonl` is `track` on each frame at its media time, and
`fkd-live image P --json` is `detect`: the command line is built on this class, so the two
give the same numbers.
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path
from types import TracebackType

import numpy as np
import numpy.typing as npt

from .adapters.detector import FaceDetector, make_detector
from .adapters.pose import estimate_pose
from .adapters.reading import read_faces
from .adapters.runtime import KeypointModel, shipped_model_path
from .config import PipelineConfig, RunConfig
from .core.contract import crop_from_box
from .core.faces import Face, FrameResult
from .core.geometry import (
    Matrix,
)
from .core.pose import DEFAULT_FOV_DEG
from .core.smoothing import OneEuroConfig
from .pipeline import Pipeline

Box = tuple[float, float, float, float]


def check_frame(frame: object) -> npt.NDArray[np.uint8]:
    """`frame` if it is an `(H, W, 3) uint8` array, else a ValueError saying what it is."""
    if not isinstance(frame, np.ndarray):
        raise ValueError(f"frames must be numpy arrays (H x W x 3 uint8 RGB), got {type(frame)}")
    if frame.ndim != 3 or frame.shape[2] != 3 or frame.shape[0] < 1 or frame.shape[1] < 1:
        raise ValueError(f"frames must be H x W x 3 uint8 RGB arrays, got shape {frame.shape}")
    if frame.dtype != np.uint8:
        raise ValueError(f"frames must be H x W x 3 uint8 RGB arrays, got dtype {frame.dtype}")
    return frame


class Tracker:
    """Faces, five keypoints and head pose in RGB frames (see the module docstring).

    Keyword options are the command line's: `model` (an `.onnx` from `python -m train`; default
    the shipped one), `device` (`auto`, `cpu`, `gpu`), `threads`, `detector_model` (BlazeFace
    `.tflite`; default `$FKD_LIVE_DETECTOR_MODEL`, the user cache, else downloaded once unless
    `download=False`), `max_faces`, `min_score`, `min_readable` (faces the model scores as less
    readable are dropped; models with a score), `redetect_every`, `crop_step` (the grid a
    tracked face's crop sits on, input pixels; 0: off), `smoothing` (One Euro, with `min_cutoff`
    Hz and `beta`), `fov` (the camera's horizontal field of view, degrees).
    The model loads at once; the detector when it is first needed (or at `prepare()`).
    """

    def __init__(
        self,
        *,
        max_faces: int = 1,
        model: str | Path | None = None,
        device: str = "auto",
        threads: int = 1,
        detector_model: str | Path | None = None,
        download: bool = True,
        min_score: float = 0.5,
        min_readable: float = PipelineConfig.min_readable,
        redetect_every: int = PipelineConfig.redetect_every,
        crop_step: float = PipelineConfig.crop_step,
        smoothing: bool = True,
        min_cutoff: float = OneEuroConfig.min_cutoff,
        beta: float = OneEuroConfig.beta,
        fov: float = DEFAULT_FOV_DEG,
    ) -> None:
        pipeline = PipelineConfig(
            max_faces=max_faces,
            min_score=min_score,
            min_readable=min_readable,
            redetect_every=redetect_every,
            crop_step=crop_step,
            smoothing=OneEuroConfig(min_cutoff=min_cutoff, beta=beta) if smoothing else None,
            fov=fov,
        )
        cfg = RunConfig(
            model=str(model) if model is not None else None,
            device=device,
            threads=threads,
            detector_model=str(detector_model) if detector_model is not None else None,
            download=download,
            pipeline=pipeline,
        )
        self._start(cfg, None, None)

    @classmethod
    def from_config(cls, cfg: RunConfig) -> Tracker:
        """The tracker a command line run describes (the CLI's way in)."""
        tracker = cls.__new__(cls)
        tracker._start(cfg, None, None)
        return tracker

    @classmethod
    def from_parts(
        cls, detector: FaceDetector, model: KeypointModel, config: PipelineConfig | None = None
    ) -> Tracker:
        """A tracker around a detector and model already made (tests, other detectors)."""
        tracker = cls.__new__(cls)
        tracker._start(RunConfig(pipeline=config or PipelineConfig()), detector, model)
        return tracker

    def _start(
        self, cfg: RunConfig, detector: FaceDetector | None, model: KeypointModel | None
    ) -> None:
        self.config = cfg
        if model is None:
            path = Path(cfg.model) if cfg.model else shipped_model_path()
            model = KeypointModel(path, device=cfg.device, threads=cfg.threads)
        self.model = model
        self._detector = detector
        self._pipeline: Pipeline | None = None
        self._last_t = -math.inf

    # -- what it runs on -------------------------------------------------------------------

    @property
    def detector(self) -> FaceDetector:
        """The face detector, loaded on first use."""
        if self._detector is None:
            cfg = self.config
            self._detector = make_detector(cfg.detector_model, cfg.pipeline.min_score, cfg.download)
        return self._detector

    def prepare(self) -> Tracker:
        """Load the detector now, so that a missing or bad file fails here, not on a frame."""
        _ = self.detector
        return self

    @property
    def provider(self) -> str:
        """The onnxruntime execution provider that really runs the model."""
        return self.model.provider

    # -- video -----------------------------------------------------------------------------

    def process(self, frame: npt.NDArray[np.uint8], t: float) -> FrameResult:
        """`track`, with each stage's milliseconds and whether the detector ran."""
        check_frame(frame)
        if not math.isfinite(t) or t < self._last_t:
            raise ValueError(f"t must be finite seconds that never decrease, got {t}")
        self._last_t = t
        if self._pipeline is None:
            self._pipeline = Pipeline(self.detector, self.model, self.config.pipeline)
        return self._pipeline.process(frame, t)

    def track(self, frame: npt.NDArray[np.uint8], t: float) -> tuple[Face, ...]:
        """Faces in the next frame of a video, taken at `t` seconds: tracked from the previous
        frames (same ids) and smoothed. Times must not decrease."""
        return self.process(frame, t).faces

    def reset(self) -> None:
        """Forget every tracked face (a new video)."""
        self._pipeline = None
        self._last_t = -math.inf

    @property
    def pipeline(self) -> Pipeline | None:
        """The tracking pipeline `track` drives (None before its first frame)."""
        return self._pipeline

    # -- still pictures --------------------------------------------------------------------

    def detect(
        self, image: npt.NDArray[np.uint8], *, box: Box | None = None, aligned: bool = False
    ) -> tuple[Face, ...]:
        """Faces in one picture, on their own (no tracking, no smoothing). `box=(x, y, w, h)`
        answers for that face box without the detector; `aligned=True` takes the picture as a
        CelebA-style aligned crop of any size."""
        check_frame(image)
        h, w = image.shape[:2]
        if aligned:
            return (
                self._answer(image, self.model.spec.aligned_to_input((w, h)), (0.0, 0.0, w, h)),
            )
        if box is not None:
            return (self._answer(image, crop_from_box(box, self.model.spec), box),)
        still = replace(self.config.pipeline, redetect_every=1, smoothing=None)
        return Pipeline(self.detector, self.model, still).process(image, 0.0).faces

    def _answer(self, image: npt.NDArray[np.uint8], matrix: Matrix, box: Box) -> Face:
        answer, scores = read_faces(image, [matrix], self.model)
        points = answer[0]
        size = (image.shape[1], image.shape[0])
        pose = estimate_pose(points, size, self.config.pipeline.fov)
        # The model's readable score when it has one (reported, not used to drop: the caller
        # framed this face), else 1: no detector judged it.
        score = 1.0 if scores is None else float(scores[0])
        return Face(box, score, points.astype(np.float32), pose, 1)

    # -- lifetime --------------------------------------------------------------------------

    def close(self) -> None:
        if self._detector is not None:
            self._detector.close()
            self._detector = None
        self._pipeline = None

    def __enter__(self) -> Tracker:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
