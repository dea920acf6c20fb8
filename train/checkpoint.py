"""Checkpoint files: what fit saves, and turning one back into a model."""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from fkd_live.core import ModelSpec

from .config import FitConfig
from .export import export_onnx
from .models import FlipAveraged, build_from_config
from .precision import export_weights


def load_checkpoint(path: Path) -> tuple[nn.Module, ModelSpec, FitConfig]:
    if not path.is_file():
        raise ValueError(f"checkpoint not found: {path}")
    state = torch.load(path, map_location="cpu", weights_only=False)
    cfg = FitConfig.from_dict(state["config"])
    spec = ModelSpec.from_json(state["spec"])
    model = build_from_config(cfg, spec)
    model.load_state_dict(export_weights(state))
    return model.eval(), spec, cfg


def export_checkpoint(path: Path, output: Path, flip_average: bool = False) -> float:
    """Export a checkpoint's net; with `flip_average`, wrapped in `FlipAveraged` (and the
    contract's `extra` says so, for whoever inspects the file)."""
    model, spec, _ = load_checkpoint(path)
    if flip_average:
        model = FlipAveraged(model)
        spec = spec.with_changes(extra=(*spec.extra, ("test_time", "flip_average")))
    return export_onnx(model, spec, output)
