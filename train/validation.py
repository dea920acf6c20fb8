"""Validation during training: per-source NME each epoch, and the score that keeps a checkpoint."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import torch
from torch import nn
from torch.utils.data import DataLoader

from .config import FitConfig
from .losses import loss_fn
from .metrics import nme


@dataclass
class EpochStats:
    epoch: int
    train_loss: float
    val_loss: float
    val_nme: float  # what chooses best.pt: the mean of the selected sources' NMEs
    seconds: float
    val_nme_by_source: dict[str, float] = field(default_factory=dict)


def evaluate_loader(
    model: nn.Module,
    loader: DataLoader[Any],
    cfg: FitConfig,
    size: float,
    device: torch.device,
    sources: Sequence[str] = (),
) -> tuple[float, dict[str, float]]:
    """Mean loss, and the mean NME of each source. `sources`: each item's source, in the
    loader's order (empty: one mean under "all")."""
    model.eval()
    losses, errors = [], []
    with torch.no_grad():
        for x, y in loader:
            pred = model(x.to(device)).cpu()
            losses.append(float(loss_fn(cfg.loss, pred, y, size)) * len(x))
            errors.append(nme(pred.numpy().reshape(-1, 5, 2), y.numpy().reshape(-1, 5, 2)))
    n = sum(len(e) for e in errors)
    if not n:
        return math.nan, {}
    return sum(losses) / n, source_means(np.concatenate(errors), sources)


def source_means(values: npt.NDArray[np.float64], sources: Sequence[str]) -> dict[str, float]:
    """Mean of `values` per source, in first-seen order (one mean, "all", without sources)."""
    if not len(sources):
        return {"all": float(values.mean())}
    groups = np.asarray(sources)
    return {s: float(values[groups == s].mean()) for s in dict.fromkeys(sources)}


def selection_score(by_source: dict[str, float], select: Sequence[str] = ()) -> float:
    """The NME that chooses the checkpoint: the mean over sources of each source's mean, so a
    large source cannot choose alone; `select` leaves out sources whose labels disagree with
    the rest (when it names none of them: every source)."""
    chosen = [v for s, v in by_source.items() if s in select] or list(by_source.values())
    return float(np.mean(chosen)) if chosen else math.nan
