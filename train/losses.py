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


def gaussian_maps(target: torch.Tensor, h: int, w: int, sigma: float) -> torch.Tensor:
    """`(N, 2K)` unit coordinates to `(N, K, h*w)` normalised Gaussians on an `h x w` grid of
    cells whose centres are at (i + 0.5) / size, `sigma` in cells."""
    n = target.shape[0]
    xy = target.reshape(n, -1, 2)
    xs = torch.arange(w, dtype=target.dtype, device=target.device) + 0.5
    ys = torch.arange(h, dtype=target.dtype, device=target.device) + 0.5
    dx = (xs - xy[..., :1] * w) ** 2  # (N, K, w)
    dy = (ys - xy[..., 1:] * h) ** 2  # (N, K, h)
    logits = -(dy[..., :, None] + dx[..., None, :]) / (2 * sigma**2)
    return torch.softmax(logits.reshape(n, xy.shape[1], h * w), dim=2)


def heatmap_js(logits: torch.Tensor, target: torch.Tensor, sigma: float) -> torch.Tensor:
    """Jensen-Shannon divergence between each heatmap's softmax and a Gaussian at its keypoint
    (the DSNT regulariser, Nibali et al. 2018): soft-argmax alone is satisfied by any map whose
    mean is right, however spread; this asks for one compact peak, which learns faster.
    `logits`: `(N, K, h, w)`; `target`: `(N, 2K)` unit coordinates."""
    n, k, h, w = logits.shape
    log_p = torch.log_softmax(logits.float().reshape(n, k, h * w), dim=2)
    p = log_p.exp()
    q = gaussian_maps(target.float(), h, w, sigma)
    log_m = torch.log((0.5 * (p + q)).clamp_min(1e-12))
    kl_p = (p * (log_p - log_m)).sum(dim=2)
    kl_q = (q * (torch.log(q.clamp_min(1e-12)) - log_m)).sum(dim=2)
    return (0.5 * (kl_p + kl_q)).mean()
