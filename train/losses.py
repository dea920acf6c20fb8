"""Losses (compared in input pixels) and the learning-rate schedule."""

from __future__ import annotations

import math

import torch


def wing_loss(
    pred: torch.Tensor, target: torch.Tensor, w: float = 4.0, eps: float = 1.0
) -> torch.Tensor:
    """Feng et al. 2018, in input pixels: log-shaped for small errors, L1 for large ones."""
    d = (pred - target).abs()
    c = w - w * math.log(1.0 + w / eps)
    return torch.where(d < w, w * torch.log1p(d / eps), d - c).mean()


def loss_fn(name: str, pred: torch.Tensor, target: torch.Tensor, size: float) -> torch.Tensor:
    p, t = pred * size, target * size  # compare in input pixels
    if name == "wing":
        return wing_loss(p, t)
    if name == "l1":
        return (p - t).abs().mean()
    if name == "mse":
        return ((p - t) ** 2).mean()
    raise ValueError(f"unknown loss {name!r}; choose wing, l1 or mse")


def lr_at(step: int, total: int, peak: float, warmup: float = 0.05) -> float:
    """Linear warm-up to `peak`, then a cosine down to 2% of it. A pure function of the step, so
    a resumed run (even one given more epochs) needs no scheduler state."""
    w = max(1, int(warmup * total))
    if step < w:
        return peak * (step + 1) / w
    progress = min(1.0, (step - w) / max(1, total - w))
    return peak * (0.02 + 0.98 * 0.5 * (1.0 + math.cos(math.pi * progress)))
