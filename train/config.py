"""Training configuration: one frozen dataclass, filled from a JSON file and then from flags."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

# The share of each source `fit` holds out by default. Everything that scores a model on "the
# validation split" (evaluate, quantize's check, the benchmarks) splits with it too, so that
# they score the faces the shipped model never trained on.
VAL_FRACTION = 0.1
# The face data, beside the checkout (see its README); every command's --data default.
FACES5 = "../shared/data/faces5"


@dataclass(frozen=True)
class FitConfig:
    data: str = FACES5
    out: str = "runs/fit"
    sources: tuple[str, ...] = ("celeba", "mtfl", "lfw", "helen_afw")
    arch: str = "cnn"
    input_size: int = 80
    epochs: int = 30
    batch_size: int = 128
    lr: float = 5e-4
    weight_decay: float = 1e-4
    loss: str = "mse"
    val_fraction: float = VAL_FRACTION
    seed: int = 0
    workers: int = 1
    threads: int = 0  # torch intra-op threads; 0 = torch's default
    patience: int = 8  # epochs without a better validation NME before stopping
    limit: int = 0  # at most this many images per source (0 = all), for quick runs and tests
    device: str = "auto"
    rotate_deg: float = 12.0  # rotation jitter (std, degrees) of eye-aligned training crops
    box_prob: float = 0.5  # share of training crops framed from a box rather than the eyes
    precision: str = "fp32"  # "bf16": autocast the forward pass (weights stay float32)
    ema: float = 0.0  # decay of the weight average that is validated and exported (0 = none)
    width: int = 32  # heatmap net: channels at its finest decoder level (twice that at 1/8)
    channels: float = 1.0  # heatmap net: multiplier of the encoder's channels after the stem
    map_stride: int = 4  # heatmap net: input pixels per heatmap cell (4, or 2 for finer maps)
    # Heatmap net: weight of the loss that pulls each map towards a Gaussian at its keypoint
    # (Jensen-Shannon divergence, 0 = coordinates alone), and that Gaussian's std in map cells.
    heatmap_reg: float = 0.0
    heatmap_sigma: float = 1.0
    # Sources whose validation NME chooses best.pt and drives early stopping (all when it names
    # none of the sources trained on).
    select_sources: tuple[str, ...] = ()
    # "SOURCE=FRACTION" items: that share of the source's training images is used per epoch
    # (a window moving over them, so all are used over the run), e.g. to spend less time on
    # a large source with noisy labels. Unnamed sources use all their images every epoch.
    source_share: tuple[str, ...] = ()
    # The last `calm_epochs` epochs train with the eye noise and geometric jitter times
    # `calm_factor` (a last stretch on crops closer to the ones the app and validation see).
    calm_epochs: int = 0
    calm_factor: float = 0.3
    # "SOURCE=dx0,dy0,...,dx4,dy4" items: added to that source's training labels (its pixels),
    # moving them to the reference source's convention (`python -m train conventions`).
    # Validation keeps every source's own labels.
    label_offsets: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> FitConfig:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise ValueError(f"unknown config keys: {', '.join(unknown)}")
        values: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in raw.items()}
        return cls(**values)


LIST_HELP = {
    "sources": "faces5 sources to use (default: all four)",
    "select_sources": "sources that choose best.pt (default: all trained on)",
    "source_share": "SOURCE=FRACTION: use that share of a source's images per epoch",
    "label_offsets": "SOURCE=dx0,dy0,...,dx4,dy4: move a source's training labels",
}


def add_fit_arguments(parser: argparse.ArgumentParser) -> None:
    """Every FitConfig field as a flag whose default is None, so a config file can fill it."""
    parser.add_argument("--config", type=Path, help="JSON file of FitConfig fields")
    parser.add_argument("--resume", type=Path, help="checkpoint to continue from")
    for f in fields(FitConfig):
        flag = "--" + f.name.replace("_", "-")
        if isinstance(f.default, tuple):  # lists of faces5 source names (and source=share)
            parser.add_argument(flag, nargs="+", default=None, help=LIST_HELP[f.name])
        else:
            kind = type(f.default)
            parser.add_argument(flag, type=kind, default=None, help=f"default {f.default!r}")


def fit_config_from_args(args: argparse.Namespace) -> FitConfig:
    raw: dict[str, Any] = {}
    if args.config is not None:
        try:
            raw = json.loads(Path(args.config).read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise ValueError(f"cannot read config {args.config}: {exc}") from exc
    for f in fields(FitConfig):
        value = getattr(args, f.name, None)
        if value is not None:
            raw[f.name] = value
    return FitConfig.from_dict(raw)
