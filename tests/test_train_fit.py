"""A whole (tiny) training run: fit, checkpoints, curves, resume, and an export the app loads."""

import json
import re
from pathlib import Path

import cv2
import numpy as np
import pytest

pytest.importorskip("torch")

from fkd_live.adapters.runtime import KeypointModel
from fkd_live.core import COORDINATE_NAMES, flip_keypoints_horizontally
from train.__main__ import main as train_main


def write_faces5(root: Path, n: int = 24) -> Path:
    """A miniature faces5 tree: an mtfl/ folder of 80x80 pictures with drawn 'faces'."""
    folder = root / "mtfl"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    lines = ["image_id," + ",".join(COORDINATE_NAMES)]
    for i in range(n):
        img = np.full((80, 80, 3), 90, np.uint8)
        cx, cy = 40 + rng.uniform(-6, 6), 40 + rng.uniform(-6, 6)
        pts = np.array(
            [[cx - 9, cy - 6], [cx + 9, cy - 6], [cx, cy + 2], [cx - 7, cy + 10], [cx + 7, cy + 10]]
        )
        cv2.ellipse(img, (int(cx), int(cy)), (16, 21), 0, 0, 360, (200, 170, 150), -1)
        for x, y in pts:
            cv2.circle(img, (int(x), int(y)), 2, (20, 20, 20), -1)
        cv2.imwrite(str(folder / f"{i}.png"), img)
        lines.append(f"{i}.png," + ",".join(f"{v:.2f}" for v in pts.reshape(-1)))
    (folder / "landmarks.csv").write_text("\n".join(lines) + "\n")
    return root


@pytest.mark.slow
def test_fit_export_resume(tmp_path, capsys):
    data = write_faces5(tmp_path / "faces5")
    out = tmp_path / "run"
    args = [
        "fit",
        "--data",
        str(data),
        "--sources",
        "mtfl",
        "--out",
        str(out),
        "--epochs",
        "2",
        "--batch-size",
        "8",
        "--workers",
        "0",
        "--val-fraction",
        "0.25",
        "--input-size",
        "48",
        "--threads",
        "1",
    ]
    assert train_main(args) == 0
    for name in ("best.pt", "last.pt", "curves.png", "model.onnx", "history.json"):
        assert (out / name).is_file(), name
    assert len(json.loads((out / "history.json").read_text())) == 2

    import torch

    state = torch.load(out / "last.pt", weights_only=False)
    assert state["config"]["epochs"] == 2  # the config travels inside the checkpoint
    assert state["config"]["input_size"] == 48

    assert (
        train_main(
            [
                "evaluate",
                str(out / "model.onnx"),
                "--data",
                str(data),
                "--val-fraction",
                "0.25",
                "-o",
                str(out / "eval.md"),
            ]
        )
        == 0
    )
    table = (out / "eval.md").read_text()
    assert "| mtfl | box | model.onnx | 5 |" in table
    assert "| mtfl | box | mean shape | 5 |" in table
    assert (out / "eval.ced.png").stat().st_size > 10_000
    audit_csv = out / "audit.csv"
    assert train_main(["audit", str(out / "model.onnx"), "--data", str(data), "-o",
                       str(audit_csv)]) == 0  # fmt: skip
    audit = audit_csv.read_text().splitlines()
    assert audit[0] == "source,image_id,nme"
    assert len(audit) == 1 + 24
    worst = [float(line.split(",")[2]) for line in audit[1:]]
    assert worst == sorted(worst, reverse=True)
    assert train_main(["speed", str(out / "model.onnx"), "--repeats", "5"]) == 0
    assert "ms per face" in capsys.readouterr().out
    # Two models are timed side by side; the second line gives its ratio to the first.
    assert train_main(["speed", str(out / "model.onnx"), str(out / "model.onnx"),
                       "--repeats", "5"]) == 0  # fmt: skip
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert "the first's time" in lines[1]
    assert "first" not in lines[0]

    model = KeypointModel(out / "model.onnx")
    assert model.spec.input_size == (48, 48)
    assert model.predict(np.zeros((2, 48, 48, 3), np.uint8)).shape == (2, 5, 2)

    # Resume a finished 2-epoch run to 3 epochs: one more epoch is trained.
    assert (
        train_main(
            [
                *args[:-6],
                "--epochs",
                "3",
                "--input-size",
                "48",
                "--threads",
                "1",
                "--resume",
                str(out / "last.pt"),
            ]
        )
        == 0
    )
    assert len(json.loads((out / "history.json").read_text())) == 3


def test_mean_shape_baseline_fits_in_one_pass(tmp_path):
    data = write_faces5(tmp_path / "faces5", n=16)
    out = tmp_path / "mean"
    args = ["fit", "--data", str(data), "--sources", "mtfl", "--out", str(out), "--arch", "mean",
            "--batch-size", "4", "--workers", "0", "--input-size", "48"]  # fmt: skip
    assert train_main(args) == 0
    history = json.loads((out / "history.json").read_text())
    assert len(history) == 1
    model = KeypointModel(out / "model.onnx")
    a = model.predict(np.zeros((1, 48, 48, 3), np.uint8))
    b = model.predict(np.full((1, 48, 48, 3), 255, np.uint8))
    np.testing.assert_allclose(a, b)  # the picture does not matter

    # --on-train scores the training split (to tell underfitting from overfitting).
    from train.data import load_faces5, split

    train_split, val_split = split(load_faces5(data), 0.1)
    table = out / "train.md"
    assert train_main(["evaluate", str(out / "model.onnx"), "--data", str(data),
                       "--on-train", "-o", str(table)]) == 0  # fmt: skip
    assert f"| mtfl | box | model.onnx | {len(train_split)} |" in table.read_text()
    assert len(train_split) != len(val_split)


def test_explore_writes_three_plots(tmp_path, capsys):
    data = write_faces5(tmp_path / "faces5", n=12)
    out = tmp_path / "explore"
    assert train_main(["explore", "--data", str(data), "-o", str(out)]) == 0
    for name in ("distributions.png", "heatmaps.png", "correlation.png"):
        assert (out / name).stat().st_size > 10_000, name


def test_fit_reports_bad_config(tmp_path, capsys):
    bad = tmp_path / "cfg.json"
    bad.write_text('{"epochs": 2, "colour": "blue"}')
    assert train_main(["fit", "--config", str(bad)]) == 2
    assert "unknown config keys: colour" in capsys.readouterr().err


@pytest.mark.slow
def test_distributed_fit_with_two_cpu_processes(tmp_path):
    """torchrun, two processes, gloo: one shared run directory, written by rank 0 only. The
    heatmap net with its map loss, so DDP wraps the call that returns the maps; half the images
    per epoch, so the sampler shards the epoch's share."""
    import os
    import subprocess
    import sys

    data = write_faces5(tmp_path / "faces5", n=32)
    out = tmp_path / "ddp"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2",
         "--master_port", "29517", "-m", "train", "fit", "--data", str(data),
         "--sources", "mtfl", "--out", str(out), "--epochs", "2", "--batch-size", "4",
         "--workers", "0", "--input-size", "48", "--val-fraction", "0.25", "--threads", "1",
         "--arch", "heatmap", "--width", "16", "--heatmap-reg", "1", "--source-share", "mtfl=0.5"],
        capture_output=True, text=True, timeout=600, env=env,
        cwd=Path(__file__).resolve().parents[1],
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    assert len(json.loads((out / "history.json").read_text())) == 2
    assert KeypointModel(out / "model.onnx").spec.input_size == (48, 48)
    import torch

    state = torch.load(out / "last.pt", weights_only=False)
    assert state["epoch"] == 1
    assert done.stderr.count("epoch 2: train loss") == 1  # only rank 0 logs
    used, total = map(int, re.search(r"each epoch uses (\d+) of the (\d+)", done.stderr).groups())
    assert used == round(total / 2)


def test_map_loss_needs_the_heatmap_net(tmp_path, capsys):
    data = write_faces5(tmp_path / "faces5", n=8)
    args = ["fit", "--data", str(data), "--sources", "mtfl", "--out", str(tmp_path / "r"),
            "--arch", "cnn", "--heatmap-reg", "1", "--workers", "0"]  # fmt: skip
    assert train_main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].endswith("--heatmap-reg needs --arch heatmap (the others have no heatmaps)")


def test_a_bad_source_share_is_one_line(tmp_path, capsys):
    args = ["fit", "--data", str(tmp_path), "--sources", "mtfl", "--out", str(tmp_path / "r"),
            "--source-share", "mtfl=2"]  # fmt: skip
    assert train_main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].endswith("source share 'mtfl=2' must look like SOURCE=FRACTION in (0, 1]")


def test_calm_epochs_switch_the_augmentation_for_the_last_epochs(tmp_path, caplog):
    data = write_faces5(tmp_path / "faces5", n=12)
    args = ["fit", "--data", str(data), "--sources", "mtfl", "--out", str(tmp_path / "r"),
            "--arch", "heatmap", "--width", "8", "--input-size", "32", "--batch-size", "4",
            "--workers", "0", "--threads", "1", "--epochs", "3", "--calm-epochs", "2",
            "--calm-factor", "0.5"]  # fmt: skip
    with caplog.at_level("INFO", logger="train.fit"):
        assert train_main(args) == 0
    logged = [r.getMessage() for r in caplog.records]
    calm_at = logged.index("calm epochs: jitter times 0.5 from here on")
    assert [m.split(":")[0] for m in logged[calm_at - 1 : calm_at + 1]] == [
        "epoch 1",
        "calm epochs",
    ]


def test_augment_for_calms_exactly_the_last_epochs():
    from train.config import FitConfig
    from train.fit import augment_for

    cfg = FitConfig(epochs=10, rotate_deg=8.0, calm_epochs=3, calm_factor=0.25)
    assert [augment_for(cfg, e).rotate_deg for e in (0, 6, 7, 9)] == [8.0, 8.0, 2.0, 2.0]
    assert augment_for(FitConfig(epochs=10, rotate_deg=8.0), 9).rotate_deg == 8.0


def test_checkpoint_choice_weighs_every_selected_source_the_same():
    import numpy as np

    from train.validation import selection_score, source_means

    values = np.array([1.0, 1.0, 1.0, 4.0, 7.0])
    by_source = source_means(values, ["a", "a", "a", "b", "c"])
    assert by_source == {"a": 1.0, "b": 4.0, "c": 7.0}
    assert selection_score(by_source) == 4.0  # not the plain mean 2.8
    assert selection_score(by_source, ("a", "b")) == 2.5  # c left out
    assert selection_score(by_source, ("z",)) == 4.0  # a run without z: every source
    assert source_means(values, []) == {"all": 2.8}


@pytest.mark.slow
def test_bf16_fit_exports_its_weight_average(tmp_path):
    """With --ema the checkpoint carries the average beside the trained weights, and the ONNX
    file answers what the average answers (not the last step's weights)."""
    import torch

    from fkd_live.core import ModelSpec
    from train.models import build_model

    data = write_faces5(tmp_path / "faces5", n=16)
    out = tmp_path / "ema"
    args = ["fit", "--data", str(data), "--sources", "mtfl", "--out", str(out), "--arch",
            "heatmap", "--epochs", "2", "--batch-size", "4", "--workers", "0", "--input-size",
            "48", "--val-fraction", "0.25", "--precision", "bf16", "--ema", "0.9",
            "--width", "16", "--channels", "0.5"]  # fmt: skip
    assert train_main(args) == 0
    state = torch.load(out / "best.pt", weights_only=False)
    assert state["config"]["precision"] == "bf16"
    assert state["config"]["ema"] == 0.9
    w = "maps.weight"
    assert not torch.equal(state["ema"][w], state["model"][w])
    assert state["ema_updates"] in (3, 6)  # 3 steps an epoch; best.pt is epoch 1 or 2
    assert state["config"]["width"] == 16
    assert state["config"]["channels"] == 0.5
    net = build_model("heatmap", ModelSpec.from_json(state["spec"]), width=16, channels=0.5)
    net.load_state_dict(state["ema"])
    crops = np.random.default_rng(0).integers(0, 256, (2, 48, 48, 3), dtype=np.uint8)
    x = (torch.from_numpy(crops).permute(0, 3, 1, 2).float() / 255 - 0.5) / 0.25
    expected = net.eval()(x).detach().numpy().reshape(2, 5, 2) * 48
    got = KeypointModel(out / "model.onnx").predict(crops)
    np.testing.assert_allclose(got, expected, atol=1e-3)

    # Resumed to 3 epochs (the later --epochs wins), the average goes on where it stopped.
    assert train_main([*args, "--epochs", "3", "--resume", str(out / "last.pt")]) == 0
    assert torch.load(out / "last.pt", weights_only=False)["ema_updates"] == 9
    # A checkpoint rebuilds its own sizes (export would fail on mismatched shapes otherwise).
    assert train_main(["export", str(out / "last.pt"), "-o", str(out / "again.onnx")]) == 0
    # --flip-average: the file answers the mean of a crop's and its mirror's (mirrored back).
    flip = out / "flip.onnx"
    assert train_main(["export", str(out / "last.pt"), "-o", str(flip), "--flip-average"]) == 0
    plain, averaged = KeypointModel(out / "again.onnx"), KeypointModel(flip)
    assert ("test_time", "flip_average") in averaged.spec.extra
    mirrored = flip_keypoints_horizontally(plain.predict(crops[:, :, ::-1].copy()), 48)
    np.testing.assert_allclose(
        averaged.predict(crops), (plain.predict(crops) + mirrored) / 2, atol=1e-4
    )


@pytest.mark.parametrize("command", ["evaluate", "speed", "audit"])
def test_a_file_that_is_not_a_model_is_one_line_and_exit_2(tmp_path, capsys, command):
    junk = tmp_path / "junk.onnx"
    junk.write_text("not a model")
    data = [] if command == "speed" else ["--data", str(tmp_path)]
    assert train_main([command, str(junk), *data]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: cannot load model")
    assert "\n" not in err


def test_label_offsets_move_the_training_labels_only(tmp_path):
    from train.config import FitConfig
    from train.data import load_faces5, split
    from train.fit import prepare

    data = write_faces5(tmp_path / "faces5", n=12)
    offsets = ("mtfl=1,0,0,0,0,0,0,0,0,-2",)  # left eye 1 px right, right mouth 2 px up
    cfg = FitConfig(data=str(data), sources=("mtfl",), out=str(tmp_path / "r"), workers=0,
                    arch="mean", label_offsets=offsets)  # fmt: skip
    run = prepare(cfg)
    train_split, val_split = split(load_faces5(data), cfg.val_fraction)
    moved = np.stack([s.points for s in run.train_ds.samples]) - [s.points for s in train_split]
    expected = np.zeros((5, 2))
    expected[0, 0], expected[4, 1] = 1.0, -2.0
    np.testing.assert_allclose(moved, np.broadcast_to(expected, moved.shape))
    kept = [s.points for s in run.val_dl.dataset.samples]  # validation keeps the source's own
    np.testing.assert_array_equal(np.stack(kept), np.stack([s.points for s in val_split]))


def test_a_bad_label_offset_is_one_line(tmp_path, capsys):
    args = ["fit", "--data", str(tmp_path), "--sources", "mtfl", "--out", str(tmp_path / "r"),
            "--label-offsets", "mtfl=1,2"]  # fmt: skip
    assert train_main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].endswith("label offset 'mtfl=1,2' must be SOURCE=x,y for each of five points")
