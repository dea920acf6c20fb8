"""The label measures on made-up images and answers (benchmarks/labels.py)."""

import math
import re

import cv2
import numpy as np
import pytest

from benchmarks.labels import (
    answers_in_image,
    candidate_pairs,
    duplicates,
    floor,
    main,
    mirror_average,
    offset,
    register,
    report_duplicates,
    thumbnails,
)
from fkd_live.adapters.runtime import KeypointModel
from fkd_live.core.geometry import apply_transform, resize_matrix
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


def test_floor_is_half_the_disagreement_at_least_and_one_over_root_two_if_gaussian():
    f = floor([0.02, 0.04], resamples=200)
    assert f.disagreement.value == pytest.approx(0.03)
    assert f.at_least.value == pytest.approx(0.015)
    assert f.gaussian.value == pytest.approx(0.03 / math.sqrt(2))
    assert 0.02 <= f.disagreement.low <= f.disagreement.high <= 0.04


def test_a_mirror_symmetric_model_reads_minus_the_labels_offset_in_source_pixels():
    truth = np.stack([POINTS, POINTS + 3.0])  # two faces in a 64 px wide input
    features = truth - (0.5, 0.0)  # the labels sit 0.5 input px right of the features
    # A model that finds the features answers them on the crop and their mirror on the mirror.
    pred = mirror_average(features, features[:, [1, 0, 2, 4, 3]] * (-1, 1) + (63, 0), 64)
    assert pred == pytest.approx(features)
    o = offset(pred, truth, np.array([2.0, 2.0]))  # 2 input px per source px
    assert (o.x, o.x_se, o.y, o.y_se) == pytest.approx((-0.25, 0.0, 0.0, 0.0))


def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys):
    assert main(["--model", str(tmp_path / "missing.onnx"), "--data", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:")
    assert err.count("\n") == 1
    assert main(["--source", "kaggle"]) == 2
    assert "unknown source" in capsys.readouterr().err


def celeba_texture(seed: int) -> np.ndarray:
    """A 89x109 RGB texture: the size of faces5's half-size CelebA images."""
    noise = np.random.default_rng(seed).uniform(0, 255, (109, 89)).astype(np.float32)
    blurred = np.asarray(cv2.GaussianBlur(noise, (0, 0), 4.0), dtype=np.float32)
    grey = np.clip((blurred - blurred.mean()) / blurred.std() * 50 + 128, 0, 255)
    return np.repeat(grey.astype(np.uint8)[:, :, None], 3, axis=2)


def test_answers_come_back_to_image_pixels(template_model):
    model = KeypointModel(template_model, device="cpu")
    # The template in a half-size CelebA image (pixel centres at integers, as labels load).
    half = apply_transform(resize_matrix((178, 218), (89, 109)), model.spec.template)
    [answers] = answers_in_image(model, [FaceSample(celeba_texture(0), half, "celeba", "a")])
    assert answers == pytest.approx(half, abs=1e-4)


def test_report_gives_the_labels_and_the_models_disagreement(template_model):
    model = KeypointModel(template_model, device="cpu")
    half = apply_transform(resize_matrix((178, 218), (89, 109)), model.spec.template)
    a = celeba_texture(1)
    b = cv2.warpAffine(a, np.array([[1, 0, 1.0], [0, 1, 1.0]]), (89, 109),
                       flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REFLECT)  # fmt: skip
    second = half + np.array([1.0, 1.0])
    second[2, 0] += 1.0
    samples = [FaceSample(a, half, "celeba", "a"), FaceSample(b, second, "celeba", "b")]
    out = "\n".join(report_duplicates(samples, model))
    assert out.startswith("photographs labelled twice: 1 pairs among 2 images")
    iod = half[1, 0] - half[0, 0]
    # The labels moved with the image but for the nose; the template model answers the same
    # place in both images, which the move puts sqrt(2) px from its answer on the second.
    labels, answers = re.search(
        r"labels disagree ([\d.]+)%  model's answers ([\d.]+)%", out
    ).groups()
    assert float(labels) == pytest.approx(100 / 5 / iod, abs=0.05)  # up to registration
    assert float(answers) == pytest.approx(100 * math.sqrt(2) / iod, abs=0.05)
