"""Losses, pinned with hand-computed numbers."""

import math

import pytest

torch = pytest.importorskip("torch")

from train.losses import gaussian_maps, heatmap_js, loss_fn, wing_loss  # noqa: E402
from train.models import WithMaps, build_model  # noqa: E402


def test_pixel_losses_by_hand():
    pred, target = torch.tensor([[0.5, 0.25]]), torch.tensor([[0.25, 0.25]])
    # Input 8 px: errors of 2 px and 0 px.
    assert loss_fn("l1", pred, target, 8.0).item() == pytest.approx(1.0)
    assert loss_fn("mse", pred, target, 8.0).item() == pytest.approx(2.0)
    # Wing with w=4, eps=1: 4 ln(1 + 2) for the 2 px error, 0 for the other.
    assert loss_fn("wing", pred, target, 8.0).item() == pytest.approx(2 * math.log(3))
    assert wing_loss(torch.tensor([10.0]), torch.tensor([0.0])).item() == pytest.approx(
        10 - (4 - 4 * math.log(5))
    )


def test_gaussian_maps_are_centred_on_the_keypoint():
    # A 4x4 grid; cell centres at unit (i + 0.5) / 4. A keypoint at the centre of cell (row 1,
    # column 2) gives that cell the largest weight, its four neighbours exp(-1/2) of it
    # (sigma 1 cell), the diagonal ones exp(-1).
    target = torch.tensor([[2.5 / 4, 1.5 / 4]])
    q = gaussian_maps(target, 4, 4, sigma=1.0).reshape(4, 4)
    assert q.sum().item() == pytest.approx(1.0)
    assert q.argmax().item() == 1 * 4 + 2
    assert (q[1, 3] / q[1, 2]).item() == pytest.approx(math.exp(-0.5))
    assert (q[0, 1] / q[1, 2]).item() == pytest.approx(math.exp(-1.0))


def test_heatmap_js_is_zero_on_the_target_and_ln2_when_disjoint():
    target = torch.tensor([[2.5 / 4, 1.5 / 4]])
    q = gaussian_maps(target, 4, 4, sigma=1.0).reshape(1, 1, 4, 4)
    assert heatmap_js(q.log(), target, 1.0).item() == pytest.approx(0.0, abs=1e-6)
    # All mass on a cell where the (very narrow) target has none: JS is its maximum, ln 2.
    far = torch.full((1, 1, 4, 4), -1e4)
    far[0, 0, 3, 0] = 0.0
    assert heatmap_js(far, target, 0.05).item() == pytest.approx(math.log(2), abs=1e-4)


def test_the_map_view_gives_the_same_keypoints_and_its_logits():
    from fkd_live.core import ModelSpec

    net = build_model("heatmap", ModelSpec(input_width=64, input_height=64)).eval()
    x = torch.randn(2, 3, 64, 64)
    points, logits = WithMaps(net)(x)
    assert logits.shape == (2, 5, 16, 16)
    assert torch.allclose(points, net(x))
