"""The synchronous per-frame pipeline: detect or track, align, run the keypoint model, map back.

`Pipeline.process(frame, t)` is deterministic for a given sequence of (frame, t): no threads, no
clock reads for logic (the stage timings are measurement only). Its state is the tracked faces
(previous keypoints, id, smoothing filter), driven only by the frames and the `t` passed in.

A face framed from the detector (new, or found again) is answered twice: the detector's eyes
are coarse, so the model's first answer aligns the crop it answers again (`refine_detections`).

Tracking: once a face is found, the next frame is aligned from its previous keypoints and the
detector is skipped. The detector runs again every `redetect_every` frames (to pick up new faces
and to confirm the tracked ones: a tracked face it no longer sees is dropped), and at once when a
tracked face is lost (its keypoints no longer form a plausible face, or leave the frame, or the
model's readable-face score for its crop falls under `min_readable`), in the same frame.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt

from .adapters.detector import FaceDetector
from .adapters.pose import estimate_pose
from .adapters.reading import read_faces
from .adapters.runtime import KeypointModel
from .config import PipelineConfig
from .core.contract import crop_from_box, crop_from_points
from .core.faces import Detection, Face, FrameResult
from .core.geometry import DegenerateTransformError, Matrix, apply_transform, is_invertible
from .core.plausibility import plausible
from .core.smoothing import OneEuroFilter
from .core.tracking import Track, box_corners, face_frame, match_boxes, shape_error, snap_crop

STAGES = ("detect", "align", "warp", "keypoints", "check", "smooth", "pose")
"""The stages `FrameResult.stage_ms` times, in order: the detector (with matching its faces to
the tracks), placing the crops, warping them, the model, mapping its answers back and checking
them (plausible, readable), the smoothing filter and the head pose."""


class _Laps:
    """Milliseconds by stage: each `lap(name)` adds the time since the previous lap to `name`.
    Measurement only: no decision reads it."""

    def __init__(self) -> None:
        self.ms = dict.fromkeys(STAGES, 0.0)
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.ms[name] += 1e3 * (now - self._last)
        self._last = now


def alignment_matrix(det: Detection, model: KeypointModel) -> Matrix:
    """Frame-to-input matrix: from the detector's eyes when it gives them, else from its box."""
    if det.eyes is not None:
        try:
            return crop_from_points(det.eyes, model.spec)
        except DegenerateTransformError:
            pass  # eyes on one pixel: frame by the box instead
    return crop_from_box(det.box, model.spec)


@dataclass
class _Plan:
    """One face to run the model on this frame: its track (None: a new face), the alignment and
    the detection when this frame gave one."""

    track: Track | None
    matrix: Matrix
    det: Detection | None
    from_detector: bool = False  # aligned from the detection, not from the track's keypoints
    # False when the crop collapses (a face box or keypoints shrunk to a line): its answers
    # could not be mapped back to the frame (set again by `replace`).
    usable: bool = field(init=False)

    def __post_init__(self) -> None:
        self.usable = is_invertible(self.matrix)  # read_faces inverts it, once


class Pipeline:
    def __init__(
        self, detector: FaceDetector, model: KeypointModel, config: PipelineConfig | None = None
    ) -> None:
        self.detector, self.model = detector, model
        self.config = config or PipelineConfig()
        self._tracks: list[Track] = []
        self._since_detect = 0
        self._ids = itertools.count(1)

    def process(self, frame: npt.NDArray[np.uint8], t: float) -> FrameResult:
        """Faces in an `(H, W, 3) uint8` RGB frame taken at time `t` seconds."""
        laps = _Laps()
        cfg = self.config
        every = cfg.redetect_every if len(self._tracks) >= cfg.max_faces else cfg.search_every
        detect = not self._tracks or self._since_detect + 1 >= min(every, cfg.redetect_every)
        lost = self._step(frame, t, detect, laps)
        if lost:
            # A tracked face slipped away (its crop, aligned from its last keypoints, no longer
            # reads as a face): look for it now, not N frames later, and frame it from the
            # detector even where this frame's detection had confirmed it.
            detect = True
            self._step(frame, t, True, laps, revive=lost)
        self._since_detect = 0 if detect else self._since_detect + 1
        size = (frame.shape[1], frame.shape[0])
        faces = []
        for track in self._tracks:
            k = track.follow(t)
            box = track.box
            laps.lap("smooth")
            pose = estimate_pose(k, size, self.config.fov)
            faces.append(Face(box, track.score, k.astype(np.float32), pose, track.track_id))
            laps.lap("pose")
        stages = tuple(laps.ms.items())
        return FrameResult(t=t, faces=tuple(faces), stage_ms=stages, detected=detect)

    def _step(
        self,
        frame: npt.NDArray[np.uint8],
        t: float,
        detect: bool,
        laps: _Laps,
        revive: list[Track] | None = None,
    ) -> list[Track]:
        """Advance every track by one frame (detecting first if asked); returns the lost ones.
        `revive`: tracks lost earlier in this frame that a detection may continue (same id)."""
        plans = self._plan(frame, t, revive or [], laps) if detect else self._tracking_plans(t)
        lost = [p.track for p in plans if not p.usable and p.track is not None]
        plans = [p for p in plans if p.usable]
        laps.lap("align")
        if not plans:
            self._tracks = []
            return lost
        points, scores = read_faces(frame, [p.matrix for p in plans], self.model, laps.lap)
        if self.config.refine_detections:
            plans, points, scores = self._refine(frame, plans, points, scores, laps)
        kept: list[Track] = []
        for i, (plan, p) in enumerate(zip(plans, points, strict=True)):
            track = self._update(plan, p, None if scores is None else scores[i])
            if track is not None:
                kept.append(track)
            elif plan.track is not None:
                lost.append(plan.track)
        self._tracks = kept
        laps.lap("check")
        return lost

    def _refine(
        self,
        frame: npt.NDArray[np.uint8],
        plans: list[_Plan],
        points: npt.NDArray[np.float64],
        scores: npt.NDArray[np.float64] | None,
        laps: _Laps,
    ) -> tuple[list[_Plan], npt.NDArray[np.float64], npt.NDArray[np.float64] | None]:
        """Plans aligned from the detector, realigned from the model's first answer `(N, 5, 2)`
        (frame pixels, with its scores `(N,)` if any) and answered again; implausible first
        answers keep their crop."""
        redo: list[tuple[int, Matrix]] = []
        for i, (plan, p) in enumerate(zip(plans, points, strict=True)):
            if not plan.from_detector:  # tracked faces (every frame's work) are left alone
                continue
            if self._plausible(p):
                redo.append((i, crop_from_points(p, self.model.spec)))
        laps.lap("align")
        if not redo:
            return plans, points, scores
        again, again_scores = read_faces(frame, [m for _, m in redo], self.model, laps.lap)
        plans, points = list(plans), points.copy()
        scores = None if scores is None else scores.copy()
        for j, ((i, matrix), p) in enumerate(zip(redo, again, strict=True)):
            plans[i] = replace(plans[i], matrix=matrix)
            points[i] = p
            if scores is not None and again_scores is not None:
                scores[i] = again_scores[j]
        laps.lap("align")
        return plans, points, scores

    @property
    def tracks(self) -> tuple[Track, ...]:
        """The faces tracked after the last frame, lowest id first (read-only view)."""
        return tuple(self._tracks)

    def _tracking_plans(self, t: float) -> list[_Plan]:
        return [_Plan(track, self.track_crop(track, t), None) for track in self._tracks]

    def track_crop(self, track: Track, t: float) -> Matrix:
        """Where a tracked face's crop sits in a frame taken at `t` (see `crop_step`)."""
        spec = self.model.spec
        centre = (spec.input_width / 2, spec.input_height / 2)
        return snap_crop(crop_from_points(track.anchor(t), spec), centre, self.config.crop_step)

    def _plan(
        self, frame: npt.NDArray[np.uint8], t: float, revive: list[Track], laps: _Laps
    ) -> list[_Plan]:
        """Run the detector and decide what to run the model on: tracked faces it confirms
        (aligned from their keypoints), lost faces it finds again and new faces (aligned from the
        detection), at most `max_faces`, best scores first. Unconfirmed tracks are dropped."""
        cfg = self.config
        dets = [d for d in self.detector.detect(frame) if d.score >= cfg.min_score]
        dets.sort(key=lambda d: -d.score)
        candidates = self._tracks + revive
        pairs = match_boxes([c.box for c in candidates], [d.box for d in dets])
        laps.lap("detect")
        plans = []
        for ti, di in pairs:
            track, det = candidates[ti], dets[di]
            live = ti < len(self._tracks)
            # A live track keeps aligning from its own keypoints; one lost earlier in this
            # frame failed on its keypoints, so trust the detector.
            matrix = self.track_crop(track, t) if live else alignment_matrix(det, self.model)
            plans.append(_Plan(track, matrix, det, from_detector=not live))
        matched = {di for _, di in pairs}
        for di, det in enumerate(dets):
            if di not in matched:
                matrix = alignment_matrix(det, self.model)
                plans.append(_Plan(None, matrix, det, from_detector=True))
        plans.sort(key=lambda p: -(p.det.score if p.det else 0.0))
        plans = plans[: cfg.max_faces]
        plans.sort(key=lambda p: p.track.track_id if p.track else 1 << 30)
        return plans

    def _update(
        self, plan: _Plan, keypoints: npt.NDArray[np.float64], readable: float | None
    ) -> Track | None:
        """The plan's track moved to `keypoints` (a new track for a new face); None if lost.
        `readable`: the model's score for the crop (None: the model has none), which becomes
        the face's score; without one the face keeps its last detection's score."""
        if not self._plausible(keypoints):
            return None
        if readable is not None and readable < self.config.min_readable:
            return None  # the model says this crop holds no face it can read
        track = plan.track
        if track is None:
            track = Track(next(self._ids), keypoints, np.zeros((4, 2)), 0.0, self._smoother())
        track.keypoints = keypoints
        if plan.det is not None:
            track.score = plan.det.score
            track.box_in_face = apply_transform(face_frame(keypoints), box_corners(plan.det.box))
        if readable is not None:
            track.score = float(readable)
        return track

    def _plausible(self, keypoints: npt.NDArray[np.float64]) -> bool:
        """Whether model keypoints still describe a face: finite, a usable eye distance, a shape
        a face can make (`core.plausibility`) and one the template fits (`max_shape_error`)."""
        if not np.isfinite(keypoints).all():
            return False
        if float(np.linalg.norm(keypoints[1] - keypoints[0])) < 2.0:
            return False
        if not plausible(keypoints):  # a shape no face makes (mouth above the eyes, crossed...)
            return False
        error = shape_error(keypoints, self.model.spec.template)
        return error <= self.config.max_shape_error

    def _smoother(self) -> OneEuroFilter | None:
        cfg = self.config.smoothing
        return OneEuroFilter(cfg) if cfg is not None else None

    def close(self) -> None:
        self.detector.close()
