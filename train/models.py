"""Keypoint regressors. Each maps `(N, C, H, W)` normalised crops to `(N, 10)` unit coordinates
(the contract's "unit_xy" decoding)."""

from __future__ import annotations

import torch
from torch import nn

from fkd_live.core import ModelSpec


def _conv(c_in: int, c_out: int, stride: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False),
        nn.BatchNorm2d(c_out),
        nn.ReLU(inplace=True),
    )


class SmallCNN(nn.Module):
    """A plain 7-conv network (~40 MMAC at 80x80) ending in a small fully connected head: the
    head keeps the spatial layout that global pooling would throw away."""

    def __init__(self, spec: ModelSpec, width: int = 1) -> None:
        super().__init__()
        c = [24 * width, 32 * width, 48 * width, 96 * width, 128 * width]
        self.features = nn.Sequential(
            _conv(spec.channels, c[0], 2),
            _conv(c[0], c[1], 1),
            _conv(c[1], c[2], 2),
            _conv(c[2], c[2], 1),
            _conv(c[2], c[3], 2),
            _conv(c[3], c[3], 1),
            _conv(c[3], c[4], 2),
        )
        side_w, side_h = -(-spec.input_width // 16), -(-spec.input_height // 16)
        self.head = nn.Sequential(
            nn.Flatten(),
            nn.Linear(c[4] * side_w * side_h, 128),
            nn.ReLU(inplace=True),
            nn.Linear(128, 10),
        )
        # Start from the template: the untrained net predicts the mean aligned face.
        last = self.head[-1]
        assert isinstance(last, nn.Linear)
        template = torch.tensor(spec.template_in_input(), dtype=torch.float32)
        template /= torch.tensor([spec.input_width, spec.input_height], dtype=torch.float32)
        with torch.no_grad():
            last.weight.mul_(0.1)
            last.bias.copy_(template.reshape(10))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.head(self.features(x))
        return out


ARCHITECTURES = ("cnn",)


def build_model(name: str, spec: ModelSpec) -> nn.Module:
    if name == "cnn":
        return SmallCNN(spec)
    raise ValueError(f"unknown architecture {name!r}; choose from {', '.join(ARCHITECTURES)}")
