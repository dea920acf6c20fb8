"""`read_faces`: one batch through the model, answers mapped back to frame pixels."""

import numpy as np

from fkd_live.adapters.reading import read_faces
from fkd_live.core.contract import ModelSpec
from fkd_live.core.geometry import similarity_matrix

SPEC = ModelSpec()


class Recorder:
    """Answers the template for every crop (input pixels); counts the crops of each call."""

    spec = SPEC

    def __init__(self, scores=None):
        self.calls: list[int] = []
        self.scores = scores

    def predict_scored(self, crops):
        self.calls.append(len(crops))
        points = np.repeat(SPEC.template_in_input()[None], len(crops), axis=0)
        return points, None if self.scores is None else np.full(len(crops), self.scores)


FRAME = np.zeros((240, 320, 3), np.uint8)


def test_answers_map_back_through_each_crop_and_run_as_one_batch():
    # Crop 1 halves the frame; crop 2 also shifts it 10 px left: input point (x, y) is frame
    # point (2x, 2y), and (2x + 20, 2y) for the second.
    half = similarity_matrix(0.5, 0.0, 0.0, 0.0)
    shifted = similarity_matrix(0.5, 0.0, -10.0, 0.0)
    model = Recorder(scores=0.75)
    points, scores = read_faces(FRAME, [half, shifted], model)
    t = SPEC.template_in_input()
    np.testing.assert_allclose(points[0], 2 * t)
    np.testing.assert_allclose(points[1], 2 * t + [20.0, 0.0])
    np.testing.assert_allclose(scores, [0.75, 0.75])
    assert model.calls == [2]


def test_no_crops_still_asks_the_model_once_and_keeps_the_shapes():
    model = Recorder()
    points, scores = read_faces(FRAME, [], model)
    assert points.shape == (0, 5, 2)
    assert scores is None
    assert model.calls == [0]


def test_laps_follow_the_warp_then_the_model():
    laps: list[str] = []
    read_faces(FRAME, [similarity_matrix(0.5, 0.0, 0.0, 0.0)], Recorder(), laps.append)
    assert laps == ["warp", "keypoints"]
