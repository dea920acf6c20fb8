"""The synchronous pipeline with a scripted detector and model: exact, deterministic results.

The scripted model answers the template (the mean aligned face) plus a scripted offset in input
pixels, so where its keypoints land in the frame says exactly which alignment the pipeline used:
the detector's eyes, or the previous keypoints (tracking).
"""

import numpy as np
import pytest

from fkd_live.adapters.runtime import KeypointModel
from fkd_live.config import PipelineConfig
from fkd_live.core import ModelSpec, apply_transform, crop_from_points, invert_transform
from fkd_live.core.faces import Detection
from fkd_live.core.smoothing import OneEuroConfig
from fkd_live.core.tracking import shape_error, snap_crop
from fkd_live.pipeline import Pipeline

SPEC = ModelSpec()
A = [[200.0, 150.0], [260.0, 150.0]]
B = [[400.0, 150.0], [460.0, 150.0]]  # far from A: its box does not overlap A's


def box_of(eyes):
    (lx, ly), (rx, _) = eyes
    d = rx - lx
    return (lx - 0.5 * d, ly - 0.6 * d, 2.0 * d, 2.2 * d)


class ScriptedDetector:
    """Answers, per call, the list of eye pairs it is given (None: no face)."""

    name = "scripted"

    def __init__(self, script):
        self.script = list(script)
        self.calls = 0

    def detect(self, rgb):
        self.calls += 1
        faces = self.script.pop(0) if self.script else None
        if faces is None:
            return []
        if not isinstance(faces[0][0], list):
            faces = [faces]
        return [
            Detection(box=box_of(e), score=0.9 - 0.1 * i, eyes=np.asarray(e))
            for i, e in enumerate(faces)
        ]

    def close(self):
        pass


class ScriptedModel:
    """The template plus a per-call offset `(5, 2)` or `(2,)` in input pixels (default 0)."""

    provider = "scripted"

    def __init__(self, offsets=(), scores=()):
        self.spec = SPEC
        self.offsets = list(offsets)
        self.scores = list(scores)  # per call, each crop's readable score; none left: no score

    def predict_scored(self, crops):
        scores = np.full(len(crops), self.scores.pop(0)) if self.scores else None
        return self.predict(crops), scores

    def predict(self, crops):
        offset = np.asarray(self.offsets.pop(0) if self.offsets else 0.0, dtype=np.float64)
        return np.repeat((SPEC.template_in_input() + offset)[None], len(crops), axis=0)


def template_at(eyes):
    """The template mapped back through the alignment from these eyes: exactly the eyes."""
    m = crop_from_points(np.asarray(eyes), SPEC)
    return apply_transform(invert_transform(m), SPEC.template_in_input())


FRAME = np.zeros((480, 640, 3), np.uint8)


def config(**options: object) -> PipelineConfig:
    """The pipeline's options with crops placed exactly where the keypoints say (no crop grid),
    so these tests' hand-computed numbers stay simple; the grid has its own test."""
    return PipelineConfig(**{"crop_step": 0.0, **options})  # type: ignore[arg-type]


RAW = config(smoothing=None)


def test_template_model_lands_on_the_detected_eyes(template_model):
    pipe = Pipeline(ScriptedDetector([A]), KeypointModel(template_model), RAW)
    (face,) = pipe.process(FRAME, 0.0).faces
    np.testing.assert_allclose(face.keypoints[:2], A, atol=1e-3)
    np.testing.assert_allclose(face.keypoints, template_at(A), atol=1e-3)
    assert face.id == 1


def test_tracking_skips_the_detector_until_redetect_is_due():
    det = ScriptedDetector([A] * 10)
    pipe = Pipeline(det, ScriptedModel(), config(redetect_every=4, smoothing=None))
    detected = [pipe.process(FRAME, i / 30).detected for i in range(9)]
    assert detected == [True, False, False, False, True, False, False, False, True]
    assert det.calls == 3


def test_tracked_face_is_aligned_from_its_previous_keypoints():
    # Frame 0 from the detector's eyes (answered twice, see the refinement test); frame 1 the
    # model sees the face 2 input pixels to the right of where the previous keypoints put it,
    # and the track follows without a detection.
    model = ScriptedModel([0.0, 0.0, (2.0, 0.0)])
    pipe = Pipeline(ScriptedDetector([A]), model, RAW)
    first = pipe.process(FRAME, 0.0).faces[0].keypoints
    second = pipe.process(FRAME, 1 / 30).faces[0]
    scale = 60.0 / (SPEC.template_in_input()[1, 0] - SPEC.template_in_input()[0, 0])
    np.testing.assert_allclose(second.keypoints, first + np.array([2.0 * scale, 0.0]), atol=1e-6)
    assert second.id == 1


def test_a_moving_face_is_aligned_where_its_velocity_takes_it():
    # The face moved 3 input px right between frames 0 and 1 (1/30 s); at frame 2, which comes
    # 2/30 s later, the crop is aligned 6 px further on (capped at 0.1 s ahead).
    model = ScriptedModel([0.0, (3.0, 0.0), 0.0, 0.0])
    pipe = Pipeline(ScriptedDetector([A]), model, config(redetect_every=30, smoothing=None))
    k0 = pipe.process(FRAME, 0.0).faces[0].keypoints
    k1 = pipe.process(FRAME, 1 / 30).faces[0].keypoints
    k2 = pipe.process(FRAME, 3 / 30).faces[0].keypoints
    np.testing.assert_allclose(k2, k1 + 2 * (k1 - k0), atol=1e-6)
    k3 = pipe.process(FRAME, 3 / 30 + 5.0).faces[0].keypoints  # a stall: at most 0.1 s ahead
    velocity = (k2 - k1) / (2 / 30)
    np.testing.assert_allclose(k3, k2 + 0.1 * velocity, atol=1e-6)


def test_a_still_face_is_aligned_from_its_smoothed_keypoints():
    # With smoothing, the next crop follows the shown (smoothed) points, not the raw jump.
    model = ScriptedModel([0.0, (3.0, 0.0), 0.0])
    cfg = config(redetect_every=30, smoothing=OneEuroConfig(min_cutoff=1.0, beta=0.0))
    pipe = Pipeline(ScriptedDetector([A]), model, cfg)
    s0 = pipe.process(FRAME, 0.0).faces[0].keypoints
    s1 = pipe.process(FRAME, 1 / 30).faces[0].keypoints
    raw2 = s1 + (s1 - s0)  # the model answers the template: its alignment, which is predicted
    s2 = pipe.process(FRAME, 2 / 30).faces[0].keypoints
    np.testing.assert_allclose(s2, s1 + 0.1731707 * (raw2 - s1), atol=1e-4)


def test_redetection_confirms_a_track_and_keeps_its_id_and_alignment():
    model = ScriptedModel([0.0, (2.0, 0.0), 0.0])
    det = ScriptedDetector([A, A])
    pipe = Pipeline(det, model, config(redetect_every=2, smoothing=None))
    first = pipe.process(FRAME, 0.0).faces[0].keypoints
    moved = pipe.process(FRAME, 0.1).faces[0].keypoints
    third = pipe.process(FRAME, 0.2)
    assert third.detected
    assert det.calls == 2
    # Aligned from the tracked keypoints moved on by their velocity (not snapped back to the
    # detector's eyes at A): the template model answers exactly that alignment.
    np.testing.assert_allclose(third.faces[0].keypoints, moved + (moved - first), atol=1e-6)
    assert third.faces[0].id == 1


def test_a_track_the_detector_no_longer_sees_is_dropped():
    pipe = Pipeline(ScriptedDetector([A, B]), ScriptedModel(), config(redetect_every=1))
    assert pipe.process(FRAME, 0.0).faces[0].id == 1
    (face,) = pipe.process(FRAME, 0.1).faces
    assert face.id == 2  # a new face: new id, new filter (no pull towards A)
    np.testing.assert_allclose(face.keypoints[:2], B, atol=1e-3)


def test_no_face_gives_an_empty_result():
    pipe = Pipeline(ScriptedDetector([A, None]), ScriptedModel(), config(redetect_every=1))
    pipe.process(FRAME, 0.0)
    result = pipe.process(FRAME, 0.1)
    assert result.faces == ()
    assert result.detected


def test_a_lost_track_makes_the_detector_run_in_the_same_frame():
    # Frame 1: the model answers an implausible shape (mouth above the eyes), so the track is
    # lost; the detector runs at once, finds the face again and the track keeps its id.
    broken = np.zeros((5, 2))
    broken[3:, 1] = -60.0
    model = ScriptedModel([0.0, broken, 0.0])
    det = ScriptedDetector([A, A])
    pipe = Pipeline(det, model, config(redetect_every=30, smoothing=None))
    pipe.process(FRAME, 0.0)
    result = pipe.process(FRAME, 0.1)
    assert result.detected
    assert det.calls == 2
    (face,) = result.faces
    assert face.id == 1
    np.testing.assert_allclose(face.keypoints, template_at(A), atol=1e-6)


def test_max_faces_keeps_the_best_detections_with_stable_ids():
    det = ScriptedDetector([[A, B], [B, A]])
    pipe = Pipeline(det, ScriptedModel(), config(max_faces=2, redetect_every=1))
    first = pipe.process(FRAME, 0.0).faces
    second = pipe.process(FRAME, 0.1).faces
    assert [f.id for f in first] == [1, 2] == [f.id for f in second]
    np.testing.assert_allclose(second[1].keypoints[:2], B, atol=1e-3)
    one = Pipeline(ScriptedDetector([[A, B]]), ScriptedModel(), config(max_faces=1))
    (face,) = one.process(FRAME, 0.0).faces
    np.testing.assert_allclose(face.keypoints[:2], A, atol=1e-3)  # the higher score


def test_smoothing_follows_the_one_euro_filter():
    offsets = [0.0, (3.0, 0.0)]
    raw = Pipeline(ScriptedDetector([A]), ScriptedModel(offsets), RAW)
    smooth = Pipeline(
        ScriptedDetector([A]),
        ScriptedModel(offsets),
        config(smoothing=OneEuroConfig(min_cutoff=1.0, beta=0.0)),
    )
    r0, r1 = (raw.process(FRAME, t).faces[0].keypoints for t in (0.0, 1 / 30))
    s0, s1 = (smooth.process(FRAME, t).faces[0].keypoints for t in (0.0, 1 / 30))
    np.testing.assert_allclose(s0, r0, atol=1e-9)  # the first frame passes unchanged
    # Then a plain low pass with alpha 0.1731707 (1 Hz at 30 fps).
    np.testing.assert_allclose(s1, r0 + 0.1731707 * (r1 - r0), atol=1e-4)


def test_a_detected_face_is_answered_again_aligned_from_its_first_answer():
    # The first answer is 3 input px right of the detector's framing; realigned from it (same
    # scale), the second answer adds 1 px more. Tracking frames are answered once.
    px = np.array([60.0 / (SPEC.template_in_input()[1, 0] - SPEC.template_in_input()[0, 0]), 0])
    model = ScriptedModel([(3.0, 0.0), (1.0, 0.0), 0.0, 0.0])
    pipe = Pipeline(ScriptedDetector([A]), model, RAW)
    (face,) = pipe.process(FRAME, 0.0).faces
    np.testing.assert_allclose(face.keypoints, template_at(A) + 4.0 * px, atol=1e-6)
    pipe.process(FRAME, 1 / 30)
    assert len(model.offsets) == 1
    # Without the refinement the first answer stands.
    model = ScriptedModel([(3.0, 0.0), (1.0, 0.0)])
    pipe = Pipeline(ScriptedDetector([A]), model, config(smoothing=None, refine_detections=False))
    (face,) = pipe.process(FRAME, 0.0).faces
    np.testing.assert_allclose(face.keypoints, template_at(A) + 3.0 * px, atol=1e-6)
    assert len(model.offsets) == 1


def test_an_implausible_first_answer_is_not_answered_again():
    # Both eyes on one point: no face, so the detection is dropped after one call.
    t = SPEC.template_in_input()
    wild = np.zeros((5, 2))
    wild[1] = t[0] - t[1]
    model = ScriptedModel([wild, 0.0])
    pipe = Pipeline(ScriptedDetector([A]), model, RAW)
    assert pipe.process(FRAME, 0.0).faces == ()
    assert len(model.offsets) == 1


def test_stage_times_count_the_second_answer_as_align_and_keypoints(monkeypatch):
    # A fake clock: each warp takes 1 s, each model call 10 s, nothing else takes time. A
    # detected frame warps and answers twice (2 s align, 20 s keypoints), a tracked one once.
    import types

    import fkd_live.adapters.reading as reading
    import fkd_live.pipeline as pipeline

    now = [0.0]  # only the pipeline module's clock is replaced, not the time module's
    monkeypatch.setattr(pipeline, "time", types.SimpleNamespace(perf_counter=lambda: now[0]))
    warp = reading.warp_crop

    def slow_warp(*args, **kwargs):
        now[0] += 1.0
        return warp(*args, **kwargs)

    class SlowModel(ScriptedModel):
        def predict(self, crops):
            now[0] += 10.0
            return super().predict(crops)

    monkeypatch.setattr(reading, "warp_crop", slow_warp)
    pipe = Pipeline(ScriptedDetector([A]), SlowModel(), RAW)
    detected = dict(pipe.process(FRAME, 0.0).stage_ms)
    tracked = dict(pipe.process(FRAME, 1 / 30).stage_ms)
    assert (detected["detect"], detected["warp"], detected["keypoints"]) == (0.0, 2e3, 20e3)
    assert (tracked["detect"], tracked["warp"], tracked["keypoints"]) == (0.0, 1e3, 10e3)
    assert detected["align"] == detected["check"] == detected["pose"] == 0.0


def test_the_box_follows_the_tracked_keypoints():
    model = ScriptedModel([0.0, 0.0, (4.0, 0.0)])  # frame 0 is a detection: two answers
    pipe = Pipeline(ScriptedDetector([A]), model, RAW)
    box0 = pipe.process(FRAME, 0.0).faces[0].box
    box1 = pipe.process(FRAME, 0.1).faces[0].box
    np.testing.assert_allclose(box0, box_of(A), atol=1e-6)
    shift = 4.0 * 60.0 / (SPEC.template_in_input()[1, 0] - SPEC.template_in_input()[0, 0])
    np.testing.assert_allclose(box1, (box0[0] + shift, *box0[1:]), atol=1e-6)


@pytest.mark.parametrize("every", [0, -1])
def test_redetect_every_must_be_positive(every):
    with pytest.raises(ValueError, match="redetect_every"):
        config(redetect_every=every)


def test_a_mouth_as_wide_as_the_head_is_never_reported():
    # Mouth corners 11 px further out each (1.76 eye distances wide): close enough to the
    # template by the RMS fit (under max_shape_error), but no face looks like that
    # (core.plausibility), so the face is dropped, on detection and while tracking.
    t = SPEC.template_in_input()
    wide = np.zeros((5, 2))
    wide[3, 0], wide[4, 0] = -11.0, 11.0
    assert shape_error(t + wide, t) < PipelineConfig().max_shape_error
    pipe = Pipeline(ScriptedDetector([A]), ScriptedModel([wide, wide]), RAW)
    assert pipe.process(FRAME, 0.0).faces == ()
    tracked = Pipeline(ScriptedDetector([A, None]), ScriptedModel([0.0, 0.0, wide]), RAW)
    assert len(tracked.process(FRAME, 0.0).faces) == 1
    assert tracked.process(FRAME, 0.1).faces == ()


def test_an_unreadable_crop_loses_the_face_and_the_detector_looks_at_once():
    # The model's readable score: 0.7 on the detected frame's two answers, 0.05 on frame
    # 1's tracked crop (under min_readable 0.1), so the track is lost; the detector runs in that
    # frame, finds the face and the track keeps its id, scored by its new crops (0.8).
    model = ScriptedModel(scores=[0.7, 0.7, 0.05, 0.8, 0.8])
    det = ScriptedDetector([A, A])
    pipe = Pipeline(det, model, config(redetect_every=30, smoothing=None))
    (first,) = pipe.process(FRAME, 0.0).faces
    assert first.score == pytest.approx(0.7)  # the model's score, not the detector's 0.9
    result = pipe.process(FRAME, 0.1)
    assert result.detected
    assert det.calls == 2
    (face,) = result.faces
    assert (face.id, face.score) == (1, pytest.approx(0.8))


def test_an_unreadable_new_face_is_not_reported_and_min_readable_zero_reports_it():
    low = [0.05, 0.05]  # the detection's first and second answer
    assert Pipeline(ScriptedDetector([A]), ScriptedModel(scores=low), RAW).process(
        FRAME, 0.0).faces == ()  # fmt: skip
    off = config(smoothing=None, min_readable=0.0)
    (face,) = Pipeline(ScriptedDetector([A]), ScriptedModel(scores=low), off).process(
        FRAME, 0.0).faces  # fmt: skip
    assert face.score == pytest.approx(0.05)


def test_without_a_score_a_face_keeps_its_detection_score():
    (face,) = Pipeline(ScriptedDetector([A]), ScriptedModel(), RAW).process(FRAME, 0.0).faces
    assert face.score == pytest.approx(0.9)


def test_a_face_lost_on_a_detection_frame_is_framed_from_that_detection_at_once():
    # Detecting every frame: in frame 1 the detector confirms the track, but the crop aligned
    # from its keypoints reads as no face (0.05); the face is framed from the detector at once
    # (the detector asked again) and keeps its id.
    model = ScriptedModel(scores=[0.7, 0.7, 0.05, 0.8, 0.8])
    det = ScriptedDetector([A, A, A])
    pipe = Pipeline(det, model, config(redetect_every=1, smoothing=None))
    pipe.process(FRAME, 0.0)
    (face,) = pipe.process(FRAME, 0.1).faces
    assert (face.id, face.score, det.calls) == (1, pytest.approx(0.8), 3)
    np.testing.assert_allclose(face.keypoints, template_at(A), atol=1e-6)


def test_with_room_for_more_faces_the_detector_looks_every_search_every_frames():
    # Two faces asked for, one in view: the detector runs every 3rd frame (search_every) and
    # takes the second face when it appears; with both tracked, every redetect_every (30).
    det = ScriptedDetector([A, A, [A, B]] + [[A, B]] * 10)
    cfg = config(max_faces=2, redetect_every=30, search_every=3, smoothing=None)
    pipe = Pipeline(det, ScriptedModel(), cfg)
    results = [pipe.process(FRAME, i / 30) for i in range(12)]
    assert [r.detected for r in results] == [True, False, False, True, False, False, True,
                                             False, False, False, False, False]  # fmt: skip
    assert [len(r.faces) for r in results] == [1] * 6 + [2] * 6
    with pytest.raises(ValueError, match="search_every"):
        PipelineConfig(search_every=0)


def test_a_tracked_face_is_cropped_on_the_grid(monkeypatch):
    # With the default grid, the tracked crop is the one the keypoints give, snapped
    # (`core.tracking.snap_crop`); the detector-framed crops of frame 0 are not snapped.
    import fkd_live.adapters.reading as reading

    seen: list[np.ndarray] = []
    warp = reading.warp_crop

    def spy(frame, matrix, spec):
        seen.append(np.asarray(matrix, np.float64))
        return warp(frame, matrix, spec)

    pipe = Pipeline(ScriptedDetector([A]), ScriptedModel([0.0, 0.0, (0.3, 0.1)]),
                    PipelineConfig(smoothing=None))  # fmt: skip
    first = pipe.process(FRAME, 0.0).faces[0].keypoints.astype(np.float64)
    monkeypatch.setattr(reading, "warp_crop", spy)
    pipe.process(FRAME, 1 / 30)
    centre = (SPEC.input_width / 2, SPEC.input_height / 2)
    expected = snap_crop(crop_from_points(first, SPEC), centre, PipelineConfig.crop_step)
    np.testing.assert_allclose(seen[0], expected, atol=1e-9)
    assert np.abs(expected - crop_from_points(first, SPEC)).max() > 1e-6  # it did move
