"""Mixed precision, channels-last and the weight average: exact where they must be exact."""

import pytest

torch = pytest.importorskip("torch")

from fkd_live.core import ModelSpec  # noqa: E402
from train.models import build_model  # noqa: E402
from train.precision import (  # noqa: E402
    autocast,
    channels_last,
    export_weights,
    full_precision,
    make_ema,
    to_memory_format,
)

CPU = torch.device("cpu")
SPEC = ModelSpec(input_width=64, input_height=64)


def test_unknown_precision_is_a_clear_error():
    with pytest.raises(ValueError, match="precision must be one of fp32, bf16"):
        autocast(CPU, "fp16x")


def test_bf16_runs_the_trunk_in_bf16_and_the_keypoint_head_in_fp32():
    conv = torch.nn.Conv2d(3, 4, 3)
    x = torch.randn(2, 3, 8, 8)
    with autocast(CPU, "bf16"):
        assert conv(x).dtype == torch.bfloat16
        with full_precision(x):
            assert conv(x).dtype == torch.float32
    with autocast(CPU, "fp32"):
        assert conv(x).dtype == torch.float32
    net = build_model("heatmap", SPEC).eval()
    with autocast(CPU, "bf16"):
        out = net(torch.randn(2, 3, 64, 64))
    assert out.dtype == torch.float32


def test_channels_last_changes_layout_not_answers():
    torch.manual_seed(0)
    net = build_model("heatmap", SPEC).eval()
    x = torch.randn(2, 3, 64, 64)
    before = net(x)
    net = channels_last(net)
    assert net.stem[0][0].weight.is_contiguous(memory_format=torch.channels_last)
    xl = to_memory_format(x)
    assert xl.is_contiguous(memory_format=torch.channels_last)
    assert torch.allclose(net(xl), before, atol=1e-5)
    y = torch.rand(2, 10)
    assert to_memory_format(y) is y  # only image batches change layout


def test_ema_is_the_exponential_average_of_weights_and_buffers_with_a_warm_up():
    net = torch.nn.BatchNorm1d(1)
    assert make_ema(net, 0.0) is None
    with pytest.raises(ValueError, match="ema must be in"):
        make_ema(net, 1.0)
    ema = make_ema(net, 0.2)
    assert ema is not None
    seen = []
    for weight, mean in ((2.0, 4.0), (13.0, 15.0), (3.0, 5.0)):
        with torch.no_grad():
            net.weight.fill_(weight)
            net.running_mean.fill_(mean)
        ema.update_parameters(net)
        seen.append((ema.module.weight.item(), ema.module.running_mean.item()))
    # First update copies; the second mixes with decay min(0.2, 2/11) = 2/11:
    # 2 * 2/11 + 13 * 9/11 = 11; the third with min(0.2, 3/12) = 0.2: 11 * 0.2 + 3 * 0.8 = 4.6.
    assert seen[0] == (2.0, 4.0)
    assert seen[1] == pytest.approx((11.0, 13.0))
    assert seen[2] == pytest.approx((4.6, 6.6))


def test_a_checkpoint_stands_for_its_ema_when_it_has_one():
    assert export_weights({"model": {"w": 1}, "ema": {"w": 2}}) == {"w": 2}
    assert export_weights({"model": {"w": 1}, "ema": None}) == {"w": 1}
    assert export_weights({"model": {"w": 1}}) == {"w": 1}  # checkpoints from before the EMA
