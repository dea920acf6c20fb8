"""A readable-face score (issue 18): does a model-input crop hold a face framed as the keypoint
model expects? A tiny CNN on the same normalised crop, trained on crops cut from faces5's training
pictures: faces framed as the app frames them while tracking (positives) against the same faces
framed badly, the pictures' backgrounds and blank fields (negatives). Evaluated on the held-out
split, per kind of crop.

    python -m train readable --output runs/readable/score.onnx

Kinds (`KINDS`): "face" (framed from the eyes or from a box, half each, with the errors the
training augmentation gives them: `AugmentConfig`'s eye noise, rotation, scale and shift),
"misaligned" (the eye framing spoilt one way, see `spoiling`), "background" (a window the size of
the face's crop, inside the picture, centred at least 0.9 crop widths from the face: at most its
edge shows) and "blank" (a flat, graded or noisy field).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import torch
from torch import nn

from fkd_live.adapters.imaging import warp_crop
from fkd_live.core import ModelSpec, compose_transforms, preprocess, similarity_matrix
from fkd_live.core.files import replacing

from .augment import AugmentConfig, about_centre, framing_matrix, make_crop
from .data import FaceSample

log = logging.getLogger(__name__)

KINDS = ("face", "misaligned", "background", "blank")
Crop = tuple[npt.NDArray[np.uint8], str]


def spoiling(spec: ModelSpec, rng: np.random.Generator) -> tuple[float, float, tuple[float, float]]:
    """(scale, angle radians, shift input pixels) that spoil a framing one way: moved by 35-70%
    of the input, scaled by 0.25-0.5 or 2-3, or turned by 60-180 degrees (the rest identity)."""
    way = int(rng.integers(3))
    if way == 0:
        direction = rng.uniform(0.0, 2 * math.pi)
        r = rng.uniform(0.35, 0.7) * spec.input_width
        return 1.0, 0.0, (r * math.cos(direction), r * math.sin(direction))
    if way == 1:
        scale = rng.uniform(0.25, 0.5) if rng.random() < 0.5 else rng.uniform(2.0, 3.0)
        return float(scale), 0.0, (0.0, 0.0)
    angle = float(rng.choice([-1.0, 1.0])) * math.radians(rng.uniform(60.0, 180.0))
    return 1.0, angle, (0.0, 0.0)


def misaligned(sample: FaceSample, spec: ModelSpec, rng: np.random.Generator) -> Crop:
    """The face's eye framing spoilt one way (`spoiling`)."""
    m = compose_transforms(about_centre(spec, *spoiling(spec, rng)),
                           framing_matrix(sample, "eyes", spec))  # fmt: skip
    return _rgb(warp_crop(sample.image, m, spec)), "misaligned"


def background(sample: FaceSample, spec: ModelSpec, rng: np.random.Generator) -> Crop | None:
    """A window of the picture away from the face (None when the picture has no room)."""
    m = framing_matrix(sample, "eyes", spec)
    side = spec.input_width / math.hypot(m[0, 0], m[0, 1])  # the crop's width in picture pixels
    h, w = sample.image.shape[:2]
    face = sample.points.mean(axis=0)
    if w <= side or h <= side:
        return None
    for _ in range(8):
        centre = rng.uniform((side / 2, side / 2), (w - side / 2, h - side / 2))
        if np.linalg.norm(centre - face) < 0.9 * side:
            continue
        shift = (spec.input_width / 2, spec.input_height / 2) - centre * (spec.input_width / side)
        window = similarity_matrix(spec.input_width / side, 0.0, *shift)
        return _rgb(warp_crop(sample.image, window, spec)), "background"
    return None


def blank(spec: ModelSpec, rng: np.random.Generator) -> Crop:
    """A flat grey or colour field with a gradient and noise (walls, a covered lens)."""
    h, w = spec.input_height, spec.input_width
    base = rng.uniform(0, 255, size=3)
    ramp = np.linspace(-1.0, 1.0, w)[None, :, None] * rng.uniform(-60, 60, size=3)
    field = base + ramp + rng.normal(0.0, rng.uniform(0.0, 12.0), size=(h, w, 3))
    return np.clip(field, 0, 255).astype(np.uint8), "blank"


def _rgb(crop: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    return np.repeat(crop[:, :, None], 3, axis=2) if crop.ndim == 2 else crop


def crops_of(sample: FaceSample, spec: ModelSpec, rng: np.random.Generator) -> list[Crop]:
    """One face crop and up to three non-faces from one picture (plus a blank field)."""
    framing = "box" if rng.random() < 0.5 else "eyes"  # as the detector, as the tracker frames
    face, _ = make_crop(sample, spec, framing, rng, AugmentConfig())
    out = [(face, "face"), misaligned(sample, spec, rng), blank(spec, rng)]
    back = background(sample, spec, rng)
    return out + ([back] if back is not None else [])


class ReadableNet(nn.Module):
    """Four stride-2 convolutions (`width` to 4 `width` channels), global average pooling and one
    logit; about 1.5 M multiply-adds on an 80x80 crop at width 8, four times that at 16. Outputs
    P(readable face) `(N, 1)` in [0, 1]."""

    def __init__(self, channels: int = 3, width: int = 8) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        w = width
        for c_in, c_out in ((channels, w), (w, 2 * w), (2 * w, 4 * w), (4 * w, 4 * w)):
            layers += [nn.Conv2d(c_in, c_out, 3, 2, 1, bias=False), nn.BatchNorm2d(c_out),
                       nn.ReLU(inplace=True)]  # fmt: skip
        self.features = nn.Sequential(*layers)
        self.head = nn.Linear(4 * w, 1)

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.head(self.features(x).mean(dim=(2, 3)))
        return out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = torch.sigmoid(self.logits(x))
        return out


@dataclass(frozen=True)
class ReadableReport:
    """Held-out accuracy at a 0.5 threshold per kind of crop, and how many crops of each."""

    accuracy: dict[str, float]
    counts: dict[str, int]

    def lines(self) -> list[str]:
        return [f"{k:<12}{self.counts[k]:>7}{100 * self.accuracy[k]:>9.2f}%"
                for k in KINDS if self.counts.get(k)]  # fmt: skip


def dataset(
    samples: list[FaceSample], spec: ModelSpec, seed: int
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32], list[str]]:
    """Normalised inputs `(N, C, H, W)`, labels `(N,)` (1: readable face) and each crop's kind."""
    rng = np.random.default_rng(seed)
    crops = [c for s in samples for c in crops_of(s, spec, rng)]
    x = preprocess(np.stack([c for c, _ in crops]), spec)
    y = np.array([1.0 if k == "face" else 0.0 for _, k in crops], np.float32)
    return x, y, [k for _, k in crops]


def train_readable(
    train: list[FaceSample],
    val: list[FaceSample],
    spec: ModelSpec,
    epochs: int,
    seed: int = 0,
    width: int = 8,
) -> tuple[ReadableNet, ReadableReport]:
    """Train on fresh crops of `train` each epoch (learning rate decayed to a tenth over the
    run); report on one fixed set of `val` crops."""
    torch.manual_seed(seed)
    net = ReadableNet(spec.channels, width)
    opt = torch.optim.AdamW(net.parameters(), lr=3e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda e: 0.1 ** (e / max(epochs - 1, 1)))
    loss_fn = nn.BCEWithLogitsLoss()
    for epoch in range(epochs):
        x, y, _ = dataset(train, spec, seed + 1 + epoch)
        order = torch.randperm(len(y))
        net.train()
        total = 0.0
        for i in range(0, len(y), 256):
            idx = order[i : i + 256]
            loss = loss_fn(net.logits(torch.from_numpy(x[idx])).squeeze(1),
                           torch.from_numpy(y[idx]))  # fmt: skip
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss.detach()) * len(idx)
        sched.step()
        log.info("epoch %d: training loss %.4f on %d crops", epoch + 1, total / len(y), len(y))
    return net.eval(), evaluate_readable(net, val, spec, seed)


def evaluate_readable(
    net: ReadableNet, val: list[FaceSample], spec: ModelSpec, seed: int = 0
) -> ReadableReport:
    x, y, kinds = dataset(val, spec, 10_000 + seed)
    with torch.no_grad():
        p = net.eval()(torch.from_numpy(x)).squeeze(1).numpy()
    right = (p >= 0.5) == (y >= 0.5)
    names = np.array(kinds)
    counts = {k: int((names == k).sum()) for k in KINDS}
    acc = {k: float(right[names == k].mean()) if counts[k] else math.nan for k in KINDS}
    return ReadableReport(acc, counts)


def export_readable(net: ReadableNet, spec: ModelSpec, path: Path) -> float:
    """The score net as ONNX (input as the keypoint model's, output "score"), checked against
    torch; returns the largest difference."""
    from dataclasses import replace

    from .export import export_onnx

    # The score file's own contract: its one output is "score" (the keypoint model's contract
    # may already name a score output; this file has no second one).
    return export_onnx(net, replace(spec, output_name="score", score_name=""), path, opset=20)


def run_readable(args: Any) -> str:
    """`python -m train readable`: train, report, export (ONNX and a checkpoint holding the
    options and the report). Returns the report."""
    import onnxruntime as ort

    from fkd_live.adapters.runtime import read_spec, shipped_model_path

    from .config import VAL_FRACTION
    from .data import load_faces5, split

    like = args.like or shipped_model_path()
    spec = read_spec(ort.InferenceSession(str(like), providers=["CPUExecutionProvider"]))
    samples = load_faces5(args.data, args.sources, limit=args.limit or None)
    train, val = split(samples, VAL_FRACTION)
    net, report = train_readable(train, val, spec, args.epochs, args.seed, args.width)
    options = {k: str(v) for k, v in vars(args).items()}
    checkpoint = {"state_dict": net.state_dict(), "options": options, "spec": spec.to_json(),
                  "report": {"accuracy": report.accuracy, "counts": report.counts}}  # fmt: skip
    pt = args.output.with_suffix(".pt")
    pt.parent.mkdir(parents=True, exist_ok=True)
    with replacing(pt) as tmp:
        torch.save(checkpoint, tmp)  # first: a failed export must not lose the training
    export_readable(net, spec, args.output)
    head = f"held-out crops ({len(val)} pictures): kind, crops, right at 0.5"
    return "\n".join([head, *report.lines(), f"wrote {args.output} and {pt}"])
