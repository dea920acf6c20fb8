"""The label reports on made-up images and answers (benchmarks/labels.py)."""

import math
import re

import cv2
import numpy as np
import pytest

from benchmarks.labels import answers_in_image, main, offset, report_duplicates
from fkd_live.adapters.runtime import KeypointModel
from fkd_live.core.geometry import apply_transform, resize_matrix
from train.conventions import mirror_average
from train.data import FaceSample

# Eyes 20 px apart in a 64 px wide input.
POINTS = np.array([[22, 30], [42, 30], [32, 42], [25, 55], [39, 55]], dtype=np.float64)


def test_a_mirror_symmetric_model_reads_minus_the_labels_offset_in_source_pixels():
    truth = np.stack([POINTS, POINTS + 3.0])  # two faces in a 64 px wide input
    features = truth - (0.5, 0.0)  # the labels sit 0.5 input px right of the features
    # A model that finds the features answers them on the crop and their mirror on the mirror.
    pred = mirror_average(features, features[:, [1, 0, 2, 4, 3]] * (-1, 1) + (63, 0), 64)
    assert pred == pytest.approx(features)
    correction = np.zeros((5, 2))
    correction[:, 0] = -0.5  # what the training faces' mean residual would be
    o = offset(pred, truth, np.array([2.0, 2.0]), correction)  # 2 input px per source px
    assert (o.x, o.x_se, o.y, o.y_se) == pytest.approx((-0.25, 0.0, 0.0, 0.0))
    assert o.nme == pytest.approx(0.5 / 20)  # 0.5 px on every point, eyes 20 px apart
    assert o.nme_centred == pytest.approx(0.0)
    o = offset(pred, truth, np.array([2.0, 2.0]), -correction)  # a correction the wrong way
    assert o.nme_centred == pytest.approx(1.0 / 20)


def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, template_model):
    assert main(["--model", str(tmp_path / "missing.onnx"), "--data", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:")
    assert err.count("\n") == 1
    assert main(["--model", str(template_model), "--data", str(tmp_path)]) == 2
    assert capsys.readouterr().err == f"error: no faces5 sources under {tmp_path}\n"


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
    out = "\n".join(report_duplicates({"celeba": samples, "mtfl": samples[:1]}, model, True))
    rows = out.splitlines()
    assert rows[2].split()[:2] == ["celeba", "1"]  # one pair
    assert rows[3].split() == ["mtfl", "0"]
    assert rows[4] == "pairs:"
    iod = half[1, 0] - half[0, 0]
    # The labels moved with the image but for the nose; the template model answers the same
    # place in both images, which the move puts sqrt(2) px from its answer on the second.
    labels, answers = re.search(r"labels ([\d.]+)%  model's answers ([\d.]+)%", out).groups()
    assert float(labels) == pytest.approx(100 / 5 / iod, abs=0.05)  # up to registration
    assert float(answers) == pytest.approx(100 * math.sqrt(2) / iod, abs=0.05)
