"""The residual measures on hand-made answers (benchmarks/residuals.py)."""

import math

import numpy as np
import pytest

from benchmarks.residuals import lines, main, residual_structure

# Two faces, eyes 10 px apart.
TRUTH = np.array([[[0, 0], [10, 0], [5, 5], [2, 9], [8, 9]]] * 2, dtype=np.float64)


def test_a_pure_translation_moves_every_point_together():
    pred = TRUTH.copy()
    pred[0, :, 0] += 1.0  # face 0: every point 1 px right
    pred[1, :, 0] -= 1.0  # face 1: 1 px left
    r = residual_structure(pred, TRUTH)
    assert r.nme_mean == pytest.approx(0.1)  # 1 px over a 10 px eye distance
    assert r.nme_median == pytest.approx(0.1)
    # x residuals are +-1 (variance 1), y residuals 0: pooled over ten coordinates, sqrt(0.5).
    assert r.sigma == pytest.approx(math.sqrt(0.5))
    assert r.translation == pytest.approx((1.0, 0.0))
    assert r.iid_translation == pytest.approx(math.sqrt(0.5) / math.sqrt(5))
    assert r.max_corr == pytest.approx(1.0)  # all x residuals move as one


def test_points_erring_apart_leave_no_translation():
    pred = TRUTH.copy()
    pred[0, :, 0] += [1, -1, 1, -1, 0]  # face 0: points moved apart, mean 0
    pred[1, :, 0] -= [1, -1, 1, -1, 0]
    r = residual_structure(pred, TRUTH)
    assert r.translation == pytest.approx((0.0, 0.0))
    assert r.nme_mean == pytest.approx(0.08)  # 4 px over 5 points, over a 10 px eye distance
    assert r.sigma == pytest.approx(math.sqrt(0.4))  # variances 1,1,1,1,0 over ten coordinates
    row = lines([("m", r)])[1]
    assert row.startswith("m")
    assert "8.00%" in row  # NME 0.08 printed as a percentage


def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys):
    assert main([str(tmp_path / "missing.onnx"), "--data", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:")
    assert err.count("\n") == 1
    assert main(["x.onnx", "--source", "mtfl", "--framing", "celeba"]) == 2
    assert "mtfl is validated in" in capsys.readouterr().err
