"""What the labels themselves allow: how far two labellings of one photo disagree, and where
each source's labels sit across the face.

    python -m benchmarks.labels [--model models/fkd5.onnx] [--pairs]

Duplicates (`benchmarks.duplicates`). A source can hold the same photograph twice under two
names, each labelled on its own. If each labelling is the truth plus noise, independent and
alike for the two, a model that found every feature exactly would score E|n| against either,
while the pair disagrees by E|n1 - n2|: at least half the disagreement whatever the noise (the
triangle inequality), and 1/sqrt(2) of it for Gaussian noise. Both are printed per source,
with 95% bootstrap intervals over pairs, beside the model's NME on the same photographs and
how far its answers on a pair's two images disagree (how alike it finds them). `--pairs`
lists the pairs.

Offsets. A mirror-symmetric model (its answers on a crop and on the crop's mirror image,
mirrored back, averaged) cannot learn a constant left-right offset from training with flips:
the flip turns it around. Over many faces its mean x residual on a source is therefore minus
where that source's labels sit relative to the features, in the source's own pixels (mean and
standard error over the validation split's faces). The mean y residual is printed too, but a
model can learn a vertical offset, so it mixes the labels' offset with the compromise between
sources. Beside them: the NME, and the NME with each point's mean residual on the training
split taken off every answer: what a loader that moved each source's labels by its offsets
could be worth, measured on faces the offsets were not taken from.
"""

from __future__ import annotations

import argparse
import math
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from benchmarks.duplicates import Duplicate, duplicates, floor
from benchmarks.residuals import Interval
from fkd_live.adapters.runtime import KeypointModel, ModelLoadError
from fkd_live.core.geometry import apply_transform, invert_transform
from train.augment import SOURCE_FRAMINGS, framing_matrix, main_framing
from train.config import FACES5, VAL_FRACTION
from train.conventions import PER_SOURCE, spread, symmetric_answers
from train.data import FaceSample, load_faces5, split
from train.evaluate import crops_for, predict_all
from train.metrics import nme


@dataclass(frozen=True)
class Offset:
    """Mean residual in the source's pixels, x and y, each with its standard error; the NME,
    and the NME with a per-point correction taken off the answers."""

    x: float
    x_se: float
    y: float
    y_se: float
    nme: float
    nme_centred: float


def offset(
    pred: npt.NDArray[np.float64],
    truth: npt.NDArray[np.float64],
    scale: npt.NDArray[np.float64],
    correction: npt.NDArray[np.float64],
) -> Offset:
    """Mean residual of `(N, 5, 2)` answers in source pixels (`scale`: `(N,)` input pixels per
    source pixel); the standard errors treat each face's mean over its points as one draw.
    `correction`: `(5, 2)` input pixels taken off every answer for the second NME."""
    per_face = ((pred - truth) / scale[:, None, None]).mean(axis=1)
    se = per_face.std(axis=0, ddof=1) / math.sqrt(len(per_face))
    return Offset(float(per_face[:, 0].mean()), float(se[0]), float(per_face[:, 1].mean()),
                  float(se[1]), float(nme(pred, truth).mean()),
                  float(nme(pred - correction, truth).mean()))  # fmt: skip


def source_offset(
    model: KeypointModel, train: list[FaceSample], val: list[FaceSample], framing: str
) -> Offset:
    """The mirror-symmetric model's mean residual on `val` in one framing, and its NME with
    each point's mean residual on `train` (the correction a loader could make) taken off."""
    pred, truth, _ = symmetric_answers(model, train, framing)
    correction = (pred - truth).mean(axis=0)
    pred, truth, scale = symmetric_answers(model, val, framing)
    return offset(pred, truth, scale, correction)


def pct(i: Interval) -> str:
    return f"{100 * i.value:5.2f}% [{100 * i.low:.2f}, {100 * i.high:.2f}]"


def answers_in_image(model: KeypointModel, samples: list[FaceSample]) -> npt.NDArray[np.float64]:
    """The model's `(N, 5, 2)` answers in each sample's image pixels (its main framing)."""
    crops, _ = crops_for(samples, model.spec, None)
    back = [invert_transform(framing_matrix(s, main_framing(s), model.spec)) for s in samples]
    pred = predict_all(model, crops)
    return np.stack([apply_transform(m, p) for m, p in zip(back, pred, strict=True)])


def model_on_pairs(
    model: KeypointModel, samples: list[FaceSample], found: list[Duplicate]
) -> tuple[float, list[float]]:
    """The model's NME on the pairs' photographs, and per pair how far its answers on the two
    disagree (mapped from the first image to the second as the labels are)."""
    by_id = {s.image_id: s for s in samples}
    photos = [by_id[i] for d in found for i in (d.first, d.second)]
    answers = answers_in_image(model, photos)
    own = float(nme(answers, np.stack([s.points for s in photos])).mean())
    apart = [
        float(nme(apply_transform(d.warp, answers[2 * k])[None], answers[2 * k + 1][None])[0])
        for k, d in enumerate(found)
    ]
    return own, apart


def report_duplicates(
    by_source: dict[str, list[FaceSample]], model: KeypointModel, list_pairs: bool = False
) -> list[str]:
    """One row per source: its pairs, the floor, and the model on the same photographs."""
    out = [
        "photographs labelled twice (NME; 95% intervals over pairs)",
        f"  {'source':<10}{'pairs':>6}  {'labels disagree':<22}{'perfect model >=':<22}"
        f"{'perfect, Gaussian':<22}{'model':>7}{'apart':>7}",
    ]
    listed: list[str] = []
    for source, samples in by_source.items():
        found = duplicates(samples)
        if not found:
            out.append(f"  {source:<10}{0:>6}")
            continue
        f = floor([d.disagreement for d in found])
        own, apart = model_on_pairs(model, samples, found)
        out.append(f"  {source:<10}{len(found):>6}  {pct(f.disagreement):<22}"
                   f"{pct(f.at_least):<22}{pct(f.gaussian):<22}"
                   f"{100 * own:6.2f}%{100 * np.mean(apart):6.2f}%")  # fmt: skip
        listed += [f"  {source:<10}{d.first} {d.second}  ecc {d.ecc:.3f}  labels "
                   f"{100 * d.disagreement:.2f}%  model's answers {100 * a:.2f}%"
                   for d, a in zip(found, apart, strict=True)]  # fmt: skip
    return out + (["pairs:", *listed] if list_pairs else [])


def report_offsets(samples: list[FaceSample], model: KeypointModel) -> list[str]:
    """One line per source and framing of the validation split: the mean residual."""
    out = [
        "mean residual of the mirror-symmetric model, source pixels (validation split);",
        "its NME, and with each point's mean residual on the training split taken off",
    ]
    train, val = split(samples, VAL_FRACTION)
    for source, framings in SOURCE_FRAMINGS.items():
        faces = [s for s in val if s.source == source]
        seen = [s for s in train if s.source == source]
        seen = spread(seen, PER_SOURCE)
        for framing in framings if faces and seen else ():
            o = source_offset(model, seen, faces, framing)
            out.append(f"  {source:<10}{framing:<7} x {o.x:+.3f} ± {o.x_se:.3f}"
                       f"   y {o.y:+.3f} ± {o.y_se:.3f}   NME {100 * o.nme:5.2f}% "
                       f"{100 * o.nme_centred:5.2f}%   ({len(faces)} faces)")  # fmt: skip
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.labels", description=__doc__)
    parser.add_argument("--data", type=Path, default=Path(FACES5))
    parser.add_argument("--model", type=Path, default=Path("models/fkd5.onnx"))
    parser.add_argument("--pairs", action="store_true", help="list every pair found")
    args = parser.parse_args(argv)
    try:
        model = KeypointModel(args.model, device="cpu")
        samples = load_faces5(args.data)
    except (ModelLoadError, OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not samples:
        print(f"error: no faces5 sources under {args.data}", file=sys.stderr)
        return 2
    by_source = {n: [s for s in samples if s.source == n] for n in SOURCE_FRAMINGS}
    by_source = {n: group for n, group in by_source.items() if group}
    lines = report_duplicates(by_source, model, args.pairs) + report_offsets(samples, model)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
