"""Finding photographs labelled twice, on made-up images (benchmarks/duplicates.py)."""

import math

import cv2
import numpy as np
import pytest

from benchmarks.duplicates import (
    candidate_pairs,
    duplicates,
    floor,
    patch_agreement,
    register,
    thumbnails,
)
from train.data import FaceSample

# Eyes 20 px apart in a 64x80 image.
POINTS = np.array([[22, 30], [42, 30], [32, 42], [25, 55], [39, 55]], dtype=np.float64)


def texture(seed: int) -> np.ndarray:
    """A smooth random grey image: enough structure for ECC to lock on, unlike any other seed."""
    noise = np.random.default_rng(seed).uniform(0, 255, (80, 64)).astype(np.float32)
    blurred = np.asarray(cv2.GaussianBlur(noise, (0, 0), 4.0), dtype=np.float32)
    scaled = (blurred - blurred.mean()) / blurred.std() * 50 + 128
    return np.asarray(np.clip(scaled, 0, 255), dtype=np.uint8)


def moved(image: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    out = cv2.warpAffine(image, matrix, (64, 80), flags=cv2.INTER_CUBIC,
                         borderMode=cv2.BORDER_REFLECT)  # fmt: skip
    return np.asarray(out, dtype=np.uint8)


def test_thumbnails_correlate_one_with_themselves_and_pair_only_alike_images():
    images = [texture(0), texture(1), texture(0)]
    t = thumbnails(images)
    assert float(t[0] @ t[0]) == pytest.approx(1.0, abs=1e-5)
    assert candidate_pairs(t, 0.95) == [(0, 2)]


def test_register_finds_a_known_shift_to_a_tenth_of_a_pixel():
    a = texture(3)
    shift = np.array([[1, 0, 1.5], [0, 1, -0.75]], dtype=np.float64)
    b = moved(a, shift)  # b(x) = a(x - t): a's pixel at x is at x + t in b
    fit = register(a, b)
    assert fit is not None
    corr, m = fit
    assert corr > 0.98
    assert m[:, :2] == pytest.approx(np.eye(2), abs=0.01)
    assert m[:, 2] == pytest.approx([1.5, -0.75], abs=0.06)


def test_duplicates_measure_the_labels_disagreement_across_the_move():
    a = texture(4)
    shift = np.array([[1, 0, 1.0], [0, 1, 1.0]], dtype=np.float64)
    b = moved(a, shift)
    second = POINTS + np.array([1.0, 1.0])  # the same features, where the move puts them
    second[2, 0] += 1.0  # the nose labelled 1 px further right in the second labelling
    samples = [
        FaceSample(a, POINTS, "x", "a.jpg"),
        FaceSample(texture(5), POINTS, "x", "other.jpg"),
        FaceSample(b, second, "x", "b.jpg"),
    ]
    [pair] = duplicates(samples)
    assert (pair.first, pair.second) == ("a.jpg", "b.jpg")
    # 1 px on one point of five, eyes 20 px apart
    assert pair.disagreement == pytest.approx(1.0 / 5 / 20, abs=5e-4)


def test_a_pair_that_differs_at_a_feature_is_not_one_photograph():
    a = texture(6)
    b = a.copy()
    b[26:35, 18:27] = texture(7)[26:35, 18:27]  # the left eye (22, 30) +-4 px from elsewhere
    same = np.array([[1, 0, 0], [0, 1, 0]], dtype=np.float64)
    assert patch_agreement(a, a, same, POINTS) == pytest.approx(1.0)
    assert patch_agreement(a, b, same, POINTS) < 0.9
    samples = [FaceSample(a, POINTS, "x", "a.jpg"), FaceSample(b, POINTS, "x", "b.jpg")]
    assert len(duplicates(samples, min_patch=-1.0)) == 1  # as wholes, the two match
    assert duplicates(samples) == []


def test_floor_is_half_the_disagreement_at_least_and_one_over_root_two_if_gaussian():
    f = floor([0.02, 0.04], resamples=200)
    assert f.disagreement.value == pytest.approx(0.03)
    assert f.at_least.value == pytest.approx(0.015)
    assert f.gaussian.value == pytest.approx(0.03 / math.sqrt(2))
    assert 0.02 <= f.disagreement.low <= f.disagreement.high <= 0.04
