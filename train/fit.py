"""The training loop: data, model, optimiser, per-epoch validation, checkpoints, export."""

from __future__ import annotations

import json
import logging
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.optim.swa_utils import AveragedModel
from torch.utils.data import DataLoader, DistributedSampler
from tqdm import tqdm

from fkd_live.core import ModelSpec
from fkd_live.core.files import replacing

from .augment import AugmentConfig
from .checkpoint import export_checkpoint
from .config import FitConfig
from .conventions import move_labels, parse_offsets
from .data import FACES5_SOURCES, load_faces5, split
from .dataset import CropDataset, parse_shares
from .losses import heatmap_js, loss_fn, lr_at
from .models import HeatmapNet, MeanShape, WithMaps, build_from_config
from .plots import plot_curves
from .precision import (
    autocast,
    channels_last,
    export_weights,
    init_distributed,
    make_ema,
    pick_device,
    to_memory_format,
)
from .validation import EpochStats, evaluate_loader, selection_score

log = logging.getLogger(__name__)


@dataclass
class Run:
    """Everything one training run works on."""

    cfg: FitConfig
    spec: ModelSpec
    out: Path
    device: torch.device
    train_ds: CropDataset
    train_dl: DataLoader[Any]
    val_dl: DataLoader[Any]
    model: nn.Module  # what is trained: the network, or its DDP wrapper
    net: nn.Module  # the network itself (what is saved and exported)
    rank: int = 0
    sampler: DistributedSampler[Any] | None = None
    val_sources: tuple[str, ...] = ()  # each validation item's source, in loader order
    ema: AveragedModel | None = None  # the weight average that is validated and exported

    @property
    def judged(self) -> nn.Module:
        """The network validation scores and export writes: the EMA when there is one."""
        return self.net if self.ema is None else self.ema.module

    @property
    def main(self) -> bool:
        """Only the first process logs, saves and exports."""
        return self.rank == 0


def prepare(cfg: FitConfig) -> Run:
    """Seed, load and split the data, build loaders and the model (wrapped for DDP if needed)."""
    shares = parse_shares(cfg.source_share, tuple(FACES5_SOURCES))  # fails before loading
    offsets = parse_offsets(cfg.label_offsets, tuple(FACES5_SOURCES))
    rank, world = init_distributed()
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
    train_s = move_labels(train_s, offsets)
    log.info("train %d, validation %d images", len(train_s), len(val_s))
    if offsets:
        log.info("training labels moved to CelebA's convention: %s", ", ".join(offsets))
    train_ds = CropDataset(train_s, spec, cfg.seed, augment_for(cfg, 0), shares)
    if shares:
        log.info("each epoch uses %d of the %d training images", len(train_ds), len(train_s))
    # Under DDP each process sees its own shard of every epoch; augmentation draws are keyed by
    # (seed, epoch, image), so they do not depend on how images are sharded.
    sampler: DistributedSampler[Any] | None = (
        DistributedSampler(train_ds, seed=cfg.seed) if world > 1 else None
    )
    train_dl = DataLoader(
        train_ds,
        batch_size=cfg.batch_size,
        shuffle=sampler is None,
        sampler=sampler,
        num_workers=cfg.workers,
        drop_last=True,
    )
    val_dl = DataLoader(
        CropDataset(val_s, spec, cfg.seed, None),
        batch_size=256,
        num_workers=cfg.workers,
        persistent_workers=cfg.workers > 0,
    )
    device = pick_device(cfg.device)
    net = channels_last(build_from_config(cfg, spec).to(device))
    model: nn.Module = net
    if cfg.heatmap_reg > 0:
        if not isinstance(net, HeatmapNet):
            raise ValueError("--heatmap-reg needs --arch heatmap (the others have no heatmaps)")
        model = WithMaps(net)
    if world > 1 and cfg.arch != "mean":
        model = DistributedDataParallel(model, device_ids=[device.index] if device.index else None)
    val_sources = tuple(s.source for s in val_s)
    return Run(
        cfg, spec, out, device, train_ds, train_dl, val_dl, model, net, rank, sampler,
        val_sources, make_ema(net, 0.0 if cfg.arch == "mean" else cfg.ema),
    )  # fmt: skip


def augment_for(cfg: FitConfig, epoch: int) -> AugmentConfig:
    """The training augmentation of an epoch: calmed in the last `calm_epochs`."""
    augment = AugmentConfig(box_prob=cfg.box_prob, rotate_deg=cfg.rotate_deg)
    return augment.calmed(cfg.calm_factor) if epoch >= cfg.epochs - cfg.calm_epochs else augment


def train_epoch(run: Run, opt: torch.optim.Optimizer, epoch: int) -> float:
    """One pass over the training data; returns the mean training loss."""
    cfg, model, steps = run.cfg, run.model, len(run.train_dl)
    run.train_ds.set_epoch(epoch, augment_for(cfg, epoch))
    if epoch == cfg.epochs - cfg.calm_epochs and run.main:
        log.info("calm epochs: jitter times %g from here on", cfg.calm_factor)
    if run.sampler is not None:
        run.sampler.set_epoch(epoch)
    model.train()
    total, count = 0.0, 0
    bar = tqdm(
        run.train_dl, desc=f"epoch {epoch + 1}/{cfg.epochs}", leave=False, disable=not run.main
    )
    for step, (x, y) in enumerate(bar):
        for group in opt.param_groups:
            group["lr"] = lr_at(epoch * steps + step, cfg.epochs * steps, cfg.lr)
        y = y.to(run.device)
        with autocast(run.device, cfg.precision):
            out = model(to_memory_format(x.to(run.device)))
        pred, logits = out if isinstance(out, tuple) else (out, None)
        loss = loss_fn(cfg.loss, pred.float(), y, cfg.input_size)
        if logits is not None:
            loss = loss + cfg.heatmap_reg * heatmap_js(logits, y, cfg.heatmap_sigma)
        opt.zero_grad(set_to_none=True)
        loss.backward()  # type: ignore[no-untyped-call]
        opt.step()
        if run.ema is not None:
            run.ema.update_parameters(run.net)
        total, count = total + loss.item() * len(x), count + len(x)
    return total / max(count, 1)


def fit_mean_shape(run: Run) -> None:
    """The baseline needs no optimiser: its answer is the mean training target."""
    targets = torch.cat([y for _, y in run.train_dl])
    assert isinstance(run.net, MeanShape)
    run.net.fit_mean(targets)


def fit(cfg: FitConfig, resume: Path | None = None) -> Path:
    """Train, keep the best checkpoint by validation NME, export it. Returns the ONNX path."""
    run = prepare(cfg)
    try:
        return _fit(run, resume)
    finally:
        if dist.is_initialized():
            dist.destroy_process_group()


def _fit(run: Run, resume: Path | None) -> Path:
    cfg, net, out = run.cfg, run.net, run.out
    trainable = [p for p in run.model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(
        trainable or [torch.zeros(1, requires_grad=True)], lr=cfg.lr, weight_decay=cfg.weight_decay
    )
    history: list[EpochStats] = []
    start_epoch, best = 0, math.inf
    if resume is not None:
        state = torch.load(resume, map_location=run.device, weights_only=False)
        net.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        if run.ema is not None:
            run.ema.module.load_state_dict(export_weights(state))
            run.ema.n_averaged.fill_(state.get("ema_updates", 1))  # the warm-up goes on
        start_epoch, best = state["epoch"] + 1, state["best_nme"]
        history = [EpochStats(**h) for h in state["history"]]
        log.info("resumed from %s at epoch %d", resume, start_epoch)
    for epoch in range(start_epoch, 1 if cfg.arch == "mean" else cfg.epochs):
        t0 = time.perf_counter()
        if cfg.arch == "mean":
            fit_mean_shape(run)
            train_loss = math.nan
        else:
            train_loss = train_epoch(run, opt, epoch)
        # Every process scores the whole validation set, so all agree on early stopping.
        val_loss, by_source = evaluate_loader(
            run.judged, run.val_dl, cfg, cfg.input_size, run.device, run.val_sources
        )
        val_nme = selection_score(by_source, cfg.select_sources)
        seconds = time.perf_counter() - t0
        history.append(EpochStats(epoch, train_loss, val_loss, val_nme, seconds, by_source))
        improved, best = val_nme < best, min(best, val_nme)
        if run.main:
            log.info(
                "epoch %d: train loss %.4f, val loss %.4f, val NME %.3f%% (%s; %.0f s)",
                epoch + 1, train_loss, val_loss, 100 * val_nme,
                ", ".join(f"{s} {100 * v:.2f}%" for s, v in by_source.items()), seconds,
            )  # fmt: skip
            _checkpoint(run, opt, best, history, improved)
        if epoch - _best_epoch(history) >= cfg.patience:
            log.info("early stop: no better validation NME for %d epochs", cfg.patience)
            break
    onnx_path = out / "model.onnx"
    if run.main:
        export_checkpoint(out / "best.pt", onnx_path)
        (out / "history.json").write_text(json.dumps([vars(h) for h in history], indent=1))
    return onnx_path


def _checkpoint(
    run: Run, opt: torch.optim.Optimizer, best: float, history: list[EpochStats], improved: bool
) -> None:
    """last.pt every epoch, best.pt when validation NME improved, and the curves."""
    state = {
        "model": run.net.state_dict(), "optimizer": opt.state_dict(),
        "ema": None if run.ema is None else run.ema.module.state_dict(),
        "ema_updates": 0 if run.ema is None else int(run.ema.n_averaged),
        "epoch": history[-1].epoch, "best_nme": best, "config": run.cfg.to_dict(),
        "spec": run.spec.to_json(), "history": [vars(h) for h in history],
    }  # fmt: skip
    _save_atomic(state, run.out / "last.pt")
    if improved:
        _save_atomic(state, run.out / "best.pt")
    plot_curves([vars(h) for h in history], run.out / "curves.png")


def _best_epoch(history: list[EpochStats]) -> int:
    return min(history, key=lambda h: h.val_nme).epoch


def _save_atomic(state: dict[str, Any], path: Path) -> None:
    with replacing(path) as tmp:
        torch.save(state, tmp)
