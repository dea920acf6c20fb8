"""The readable-face score: its crops, its training, and attaching it to a keypoint model."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("torch")

from fkd_live.adapters.runtime import KeypointModel
from fkd_live.core import METADATA_KEY, ModelSpec
from tests.conftest import write_template_model
from train.attach import attach_score
from train.augment import framing_matrix
from train.data import FaceSample
from train.readable import (
    KINDS,
    background,
    crops_of,
    export_readable,
    misaligned,
    spoiling,
    train_readable,
)

SPEC = ModelSpec()


def face(size: int = 400, iod: float = 40.0, seed: int = 0) -> FaceSample:
    """A grey picture with dark eyes and mouth where five labelled points say, top-left."""
    rng = np.random.default_rng(seed)
    image = np.clip(rng.normal(150, 10, (size, size, 3)), 0, 255).astype(np.uint8)
    t = np.asarray(SPEC.template, np.float64)
    points = (t - t[:2].mean(axis=0)) * iod / (t[1, 0] - t[0, 0]) + (80.0, 80.0)
    for x, y in points.astype(int):
        image[y - 3 : y + 4, x - 3 : x + 4] = 30
    return FaceSample(image, points, "test", f"face{seed}")


def test_each_picture_gives_one_face_and_non_faces():
    rng = np.random.default_rng(0)
    kinds = [k for _, k in crops_of(face(), SPEC, rng)]
    assert kinds[0] == "face"
    assert sorted(kinds[1:]) == ["background", "blank", "misaligned"]
    assert set(kinds) <= set(KINDS)


def test_a_misaligned_crop_is_spoilt_one_way_far_out_of_the_framing_range():
    ways = set()
    for seed in range(60):
        scale, angle, (dx, dy) = spoiling(SPEC, np.random.default_rng(seed))
        moved = 0.35 * 80 <= math.hypot(dx, dy) <= 0.7 * 80
        scaled = 0.25 <= scale <= 0.5 or 2.0 <= scale <= 3.0
        turned = math.radians(60) <= abs(angle) <= math.pi
        assert moved + scaled + turned == 1  # exactly one way, the others left alone
        assert (dx, dy) == (0.0, 0.0) or moved
        assert scale == 1.0 or scaled
        assert angle == 0.0 or turned
        ways.add((moved, scaled, turned))
    assert len(ways) == 3
    crop, kind = misaligned(face(), SPEC, np.random.default_rng(0))
    assert (crop.shape, kind) == ((80, 80, 3), "misaligned")


def test_a_background_window_keeps_away_from_the_face():
    sample = face()
    side = SPEC.input_width / math.hypot(*framing_matrix(sample, "eyes", SPEC)[0, :2])
    for seed in range(20):
        got = background(sample, SPEC, np.random.default_rng(seed))
        assert got is not None
        crop, kind = got
        assert kind == "background"
        # the face's dark eyes (grey 30) never show: the window is at least 0.9 sides away
        assert crop.min() > 60
    small = face(size=120)  # the crop is as big as the picture: no room
    assert side > 60
    assert background(small, SPEC, np.random.default_rng(0)) is None


def score_model(path: Path, logit: float) -> Path:
    """An ONNX "score" model answering sigmoid(logit) for any crop (onnx.helper only)."""
    import onnx
    from onnx import TensorProto, helper

    w = helper.make_tensor("w", TensorProto.FLOAT, [3, 1], np.zeros(3, np.float32))
    b = helper.make_tensor("b", TensorProto.FLOAT, [1], np.array([logit], np.float32))
    graph = helper.make_graph(
        [
            helper.make_node("GlobalAveragePool", ["image"], ["pooled"]),
            helper.make_node("Flatten", ["pooled"], ["flat"]),
            helper.make_node("Gemm", ["flat", "w", "b"], ["logit"]),
            helper.make_node("Sigmoid", ["logit"], ["score"]),
        ],
        "score",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["n", 3, 80, 80])],
        [helper.make_tensor_value_info("score", TensorProto.FLOAT, ["n", 1])],
        initializer=[w, b],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, str(path))
    return path


def test_attaching_a_score_keeps_the_keypoints_and_adds_the_score(tmp_path):
    keypoints = write_template_model(tmp_path / "kp.onnx")
    out = tmp_path / "both.onnx"
    diff = attach_score(keypoints, score_model(tmp_path / "s.onnx", math.log(3.0)), out)
    assert diff <= 1e-6
    both, plain = KeypointModel(out), KeypointModel(keypoints)
    assert both.has_score
    assert not plain.has_score
    assert both.spec.score_name == "score"
    crops = np.random.default_rng(0).integers(0, 255, (2, 80, 80, 3), dtype=np.uint8)
    points, scores = both.predict_scored(crops)
    np.testing.assert_array_equal(points, plain.predict(crops))
    np.testing.assert_allclose(scores, [0.75, 0.75], atol=1e-6)  # sigmoid(log 3) = 3/4
    assert plain.predict_scored(crops)[1] is None
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_a_score_model_with_another_input_name_is_refused(tmp_path):
    import onnx

    path = score_model(tmp_path / "s.onnx", 0.0)
    model = onnx.load(str(path))
    model.graph.input[0].name = "pixels"
    onnx.save(model, str(path))
    with pytest.raises(ValueError, match="input must be named 'image'"):
        attach_score(write_template_model(tmp_path / "kp.onnx"), path, tmp_path / "o.onnx")
    assert not (tmp_path / "o.onnx").exists()


def test_a_short_training_run_exports_a_score_the_app_reads(tmp_path):
    train = [face(seed=i) for i in range(12)]
    net, report = train_readable(train, [face(seed=99)], SPEC, epochs=1)
    assert set(report.counts) == set(KINDS)
    assert report.counts["face"] == 1
    assert all(0.0 <= a <= 1.0 for k, a in report.accuracy.items() if report.counts[k])
    score = tmp_path / "score.onnx"
    assert export_readable(net, SPEC, score) <= 1e-4
    out = tmp_path / "both.onnx"
    attach_score(write_template_model(tmp_path / "kp.onnx"), score, out)
    import onnx

    meta = {p.key: p.value for p in onnx.load(str(out)).metadata_props}
    assert ModelSpec.from_json(meta[METADATA_KEY]).score_name == "score"
    _, scores = KeypointModel(out).predict_scored(np.zeros((1, 80, 80, 3), np.uint8))
    assert scores is not None
    assert 0.0 <= float(scores[0]) <= 1.0


def test_a_score_is_trained_like_a_model_that_has_one_and_never_attached_twice(tmp_path):
    # `train readable` takes the shipped model's contract, which names a score output: the
    # score file's own contract must not (it once failed here, after the whole training).
    net, _ = train_readable([face(seed=i) for i in range(4)], [face(seed=9)], SPEC, epochs=1)
    score = tmp_path / "score.onnx"
    export_readable(net, SPEC.with_changes(score_name="score"), score)
    both = tmp_path / "both.onnx"
    attach_score(write_template_model(tmp_path / "kp.onnx"), score, both)
    with pytest.raises(ValueError, match="already has a score output"):
        attach_score(both, score, tmp_path / "again.onnx")
    assert not (tmp_path / "again.onnx").exists()
