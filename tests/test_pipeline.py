"""The synchronous pipeline with a scripted detector: exact, deterministic results."""

import numpy as np

from fkd_live.adapters.runtime import KeypointModel
from fkd_live.core import ModelSpec
from fkd_live.core.faces import Detection
from fkd_live.core.smoothing import OneEuroConfig
from fkd_live.pipeline import Pipeline, PipelineConfig

SPEC = ModelSpec()


class ScriptedDetector:
    """Answers the eyes it is given for each call, in order."""

    name = "scripted"

    def __init__(self, eyes_per_call):
        self.script = list(eyes_per_call)

    def detect(self, rgb):
        eyes = self.script.pop(0)
        if eyes is None:
            return []
        return [Detection(box=(0.0, 0.0, 10.0, 10.0), score=0.9, eyes=np.asarray(eyes))]

    def close(self):
        pass


def face_template_in_frame(eyes):
    """Where the template model's answer lands in the frame for a face with these eyes: the
    template, mapped back through the eye alignment (exactly the template's eye points there)."""
    from fkd_live.core import apply_transform, crop_from_points, invert_transform

    m = crop_from_points(np.asarray(eyes), SPEC)
    return apply_transform(invert_transform(m), SPEC.template_in_input())


def test_template_model_lands_on_the_detected_eyes(template_model):
    eyes = [[200.0, 150.0], [260.0, 150.0]]
    pipe = Pipeline(
        ScriptedDetector([eyes]), KeypointModel(template_model), PipelineConfig(smoothing=None)
    )
    result = pipe.process(np.zeros((480, 640, 3), np.uint8), 0.0)
    (face,) = result.faces
    np.testing.assert_allclose(face.keypoints[:2], eyes, atol=1e-3)
    np.testing.assert_allclose(face.keypoints, face_template_in_frame(eyes), atol=1e-3)


def test_smoothing_follows_the_one_euro_filter(template_model):
    a = [[200.0, 150.0], [260.0, 150.0]]
    b = [[203.0, 150.0], [263.0, 150.0]]  # a 3 px jump
    frame = np.zeros((480, 640, 3), np.uint8)
    raw = Pipeline(
        ScriptedDetector([a, b]), KeypointModel(template_model), PipelineConfig(smoothing=None)
    )
    smooth = Pipeline(
        ScriptedDetector([a, b]),
        KeypointModel(template_model),
        PipelineConfig(smoothing=OneEuroConfig(min_cutoff=1.0, beta=0.0)),
    )
    r0, r1 = (raw.process(frame, t).faces[0].keypoints for t in (0.0, 1 / 30))
    s0, s1 = (smooth.process(frame, t).faces[0].keypoints for t in (0.0, 1 / 30))
    np.testing.assert_allclose(s0, r0, atol=1e-9)  # first frame passes unchanged
    # Then a plain low pass with alpha 0.1731707 (1 Hz at 30 fps).
    np.testing.assert_allclose(s1, r0 + 0.1731707 * (r1 - r0), atol=1e-4)


def test_losing_the_face_restarts_smoothing(template_model):
    a = [[200.0, 150.0], [260.0, 150.0]]
    b = [[300.0, 150.0], [360.0, 150.0]]
    frame = np.zeros((480, 640, 3), np.uint8)
    pipe = Pipeline(ScriptedDetector([a, None, b]), KeypointModel(template_model))
    pipe.process(frame, 0.0)
    assert pipe.process(frame, 0.1).faces == ()
    face = pipe.process(frame, 0.2).faces[0]
    np.testing.assert_allclose(face.keypoints[:2], b, atol=1e-3)  # no pull towards a
