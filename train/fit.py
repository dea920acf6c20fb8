"""The training loop: data, model, optimiser, per-epoch validation, checkpoints, export."""

from __future__ import annotations

import json
import logging
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset
from tqdm import tqdm

from fkd_live.core import ModelSpec, encode_target, preprocess

from .augment import AugmentConfig, make_crop
from .config import FitConfig
from .data import FaceSample, load_faces5, split
from .export import export_onnx
from .metrics import nme
from .models import build_model
from .plots import plot_curves

log = logging.getLogger(__name__)


class CropDataset(Dataset[tuple[torch.Tensor, torch.Tensor]]):
    """Crops made on the fly; framing and augmentation drawn per item from a seeded stream."""

    def __init__(
        self, samples: list[FaceSample], spec: ModelSpec, seed: int, augment: AugmentConfig | None
    ) -> None:
        self.samples, self.spec, self.seed, self.augment = samples, spec, seed, augment
        self.epoch = 0

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor]:
        sample = self.samples[i]
        if self.augment is None:
            crop, pts = make_crop(sample, self.spec, _eval_framing(sample))
        else:
            rng = np.random.default_rng((self.seed, self.epoch, i))
            framing = "box" if rng.random() < self.augment.box_prob else "eyes"
            crop, pts = make_crop(sample, self.spec, framing, rng, self.augment)
        x = preprocess(crop[None], self.spec)[0]
        y = encode_target(pts[None], self.spec)[0]
        return torch.from_numpy(x), torch.from_numpy(y)


def _eval_framing(sample: FaceSample) -> str:
    """Validation framing per source: CelebA as aligned, datasets with a box by that box."""
    if sample.source == "celeba":
        return "celeba"
    return "box" if sample.box is not None else "eyes"


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


@dataclass
class EpochStats:
    epoch: int
    train_loss: float
    val_loss: float
    val_nme: float
    seconds: float


def evaluate_loader(
    model: nn.Module, loader: DataLoader[Any], cfg: FitConfig, size: float, device: torch.device
) -> tuple[float, float]:
    """Mean loss and mean NME over a loader."""
    model.eval()
    losses, errors = [], []
    with torch.no_grad():
        for x, y in loader:
            pred = model(x.to(device)).cpu()
            losses.append(float(loss_fn(cfg.loss, pred, y, size)) * len(x))
            errors.append(nme(pred.numpy().reshape(-1, 5, 2), y.numpy().reshape(-1, 5, 2)))
    n = sum(len(e) for e in errors)
    return sum(losses) / max(n, 1), float(np.concatenate(errors).mean()) if n else math.nan


def lr_at(step: int, total: int, peak: float, warmup: float = 0.05) -> float:
    """Linear warm-up to `peak`, then a cosine down to 2% of it. A pure function of the step, so
    a resumed run (even one given more epochs) needs no scheduler state."""
    w = max(1, int(warmup * total))
    if step < w:
        return peak * (step + 1) / w
    progress = min(1.0, (step - w) / max(1, total - w))
    return peak * (0.02 + 0.98 * 0.5 * (1.0 + math.cos(math.pi * progress)))


def pick_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def fit(cfg: FitConfig, resume: Path | None = None) -> Path:
    """Train, keep the best checkpoint by validation NME, export it. Returns the ONNX path."""
    torch.manual_seed(cfg.seed)
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    spec = ModelSpec(
        input_width=cfg.input_size, input_height=cfg.input_size, extra=(("arch", cfg.arch),)
    )
    samples = load_faces5(Path(cfg.data), list(cfg.sources), limit=cfg.limit or None)
    if not samples:
        raise ValueError(f"no usable images under {cfg.data}")
    train_s, val_s = split(samples, cfg.val_fraction)
    log.info("train %d, validation %d images", len(train_s), len(val_s))
    device = pick_device(cfg.device)
    train_ds = CropDataset(train_s, spec, cfg.seed, AugmentConfig())
    val_ds = CropDataset(val_s, spec, cfg.seed, None)
    persist = cfg.workers > 0
    train_dl = DataLoader(
        train_ds,
        batch_size=cfg.batch_size,
        shuffle=True,
        num_workers=cfg.workers,
        drop_last=True,
        persistent_workers=False,
    )
    val_dl = DataLoader(val_ds, batch_size=256, num_workers=cfg.workers, persistent_workers=persist)
    model = build_model(cfg.arch, spec).to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    total_steps = cfg.epochs * max(len(train_dl), 1)
    history: list[EpochStats] = []
    start_epoch, best = 0, math.inf
    if resume is not None:
        state = torch.load(resume, map_location=device, weights_only=False)
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        start_epoch, best = state["epoch"] + 1, state["best_nme"]
        history = [EpochStats(**h) for h in state["history"]]
        log.info("resumed from %s at epoch %d", resume, start_epoch)
    size = float(cfg.input_size)
    for epoch in range(start_epoch, cfg.epochs):
        t0 = time.perf_counter()
        train_ds.epoch = epoch
        model.train()
        total, count = 0.0, 0
        for step, (x, y) in enumerate(
            tqdm(train_dl, desc=f"epoch {epoch + 1}/{cfg.epochs}", leave=False)
        ):
            for group in opt.param_groups:
                group["lr"] = lr_at(epoch * len(train_dl) + step, total_steps, cfg.lr)
            pred = model(x.to(device))
            loss = loss_fn(cfg.loss, pred, y.to(device), size)
            opt.zero_grad(set_to_none=True)
            loss.backward()  # type: ignore[no-untyped-call]
            opt.step()
            total, count = total + loss.item() * len(x), count + len(x)
        val_loss, val_nme = evaluate_loader(model, val_dl, cfg, size, device)
        stats = EpochStats(
            epoch, total / max(count, 1), val_loss, val_nme, time.perf_counter() - t0
        )
        history.append(stats)
        log.info(
            "epoch %d: train loss %.4f, val loss %.4f, val NME %.3f%% (%.0f s)",
            epoch + 1,
            stats.train_loss,
            val_loss,
            100 * val_nme,
            stats.seconds,
        )
        improved = val_nme < best
        best = min(best, val_nme)
        state = {
            "model": model.state_dict(),
            "optimizer": opt.state_dict(),
            "epoch": epoch,
            "best_nme": best,
            "config": cfg.to_dict(),
            "spec": spec.to_json(),
            "history": [vars(h) for h in history],
        }
        _save_atomic(state, out / "last.pt")
        if improved:
            _save_atomic(state, out / "best.pt")
        plot_curves([vars(h) for h in history], out / "curves.png")
        if epoch - _best_epoch(history) >= cfg.patience:
            log.info("early stop: no better validation NME for %d epochs", cfg.patience)
            break
    best_state = torch.load(out / "best.pt", map_location="cpu", weights_only=False)
    model = build_model(cfg.arch, spec)
    model.load_state_dict(best_state["model"])
    onnx_path = out / "model.onnx"
    export_onnx(model, spec, onnx_path)
    (out / "history.json").write_text(json.dumps([vars(h) for h in history], indent=1))
    return onnx_path


def _best_epoch(history: list[EpochStats]) -> int:
    return min(history, key=lambda h: h.val_nme).epoch


def _save_atomic(state: dict[str, Any], path: Path) -> None:
    tmp = path.with_suffix(".tmp")
    torch.save(state, tmp)
    tmp.replace(path)
