"""`python -m train recover`: a float checkpoint read back from an exported model's weights."""

from pathlib import Path

import numpy as np
import pytest
import torch

pytest.importorskip("onnx")

from fkd_live.adapters.runtime import KeypointModel
from fkd_live.core import ModelSpec
from train.checkpoint import load_checkpoint
from train.config import FitConfig
from train.export import export_onnx
from train.models import FlipAveraged, build_from_config
from train.recover import recover_checkpoint

SPEC = ModelSpec(input_width=32, input_height=32)
CFG = FitConfig(arch="heatmap", input_size=32, width=8, channels=0.25)
ROOT = Path(__file__).resolve().parents[1]


def trained_looking_net() -> torch.nn.Module:
    """A small heatmap net with random weights and batch-norm statistics far from the identity,
    so that folding them into the convolutions (as export does) changes every weight."""
    torch.manual_seed(0)
    net = build_from_config(CFG, SPEC)
    for m in net.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            n = m.num_features
            m.weight.data = torch.rand(n) + 0.5
            m.bias.data = torch.randn(n) * 0.1
            m.running_mean = torch.randn(n) * 0.1
            m.running_var = torch.rand(n) + 0.5
    return net.eval()


def answers(model, x):
    with torch.no_grad():
        return model(torch.from_numpy(x)).numpy()


@pytest.mark.parametrize("mirrored", [False, True])
def test_a_float_export_comes_back_as_the_same_net(tmp_path, mirrored):
    net = trained_looking_net()
    exported = FlipAveraged(net) if mirrored else net
    spec = SPEC.with_changes(extra=(("test_time", "flip_average"),)) if mirrored else SPEC
    export_onnx(exported, spec, tmp_path / "m.onnx")
    recover_checkpoint(tmp_path / "m.onnx", CFG, tmp_path / "m.pt")
    back, back_spec, back_cfg = load_checkpoint(tmp_path / "m.pt")
    assert back_spec == SPEC  # the plain net's contract: no mirror note, no score
    assert back_cfg == CFG
    x = np.random.default_rng(1).normal(size=(4, 3, 32, 32)).astype(np.float32)
    np.testing.assert_allclose(answers(back, x), answers(net, x), atol=1e-5)


def test_a_file_not_exported_by_train_is_refused(tmp_path):
    (tmp_path / "x.onnx").write_bytes(b"not a model")
    with pytest.raises(ValueError, match="cannot read"):
        recover_checkpoint(tmp_path / "x.onnx", CFG, tmp_path / "x.pt")
    assert not (tmp_path / "x.pt").exists()


def test_the_shipped_checkpoint_answers_as_the_shipped_model():
    # models/fkd5.pt is models/fkd5.onnx read back (see models/README.md): mirror-averaged, it
    # answers as the int8 file does, up to the file's rounding of activations. On noise crops
    # (far from any face, where that rounding moves answers most) about 0.2 px on average; on
    # validation faces 0.01 px (models/README.md). Another net would be pixels away.
    model, spec, _ = load_checkpoint(ROOT / "models" / "fkd5.pt")
    onnx_model = KeypointModel(ROOT / "models" / "fkd5.onnx", device="cpu")
    rng = np.random.default_rng(0)
    crops = np.clip(rng.normal(128, 40, size=(16, 80, 80, 3)), 0, 255).astype(np.uint8)
    from fkd_live.adapters.runtime import decode_output, preprocess

    ours = decode_output(answers(FlipAveraged(model).eval(), preprocess(crops, spec)), spec)
    np.testing.assert_allclose(ours, onnx_model.predict(crops), atol=1.5)
    assert float(np.abs(ours - onnx_model.predict(crops)).mean()) < 0.3
