"""Every architecture maps crops to (N, 10), starts at the template, and exports cleanly."""

import pytest

torch = pytest.importorskip("torch")

from torch import nn  # noqa: E402

from fkd_live.adapters.runtime import KeypointModel  # noqa: E402
from fkd_live.core import ModelSpec  # noqa: E402
from train.export import export_onnx  # noqa: E402
from train.models import FlipAveraged, MeanShape, build_model  # noqa: E402

SPEC = ModelSpec(input_width=64, input_height=64)


@pytest.mark.parametrize("arch", ["mean", "cnn", "cnn32", "heatmap", "mobile"])
def test_shapes_template_start_and_export(arch, tmp_path):
    model = build_model(arch, SPEC).eval()
    x = torch.randn(4, 3, 64, 64)
    out = model(x)
    assert out.shape == (4, 10)
    template = torch.tensor(SPEC.template_in_input().reshape(10) / 64.0, dtype=torch.float32)
    if arch == "heatmap":
        # Near-uniform heatmaps: every point starts near the input's centre, inside the crop.
        assert torch.allclose(out.mean(0), torch.full((10,), 0.5), atol=0.1)
    else:
        # Regression heads start at (close to) the mean aligned face.
        assert torch.allclose(out.mean(0), template, atol=0.05)
    path = tmp_path / f"{arch}.onnx"
    assert export_onnx(model, SPEC, path) <= 1e-4
    assert KeypointModel(path).spec == SPEC


def test_soft_argmax_is_the_expected_cell_centre():
    from train.models import SoftArgmax

    logits = torch.full((1, 1, 4, 4), -1e4)
    logits[0, 0, 1, 2] = 0.0  # all mass on row 1, column 2
    np_out = SoftArgmax(4, 4)(logits)
    assert torch.allclose(np_out, torch.tensor([[2.5 / 4, 1.5 / 4]]))
    logits[0, 0, 1, 3] = 0.0  # split between columns 2 and 3
    assert torch.allclose(SoftArgmax(4, 4)(logits), torch.tensor([[3.0 / 4, 1.5 / 4]]))


def test_heatmap_net_width_sets_its_decoder_channels():
    assert build_model("heatmap", SPEC).maps.in_channels == 32
    net = build_model("heatmap", SPEC, width=48)
    assert net.maps.in_channels == 48
    assert net.mix8[0].in_channels == 96


def test_heatmap_net_channels_multiply_the_encoder_after_the_stem():
    net = build_model("heatmap", SPEC, channels=1.5)
    assert net.stem[2][0].out_channels == 32  # the stem is fixed
    assert [net.down4[1][0].out_channels, net.down8[1][0].out_channels,
            net.down16[1][0].out_channels] == [72, 144, 192]  # fmt: skip
    assert net.lat4[0].in_channels == 72
    assert net.top8[0].in_channels == 192
    # Rounded to multiples of 8: 48 * 1.33 = 63.8 -> 64, 96 * 1.33 = 127.7 -> 128, 170.2 -> 168.
    net = build_model("heatmap", SPEC, channels=1.33)
    assert [net.down4[0][0].out_channels, net.down8[0][0].out_channels,
            net.down16[0][0].out_channels] == [64, 128, 168]  # fmt: skip
    with pytest.raises(ValueError, match="positive"):
        build_model("heatmap", SPEC, channels=0.0)


def test_heatmap_net_map_stride_2_gives_maps_at_half_the_input(tmp_path):
    net = build_model("heatmap", SPEC, map_stride=2).eval()
    points, logits = net.forward_maps(torch.randn(2, 3, 64, 64))
    assert points.shape == (2, 10)
    assert logits.shape == (2, 5, 32, 32)
    assert net.fine["lat"][0].in_channels == 32  # joined with the stem's output
    assert net.maps.in_channels == 16  # half the decoder width at the finest level
    assert build_model("heatmap", SPEC).fine is None  # the default net is unchanged
    assert export_onnx(net, SPEC, tmp_path / "s2.onnx") <= 1e-4
    with pytest.raises(ValueError, match="stride must be 2 or 4"):
        build_model("heatmap", SPEC, map_stride=8)


def test_a_config_builds_its_net_and_older_configs_keep_stride_4():
    from train.config import FitConfig
    from train.models import build_from_config

    net = build_from_config(FitConfig(arch="heatmap", width=24, map_stride=2), SPEC)
    assert net.soft_argmax.xs.shape == (32,)  # 64 / 2 cells across
    assert net.fine["top"][0].in_channels == 24
    # A checkpoint's config written before map_stride existed has no such key.
    older = FitConfig.from_dict({"arch": "heatmap"})
    assert build_from_config(older, SPEC).soft_argmax.xs.shape == (16,)


def test_heatmap_net_needs_an_input_divisible_by_16():
    with pytest.raises(ValueError, match="divisible by 16"):
        build_model("heatmap", ModelSpec(input_width=72, input_height=72))


def test_mean_shape_learns_the_mean():
    model = MeanShape(SPEC)
    targets = torch.tensor([[0.1] * 10, [0.3] * 10])
    model.fit_mean(targets)
    assert torch.allclose(model(torch.zeros(3, 3, 64, 64)), torch.full((3, 10), 0.2))


def test_unknown_architecture_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown architecture 'resnet9000'"):
        build_model("resnet9000", SPEC)


def test_torchvision_backbone_or_clear_message():
    try:
        import torchvision  # noqa: F401
    except Exception:
        with pytest.raises(ValueError, match="needs torchvision"):
            build_model("mobilenet_v2", SPEC)
    else:
        assert build_model("mobilenet_v2", SPEC)(torch.zeros(1, 3, 64, 64)).shape == (1, 10)


def test_grad_cam_maps_and_sheet(tmp_path):
    import numpy as np

    from train.explain import conv_layers, explain_sheet, grad_cam

    model = build_model("cnn", SPEC)
    layers = conv_layers(model)
    assert [name for name, _ in layers] == ["features.0.0", "features.3.0", "features.6.0"]
    x = torch.randn(2, 3, 64, 64, requires_grad=True)
    cam = grad_cam(model, x, "nose_x", layers[-1][1])
    assert cam.shape == (2, 64, 64)
    assert cam.min() >= 0.0
    assert cam.max() <= 1.0 + 1e-6
    with pytest.raises(ValueError, match="coordinate must be one of"):
        grad_cam(model, x, "nose_z", layers[-1][1])
    crops = np.random.default_rng(0).integers(0, 255, (2, 64, 64, 3), dtype=np.uint8)
    path = explain_sheet(model, SPEC, crops, "lefteye_y", tmp_path / "cam.png")
    import cv2

    sheet = cv2.imread(str(path))
    assert sheet.shape == (28 + 2 * 64 * 3, 4 * 64 * 3, 3)


class _Fixed(nn.Module):
    """Answers the same unit keypoints for every image except where the image's left column is
    bright (so a mirrored crop can be told apart)."""

    def forward(self, x):
        base = torch.tensor([0.0, 0.1, 0.5, 0.1, 0.25, 0.5, 0.0, 0.75, 0.5, 0.75])
        return base + x[:, :1, :1, :1].reshape(-1, 1) * torch.tensor([0.0, 1.0] * 5)


def test_flip_average_mirrors_back_with_pixel_centres_on_integers():
    # Width 4: unit x 0, 0.5, 0.25 are pixels 0, 2, 1; mirrored pixel x -> 3 - x, i.e. unit
    # u -> 0.75 - u, with left and right swapped. Left eye: (0 + (0.75 - 0.5)) / 2 = 0.125;
    # right eye: (0.5 + 0.75) / 2 = 0.625; nose: (0.25 + 0.5) / 2 = 0.375; mouths as the eyes.
    x = torch.zeros(2, 3, 4, 4)
    x[1, 0, 0, 0] = 0.2  # the second image's top-left pixel: y + 0.2 unflipped, + 0 mirrored
    out = FlipAveraged(_Fixed())(x)
    expected = torch.tensor([[0.125, 0.1, 0.625, 0.1, 0.375, 0.5, 0.125, 0.75, 0.625, 0.75]] * 2)
    expected[1, 1::2] += 0.1
    assert torch.allclose(out, expected)
