"""Keypoint regressors. Each maps `(N, C, H, W)` normalised crops to `(N, 10)` unit coordinates
(the contract's "unit_xy" decoding).

- `mean`: the mean-shape baseline, always the training mean (the template until fitted);
- `cnn`: a plain 7-conv network with a small fully connected head (`cnn32`: the same with a 1x1
  reduction to 32 channels before the head);
- `heatmap`: an encoder with a light top-down path, five heatmaps at 1/4 of the input and a
  soft-argmax (what the shipped model uses: no fully connected layer, sub-pixel output);
- `mobile`: our own efficient net of inverted-residual blocks (depthwise convolutions);
- `mobilenet_v2`, `densenet169`: torchvision backbones, optionally ImageNet-initialised.
"""

from __future__ import annotations

import torch
from torch import nn

from fkd_live.core import FLIP_PERMUTATION, ModelSpec

from .config import FitConfig
from .precision import full_precision


def _conv(c_in: int, c_out: int, stride: int, kernel: int = 3, groups: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, kernel, stride, kernel // 2, groups=groups, bias=False),
        nn.BatchNorm2d(c_out),
        nn.ReLU(inplace=True),
    )


def _template_unit(spec: ModelSpec) -> torch.Tensor:
    t = torch.tensor(spec.template_in_input(), dtype=torch.float32)
    return (t / torch.tensor([spec.input_width, spec.input_height])).reshape(10)


class RegressionHead(nn.Sequential):
    """Flatten the final feature map (keeping its layout, which pooling would lose), then two
    linear layers. Starts at the template: an untrained net predicts the mean aligned face."""

    def __init__(self, features: int, spec: ModelSpec, hidden: int = 128) -> None:
        last = nn.Linear(hidden, 10)
        super().__init__(nn.Flatten(), nn.Linear(features, hidden), nn.ReLU(inplace=True), last)
        with torch.no_grad():
            last.weight.mul_(0.1)
            last.bias.copy_(_template_unit(spec))


def _grid(spec: ModelSpec, stride: int) -> int:
    return -(-spec.input_width // stride) * -(-spec.input_height // stride)


class SmallCNN(nn.Module):
    """Seven 3x3 convolutions (~40 MMAC at 80x80) and the regression head. With `reduce`, a 1x1
    convolution first narrows the last map to that many channels, so the head's first layer is
    small (its fan-in is what makes large learning rates unstable)."""

    def __init__(self, spec: ModelSpec, reduce: int | None = None) -> None:
        super().__init__()
        c = [24, 32, 48, 96, 128]
        layers = [
            _conv(spec.channels, c[0], 2),
            _conv(c[0], c[1], 1),
            _conv(c[1], c[2], 2),
            _conv(c[2], c[2], 1),
            _conv(c[2], c[3], 2),
            _conv(c[3], c[3], 1),
            _conv(c[3], c[4], 2),
        ]
        if reduce:
            layers.append(_conv(c[4], reduce, 1, kernel=1))
        self.features = nn.Sequential(*layers)
        self.head = RegressionHead((reduce or c[4]) * _grid(spec, 16), spec)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.head(self.features(x))
        return out


class InvertedResidual(nn.Module):
    """Expand (1x1), depthwise 3x3, project (1x1, linear); a skip when shapes allow."""

    def __init__(self, c_in: int, c_out: int, stride: int, expand: int) -> None:
        super().__init__()
        mid = c_in * expand
        self.block = nn.Sequential(
            _conv(c_in, mid, 1, kernel=1),
            _conv(mid, mid, stride, groups=mid),
            nn.Conv2d(mid, c_out, 1, bias=False),
            nn.BatchNorm2d(c_out),
        )
        self.skip = stride == 1 and c_in == c_out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.block(x)
        return x + out if self.skip else out


class MobileNet(nn.Module):
    """Our efficient architecture: a stem conv and nine inverted-residual blocks (about a third of
    SmallCNN's multiply-adds), then the same regression head."""

    def __init__(self, spec: ModelSpec) -> None:
        super().__init__()
        plan = [(16, 1, 1), (24, 2, 4), (24, 1, 4), (40, 2, 4), (40, 1, 4), (64, 2, 4),
                (64, 1, 4), (96, 1, 4), (128, 2, 4)]  # fmt: skip
        layers: list[nn.Module] = [_conv(spec.channels, 16, 2)]
        c = 16
        for c_out, stride, expand in plan:
            layers.append(InvertedResidual(c, c_out, stride, expand))
            c = c_out
        self.features = nn.Sequential(*layers)
        self.head = RegressionHead(c * _grid(spec, 32), spec)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.head(self.features(x))
        return out


class SoftArgmax(nn.Module):
    """`(N, K, h, w)` logits to `(N, 2K)` unit coordinates: the expected cell centre under each
    map's softmax ("integral regression", Sun et al. 2018), so sub-cell positions stay
    differentiable and the output keeps the contract's "unit_xy" decoding."""

    def __init__(self, h: int, w: int) -> None:
        super().__init__()
        self.register_buffer("xs", (torch.arange(w, dtype=torch.float32) + 0.5) / w)
        self.register_buffer("ys", (torch.arange(h, dtype=torch.float32) + 0.5) / h)

    def forward(self, logits: torch.Tensor) -> torch.Tensor:
        n, k, h, w = logits.shape
        prob = torch.softmax(logits.reshape(n, k, h * w), dim=2)
        xs: torch.Tensor = self.xs  # type: ignore[assignment]
        ys: torch.Tensor = self.ys  # type: ignore[assignment]
        # One product with the (h*w, 2) cell centres (row-major like the flattened map), not
        # sums over each axis: an exported graph of one MatMul where it had eleven small
        # nodes, which at batch 1 cost more in overhead than in arithmetic.
        grid = torch.stack((xs.repeat(h), ys.repeat_interleave(w)), dim=1)
        return (prob @ grid).reshape(n, 2 * k)


class HeatmapNet(nn.Module):
    """An encoder to 1/16 of the input, a light top-down path back to 1/4 with lateral joins
    (global context for where the face is, fine features for where exactly), five heatmaps
    there, and a soft-argmax. No fully connected layer, so the file stays small.

    `width` sets the decoder's channels; `channels` multiplies the encoder's after the stem
    (48, 96 and 128 at 1.0, rounded to multiples of 8). The stem stays as it is: it is what
    int8 quantisation keeps in float (see `train.quantize`). `map_stride` 2 adds one more
    top-down level, joined with the stem's features, so the maps are at 1/2 of the input
    (half-width channels there) instead of 1/4."""

    def __init__(
        self, spec: ModelSpec, width: int = 32, channels: float = 1.0, map_stride: int = 4
    ) -> None:
        super().__init__()
        if spec.input_width % 16 or spec.input_height % 16:
            raise ValueError("the heatmap net needs an input size divisible by 16")
        if channels <= 0:
            raise ValueError(f"the channel multiplier must be positive, got {channels}")
        if map_stride not in (2, 4):
            raise ValueError(f"the heatmap stride must be 2 or 4, got {map_stride}")
        c2 = 32  # the stem's output, which down4 and the stride-2 level both take
        c4, c8, c16 = (max(8, 8 * round(c * channels / 8)) for c in (48, 96, 128))
        # The 1/2-scale stage is the costliest per channel: depthwise-separable there.
        self.stem = nn.Sequential(
            _conv(spec.channels, 24, 2), _conv(24, 24, 1, groups=24), _conv(24, c2, 1, kernel=1)
        )
        self.down4 = nn.Sequential(_conv(c2, c4, 2), _conv(c4, c4, 1))
        self.down8 = nn.Sequential(_conv(c4, c8, 2), _conv(c8, c8, 1))
        self.down16 = nn.Sequential(_conv(c8, c16, 2), _conv(c16, c16, 1))
        self.top8 = _conv(c16, 2 * width, 1, kernel=1)
        self.lat8 = _conv(c8, 2 * width, 1, kernel=1)
        self.mix8 = _conv(2 * width, 2 * width, 1)
        self.top4 = _conv(2 * width, width, 1, kernel=1)
        self.lat4 = _conv(c4, width, 1, kernel=1)
        self.mix4 = _conv(width, width, 1)
        last = width
        self.fine: nn.ModuleDict | None = None
        if map_stride == 2:
            last = max(8, width // 2)
            self.fine = nn.ModuleDict(
                {
                    "top": _conv(width, last, 1, kernel=1),
                    "lat": _conv(c2, last, 1, kernel=1),
                    "mix": _conv(last, last, 1),
                }
            )
        self.maps = nn.Conv2d(last, 5, 1)
        self.up = nn.Upsample(scale_factor=2.0, mode="nearest")
        self.soft_argmax = SoftArgmax(
            spec.input_height // map_stride, spec.input_width // map_stride
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_maps(x)[0]

    def forward_maps(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Keypoints `(N, 10)` and the heatmap logits `(N, 5, H/s, W/s)` they come from (s: the
        map stride)."""
        f2 = self.stem(x)
        f4 = self.down4(f2)
        f8 = self.down8(f4)
        f16 = self.down16(f8)
        g8 = self.mix8(self.up(self.top8(f16)) + self.lat8(f8))
        g = self.mix4(self.up(self.top4(g8)) + self.lat4(f4))
        if self.fine is not None:
            g = self.fine["mix"](self.up(self.fine["top"](g)) + self.fine["lat"](f2))
        with full_precision(g):  # sub-pixel positions need float32 logits
            logits = self.maps(g.float())
            out: torch.Tensor = self.soft_argmax(logits)
        return out, logits


class WithMaps(nn.Module):
    """The heatmap net as trained with a loss on its maps: forward gives (keypoints, logits).
    A module of its own so DistributedDataParallel wraps the call that is actually made."""

    def __init__(self, net: HeatmapNet) -> None:
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.net.forward_maps(x)


class FlipAveraged(nn.Module):
    """Test-time flip augmentation inside the model: the net answers for each crop and for its
    mirror image, and the mirror's answer, mirrored back (left and right points swapped), is
    averaged with the first. Mirroring maps input pixel x to
    W - 1 - x (pixel centres at integers, as `flip_keypoints_horizontally` has it), which in
    the contract's unit coordinates (x / W) is u -> (W - 1) / W - u. Exported as one graph,
    so the app runs it like any other model; it costs one more crop per face."""

    def __init__(self, net: nn.Module) -> None:
        super().__init__()
        self.net = net
        # Mirroring back is linear, back = mirrored @ M + u * x_mask: M moves each point to
        # its swapped place and negates x. As a matrix it exports as one MatMul rather than a
        # gather and a dozen reshapes (see SoftArgmax for why that matters at batch 1).
        mirror = torch.zeros(10, 10)
        for i, j in enumerate(FLIP_PERMUTATION):
            mirror[2 * j, 2 * i] = -1.0
            mirror[2 * j + 1, 2 * i + 1] = 1.0
        self.register_buffer("mirror", mirror, persistent=False)
        self.register_buffer("x_mask", torch.tensor([1.0, 0.0] * 5), persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, w = x.shape[0], x.shape[3]
        both: torch.Tensor = self.net(torch.cat((x, x.flip(3))))
        mirror: torch.Tensor = self.mirror  # type: ignore[assignment]
        x_mask: torch.Tensor = self.x_mask  # type: ignore[assignment]
        back = both[n:] @ mirror + x_mask * ((w - 1) / w)
        return (both[:n] + back) / 2


class MeanShape(nn.Module):
    """The baseline: ignores the picture and answers the mean training shape."""

    def __init__(self, spec: ModelSpec) -> None:
        super().__init__()
        self.register_buffer("mean", _template_unit(spec))
        # A parameter so optimisers and checkpoints treat it like any model; never trained.
        self.unused = nn.Parameter(torch.zeros(1), requires_grad=False)

    def fit_mean(self, targets: torch.Tensor) -> None:
        """Set the answer to the mean of `(N, 10)` unit-coordinate targets."""
        with torch.no_grad():
            self.mean.copy_(targets.mean(dim=0))  # type: ignore[operator]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        mean: torch.Tensor = self.mean  # type: ignore[assignment]
        return x.new_zeros(x.shape[0], 10) + mean


class TorchvisionBackbone(nn.Module):
    """A torchvision classifier's convolutional trunk with our regression head."""

    def __init__(self, name: str, spec: ModelSpec, pretrained: bool) -> None:
        super().__init__()
        try:
            import torchvision
        except Exception as exc:  # a CUDA-only torchvision fails with more than ImportError
            raise ValueError(
                f"architecture {name!r} needs torchvision, which is not usable here ({exc}); "
                "use 'cnn' or 'mobile', or install a torchvision matching torch"
            ) from exc
        weights = "DEFAULT" if pretrained else None
        try:
            net = getattr(torchvision.models, name)(weights=weights)
        except Exception as exc:  # no network or no cached weights
            raise ValueError(f"cannot build {name} with ImageNet weights: {exc}") from exc
        self.features = net.features
        if spec.channels == 1:
            raise ValueError(f"{name} expects RGB input; use a colour model contract")
        with torch.no_grad():
            probe = torch.zeros(1, 3, spec.input_height, spec.input_width)
            n = int(self.features(probe).numel())
        self.head = RegressionHead(n, spec)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.head(torch.relu(self.features(x)))
        return out


ARCHITECTURES = ("mean", "cnn", "cnn32", "heatmap", "mobile", "mobilenet_v2", "densenet169")


def build_model(
    name: str,
    spec: ModelSpec,
    pretrained: bool = False,
    width: int = 32,
    channels: float = 1.0,
    map_stride: int = 4,
) -> nn.Module:
    """An architecture by name; `width`, `channels` and `map_stride` size the heatmap net's
    decoder, encoder and maps (others ignore them)."""
    if name == "mean":
        return MeanShape(spec)
    if name == "cnn":
        return SmallCNN(spec)
    if name == "cnn32":
        return SmallCNN(spec, reduce=32)
    if name == "heatmap":
        return HeatmapNet(spec, width, channels, map_stride)
    if name == "mobile":
        return MobileNet(spec)
    if name in ("mobilenet_v2", "densenet169"):
        return TorchvisionBackbone(name, spec, pretrained)
    raise ValueError(f"unknown architecture {name!r}; choose from {', '.join(ARCHITECTURES)}")


def build_from_config(cfg: FitConfig, spec: ModelSpec) -> nn.Module:
    """The untrained network a training config describes (what `fit` trains and a checkpoint
    of it loads into)."""
    return build_model(
        cfg.arch, spec, width=cfg.width, channels=cfg.channels, map_stride=cfg.map_stride
    )
