"""The residual measures on hand-made answers (benchmarks/residuals.py)."""

import math
from pathlib import Path

import numpy as np
import pytest

from benchmarks.residuals import (
    compare,
    comparison_lines,
    lines,
    main,
    residual_structure,
    short_names,
)

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


# Four faces for the shared-error measure: point 0's x residual is set per face.
TRUTH4 = np.concatenate([TRUTH, TRUTH])


def _answers(x_offsets: list[float]) -> np.ndarray:
    pred = TRUTH4.copy()
    pred[:, 0, 0] += x_offsets
    return pred


def test_a_model_shares_all_of_its_own_residual():
    first = _answers([1, -1, 1, -1])
    c = compare(first, first, TRUTH4, resamples=50)
    assert (c.share.value, c.share.low, c.share.high) == pytest.approx((1.0, 1.0, 1.0))
    assert (c.nme_diff.value, c.nme_diff.low, c.nme_diff.high) == pytest.approx((0, 0, 0))
    # Twice the same error: cov is twice the first model's variance, in every resample.
    c = compare(first, _answers([2, -2, 2, -2]), TRUTH4, resamples=50)
    assert (c.share.value, c.share.low, c.share.high) == pytest.approx((2.0, 2.0, 2.0))
    # One point 1 px further off on every face, over 5 points and a 10 px eye distance.
    assert (c.nme_diff.value, c.nme_diff.low, c.nme_diff.high) == pytest.approx((0.02,) * 3)


def test_an_error_of_its_own_does_not_count_as_shared():
    first = _answers([1, -1, 1, -1])
    # [1, 1, -1, -1] is orthogonal to the first residual: nothing shared, and as large.
    c = compare(first, _answers([1, 1, -1, -1]), TRUTH4)
    assert c.share.value == pytest.approx(0.0)
    assert c.nme_diff.value == pytest.approx(0.0)
    # The first residual plus that orthogonal error: all of the first is shared.
    assert compare(first, _answers([2, 0, 0, -2]), TRUTH4).share.value == pytest.approx(1.0)
    # A constant offset is not residual spread (each coordinate is centred): still 1.
    c = compare(first, _answers([4, 2, 4, 2]), TRUTH4)
    assert c.share.value == pytest.approx(1.0)
    assert c.nme_diff.value == pytest.approx(0.04)  # 3 px instead of 1 px, over 5 x 10 px


def test_comparison_rows_and_names():
    rows = comparison_lines("a.onnx", [("b.onnx", compare(TRUTH4, TRUTH4, TRUTH4, 0))])
    assert rows[0] == "against a.onnx (95% intervals over faces):"
    # No spread at all: no share to give, and no interval without resamples.
    assert rows[2].split()[:4] == ["b.onnx", "+0.00%", "[+nan,", "+nan]"]
    assert rows[2].split()[4] == "nan"
    paths = [Path("runs/v1/int8.onnx"), Path("runs/v2/int8.onnx"), Path("fkd5.onnx")]
    assert short_names(paths) == ["v1/int8.onnx", "v2/int8.onnx", "fkd5.onnx"]


def _tiny_celeba(root: Path, count: int = 100) -> Path:
    """A faces5 folder holding `count` noise images at CelebA's half size, labelled with
    CelebA's mean landmarks (the published 178x218 frame, as faces5 keeps them) moved by up to
    3 px, differently on each image."""
    import cv2

    folder = root / "celeba_half" / "img_align_celeba"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    mean = np.array([69.4, 111.2, 107.7, 111.2, 87.9, 135.1, 71.2, 152.1, 105.6, 152.2])
    rows = ["image_id,lefteye_x,lefteye_y,righteye_x,righteye_y,nose_x,nose_y,"
            "leftmouth_x,leftmouth_y,rightmouth_x,rightmouth_y"]  # fmt: skip
    for i in range(count):
        name = f"{i + 1:06d}.jpg"
        cv2.imwrite(str(folder / name), rng.integers(0, 255, (109, 89, 3), dtype=np.uint8))
        points = mean + rng.uniform(-3, 3, 10)
        rows.append(name + "," + ",".join(f"{v:.2f}" for v in points))
    (root / "celeba_half" / "list_landmarks_align_celeba.csv").write_text("\n".join(rows) + "\n")
    return root


def test_models_of_other_archs_compare_and_other_inputs_do_not(tmp_path, capsys):
    from fkd_live.core import ModelSpec

    from .conftest import write_template_model

    data = _tiny_celeba(tmp_path / "faces5")
    specs = [ModelSpec(extra=(("arch", "heatmap"),)), ModelSpec(extra=(("arch", "cnn"),))]
    (tmp_path / "m").mkdir()
    paths = [
        write_template_model(tmp_path / "m" / f"{i}.onnx", s.to_json()) for i, s in enumerate(specs)
    ]
    assert main([*map(str, paths), "--data", str(data)]) == 0
    out = capsys.readouterr().out
    # Both answer the template: the same answers, no difference, all of the residual shared.
    assert "against m/0.onnx" in out
    assert out.splitlines()[-1].split()[:2] == ["m/1.onnx", "+0.00%"]
    assert out.splitlines()[-1].split()[4] == "1.00"
    wider = write_template_model(tmp_path / "m" / "wide.onnx", ModelSpec(input_width=96).to_json())
    assert main([str(paths[0]), str(wider), "--data", str(data)]) == 2
    assert "contracts differ" in capsys.readouterr().err
