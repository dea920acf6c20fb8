"""The issue-3 target benchmark: each line's figure and verdict come from what it measures."""

import json

import pytest

pytest.importorskip("torch")

from benchmarks.model_targets import fit_row, row


def test_fit_time_is_the_sum_of_the_runs_epoch_times(tmp_path):
    (tmp_path / "history.json").write_text(
        json.dumps([{"epoch": 0, "seconds": 3000.0}, {"epoch": 1, "seconds": 1500.0}])
    )
    line = fit_row(tmp_path / "history.json")
    assert "75.0 min, 2 epochs" in line
    assert line.endswith("met")
    assert not line.endswith("NOT met")
    (tmp_path / "history.json").write_text(json.dumps([{"epoch": 0, "seconds": 5400.0}]))
    assert fit_row(tmp_path / "history.json").endswith("NOT met")  # 90 minutes is not under 90


def test_a_missing_run_is_reported_not_met(tmp_path):
    line = fit_row(tmp_path / "nowhere.json")
    assert "no " in line
    assert line.endswith("NOT met")


def test_row_layout():
    assert row("a", "b", True) == "a" + " " * 45 + "b" + " " * 45 + "met"


def test_nme_rows_score_the_model_beside_the_mean_shape(tmp_path):
    from benchmarks.model_targets import nme_rows
    from tests.test_train_fit import write_faces5
    from train.__main__ import main as train_main

    data = write_faces5(tmp_path / "faces5", n=16)  # MTFL only: CelebA has nothing to score
    out = tmp_path / "mean"
    assert train_main(["fit", "--data", str(data), "--sources", "mtfl", "--out", str(out),
                       "--arch", "mean", "--batch-size", "4", "--workers", "0",
                       "--input-size", "48"]) == 0  # fmt: skip
    celeba, mtfl = nme_rows(out / "model.onnx", data)
    assert "no validation images" in celeba
    assert celeba.endswith("NOT met")
    assert mtfl.startswith("mtfl val, box framing, NME <= 6.0%")
    assert "(mean shape " in mtfl


def test_a_file_that_is_not_a_model_is_one_line_and_exit_2(tmp_path, capsys):
    from benchmarks.model_targets import main

    junk = tmp_path / "junk.onnx"
    junk.write_text("not a model")
    assert main(["--model", str(junk), "--data", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: cannot load model")
    assert "\n" not in err
