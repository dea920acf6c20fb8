"""The live-quality benchmark's per-photo helpers, on hand-made keypoints and answers."""

import numpy as np

from benchmarks.live_quality import frontality, nearest, photos, place, worst_lines
from train.data import FaceSample

# Eyes 40 px apart, mouth corners 50 px below the eyes' midpoint: frontality 40 / 50.
FRONTAL = np.array([[30.0, 40.0], [70.0, 40.0], [50.0, 60.0], [35.0, 90.0], [65.0, 90.0]])
# Near profile: eyes 10 px apart, the same height.
PROFILE = np.array([[45.0, 40.0], [55.0, 40.0], [60.0, 60.0], [45.0, 90.0], [55.0, 90.0]])


def sample(points, image_id):
    return FaceSample(np.zeros((120, 100, 3), np.uint8), points, "celeba", image_id)


def test_frontality_is_eye_distance_over_eyes_to_mouth_height():
    assert frontality(FRONTAL) == 0.8
    assert frontality(PROFILE) == 0.2


def test_worst_lines_rank_by_error_with_missed_faces_last():
    samples = [sample(FRONTAL, "a.jpg"), sample(PROFILE, "b.jpg"), sample(FRONTAL, "c.jpg")]
    errors = np.array([0.02, 2.5, np.nan])
    assert worst_lines(samples, errors, 2) == [
        "  b.jpg: NME 250.0%, frontality 0.20",
        "  a.jpg: NME 2.0%, frontality 0.80",
    ]
    assert worst_lines(samples, errors, 5)[2] == "  c.jpg: NME nan%, frontality 0.80"


def test_photos_reports_each_error_and_nan_for_a_missed_face():
    # A "method" that answers another face 100 px away and the true keypoints moved 2 px right
    # on the first photo, and finds no face on the second; faces are scaled to 64 px eyes.
    answers = iter([(2.0, 0.0), None])

    def new():
        def track(frame, t):
            shift = next(answers)
            if shift is None:
                return []
            return [truth + 100.0, truth + np.asarray(shift)]  # another face first

        return track

    truth = place(sample(FRONTAL, "a.jpg"), 64.0)[1]
    rate, mean, median, offset, errors = photos(
        [sample(FRONTAL, "a.jpg"), sample(PROFILE, "b.jpg")], new, 64.0
    )
    assert rate == 0.5
    np.testing.assert_allclose([mean, median], [2 / 64, 2 / 64])
    np.testing.assert_allclose(offset, [2 / 64, 0.0])
    np.testing.assert_allclose(errors, [2 / 64, np.nan])


def test_nearest_picks_the_face_centred_nearest_the_label():
    other, near = FRONTAL + np.array([30.0, 0.0]), FRONTAL + np.array([0.0, -5.0])
    assert nearest([other, near], FRONTAL) is near
    assert nearest([near, other], FRONTAL) is near
    assert nearest([], FRONTAL) is None
