"""What the labels themselves allow: how far two labellings of one photo disagree, and where
each source's labels sit across the face.

    python -m benchmarks.labels [--source celeba] [--model models/fkd5.onnx]

Duplicates. A source can hold the same photograph twice under two names, each labelled on its
own. Pairs are found by the correlation of small grey thumbnails and confirmed by registering
the two images (an affine ECC fit whose correlation must pass `--min-ecc`); one image's labels
are mapped into the other's frame by that fit, and their disagreement is an NME like any
other (mean point distance over the second labelling's eye distance). If each labelling is the
truth plus noise, independent and alike for the two, a model that found every feature exactly
would score E|n| against either, while the pair disagrees by E|n1 - n2|: at least half the
disagreement whatever the noise (the triangle inequality), and 1/sqrt(2) of it for Gaussian
noise. Both are printed, with 95% bootstrap intervals over pairs, beside the model's NME on the
same photographs.

Offsets. A mirror-symmetric model (its answers on a crop and on the crop's mirror image,
mirrored back, averaged) cannot learn a constant left-right offset from training with flips:
the flip turns it around. Over many faces its mean x residual on a source is therefore minus
where that source's labels sit relative to the features, in the source's own pixels (mean and
standard error over faces). The mean y residual is printed too, but a model can learn a
vertical offset, so it mixes the labels' offset with the compromise between sources.
"""

from __future__ import annotations

import argparse
import math
import sys
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from benchmarks.residuals import Interval, bootstrap
from fkd_live.adapters.runtime import KeypointModel, ModelLoadError
from fkd_live.core.geometry import apply_transform, invert_transform
from fkd_live.core.keypoints import flip_keypoints_horizontally
from train.augment import SOURCE_FRAMINGS, framing_matrix, main_framing
from train.config import VAL_FRACTION
from train.data import FaceSample, load_faces5, split
from train.evaluate import crops_for, predict_all
from train.metrics import nme

THUMB = (16, 20)  # thumbnail width, height: enough to tell faces apart, blind to jpeg noise


def grey(image: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    """`(H, W)` grey copy of an `(H, W, 3)` RGB or `(H, W)` grey image."""
    if image.ndim == 2:
        return image
    return np.asarray(cv2.cvtColor(image, cv2.COLOR_RGB2GRAY), dtype=np.uint8)


def thumbnails(images: list[npt.NDArray[np.uint8]]) -> npt.NDArray[np.float32]:
    """`(N, 320) float32` grey thumbnails, each centred and of unit length (dot = correlation)."""
    rows = []
    for image in images:
        t = cv2.resize(grey(image), THUMB, interpolation=cv2.INTER_AREA).astype(np.float32)
        t = t.ravel() - t.mean()
        rows.append(t / max(float(np.linalg.norm(t)), 1e-6))
    return np.stack(rows)


def candidate_pairs(thumbs: npt.NDArray[np.float32], min_corr: float) -> list[tuple[int, int]]:
    """Index pairs `(i, j)`, i < j, whose thumbnails correlate at `min_corr` or more; the
    correlations are computed 1,000 rows at a time, so memory stays bounded."""
    pairs: list[tuple[int, int]] = []
    for start in range(0, len(thumbs), 1000):
        block = thumbs[start : start + 1000] @ thumbs.T
        for i, j in zip(*np.nonzero(block >= min_corr), strict=True):
            if start + i < j:
                pairs.append((int(start + i), int(j)))
    return pairs


def register(
    a: npt.NDArray[np.uint8], b: npt.NDArray[np.uint8]
) -> tuple[float, npt.NDArray[np.float64]] | None:
    """ECC affine fit of image `b` to image `a`: its correlation and the `(2, 3)` matrix taking
    a pixel of `a` to the same place in `b`; None when the fit does not converge."""
    start = np.eye(2, 3, dtype=np.float32)
    criteria = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 200, 1e-6)
    ga, gb = grey(a).astype(np.float32), grey(b).astype(np.float32)
    try:
        corr, warp = cv2.findTransformECC(ga, gb, start, cv2.MOTION_AFFINE, criteria)
    except cv2.error:
        return None
    return float(corr), np.asarray(warp, dtype=np.float64)


@dataclass(frozen=True)
class Duplicate:
    """One photograph labelled twice: the two samples' ids and their disagreement (NME)."""

    first: str
    second: str
    ecc: float
    warp: npt.NDArray[np.float64]  # (2, 3): a pixel of the first image to the second
    disagreement: float


def duplicates(
    samples: list[FaceSample], min_corr: float = 0.95, min_ecc: float = 0.985
) -> list[Duplicate]:
    """Every pair of `samples` that shows one photograph (see the module docstring)."""
    found = []
    for i, j in candidate_pairs(thumbnails([s.image for s in samples]), min_corr):
        fit = register(samples[i].image, samples[j].image)
        if fit is None or fit[0] < min_ecc:
            continue
        mapped = apply_transform(fit[1], samples[i].points)
        d = float(nme(mapped[None], samples[j].points[None])[0])
        found.append(Duplicate(samples[i].image_id, samples[j].image_id, fit[0], fit[1], d))
    return found


@dataclass(frozen=True)
class Floor:
    """What the pairs' disagreement says a perfect model would score (fractions)."""

    disagreement: Interval
    at_least: Interval  # half the disagreement: holds for any noise alike in both labellings
    gaussian: Interval  # 1/sqrt(2) of it: Gaussian noise


def floor(disagreements: list[float], resamples: int = 1000, seed: int = 0) -> Floor:
    """The floor from per-pair disagreements, with bootstrap intervals over the pairs."""
    d = np.asarray(disagreements, dtype=np.float64)

    def scaled(k: float) -> Interval:
        return bootstrap(lambda idx: k * float(d[idx].mean()), len(d), resamples, seed)

    return Floor(scaled(1.0), scaled(0.5), scaled(1 / math.sqrt(2)))


def mirror_average(
    pred: npt.NDArray[np.float64], pred_of_mirror: npt.NDArray[np.float64], width: int
) -> npt.NDArray[np.float64]:
    """`(N, 5, 2)` answers averaged with the answers on the mirrored crops, mirrored back."""
    out: npt.NDArray[np.float64] = (pred + flip_keypoints_horizontally(pred_of_mirror, width)) / 2
    return out


@dataclass(frozen=True)
class Offset:
    """Mean residual in the source's pixels, x and y, each with its standard error."""

    x: float
    x_se: float
    y: float
    y_se: float


def offset(
    pred: npt.NDArray[np.float64], truth: npt.NDArray[np.float64], scale: npt.NDArray[np.float64]
) -> Offset:
    """Mean residual of `(N, 5, 2)` answers in source pixels (`scale`: `(N,)` input pixels per
    source pixel); the standard errors treat each face's mean over its points as one draw."""
    per_face = ((pred - truth) / scale[:, None, None]).mean(axis=1)
    se = per_face.std(axis=0, ddof=1) / math.sqrt(len(per_face))
    return Offset(float(per_face[:, 0].mean()), float(se[0]), float(per_face[:, 1].mean()),
                  float(se[1]))  # fmt: skip


def source_offset(model: KeypointModel, samples: list[FaceSample], framing: str) -> Offset:
    """The mirror-symmetric model's mean residual on `samples` in one framing."""
    crops, truth = crops_for(samples, model.spec, framing)
    mirrored = np.ascontiguousarray(crops[:, :, ::-1])
    pred = mirror_average(
        predict_all(model, crops), predict_all(model, mirrored), model.spec.input_width
    )
    mats = np.stack([framing_matrix(s, framing, model.spec) for s in samples])
    scale = np.sqrt(np.abs(np.linalg.det(mats[:, :, :2])))
    return offset(pred, truth, scale)


def pct(i: Interval) -> str:
    return f"{100 * i.value:.2f}%  [{100 * i.low:.2f}, {100 * i.high:.2f}]"


def answers_in_image(model: KeypointModel, samples: list[FaceSample]) -> npt.NDArray[np.float64]:
    """The model's `(N, 5, 2)` answers in each sample's image pixels (its main framing)."""
    crops, _ = crops_for(samples, model.spec, None)
    back = [invert_transform(framing_matrix(s, main_framing(s), model.spec)) for s in samples]
    pred = predict_all(model, crops)
    return np.stack([apply_transform(m, p) for m, p in zip(back, pred, strict=True)])


def report_duplicates(samples: list[FaceSample], model: KeypointModel) -> list[str]:
    """The duplicates' lines: each pair, the floor, and the model on the same photos: its NME
    and how far its answers on a pair's two photos disagree (mapped as the labels are), which
    says how alike the model finds the two images."""
    found = duplicates(samples)
    out = [f"photographs labelled twice: {len(found)} pairs among {len(samples)} images"]
    if not found:
        return out
    by_id = {s.image_id: s for s in samples}
    photos = [by_id[i] for d in found for i in (d.first, d.second)]
    answers = answers_in_image(model, photos)
    truth = np.stack([s.points for s in photos])
    self_nme = [
        float(nme(apply_transform(d.warp, answers[2 * k])[None], answers[2 * k + 1][None])[0])
        for k, d in enumerate(found)
    ]
    for d, m in zip(found, self_nme, strict=True):
        out.append(f"  {d.first} {d.second}  ecc {d.ecc:.3f}  labels disagree "
                   f"{100 * d.disagreement:.2f}%  model's answers {100 * m:.2f}%")  # fmt: skip
    f = floor([d.disagreement for d in found])
    model_nme = nme(answers, truth)
    out += [
        "(95% intervals over pairs)",
        f"  labellings disagree by   {pct(f.disagreement)}",
        f"  a perfect model, >=      {pct(f.at_least)}",
        f"  a perfect model, Gauss.  {pct(f.gaussian)}",
        f"  the model on these {len(photos)} photos: {100 * model_nme.mean():.2f}%; its answers"
        f" on a pair's two disagree by {100 * np.mean(self_nme):.2f}%",
    ]
    return out


def report_offsets(samples: list[FaceSample], model: KeypointModel) -> list[str]:
    """One line per source and framing of the validation split: the mean residual."""
    out = ["mean residual of the mirror-symmetric model, source pixels (validation split)"]
    _, val = split(samples, VAL_FRACTION)
    for source, framings in SOURCE_FRAMINGS.items():
        faces = [s for s in val if s.source == source]
        for framing in framings if faces else ():
            o = source_offset(model, faces, framing)
            out.append(f"  {source:<10}{framing:<7} x {o.x:+.3f} ± {o.x_se:.3f}"
                       f"   y {o.y:+.3f} ± {o.y_se:.3f}   ({len(faces)} faces)")  # fmt: skip
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.labels", description=__doc__)
    parser.add_argument("--data", type=Path, default=Path("../shared/data/faces5"))
    parser.add_argument("--model", type=Path, default=Path("models/fkd5.onnx"))
    parser.add_argument("--source", default="celeba", help="where to look for duplicates")
    args = parser.parse_args(argv)
    if args.source not in SOURCE_FRAMINGS:
        print(f"error: unknown source {args.source!r}", file=sys.stderr)
        return 2
    try:
        model = KeypointModel(args.model, device="cpu")
        samples = load_faces5(args.data)
    except (ModelLoadError, OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not samples:
        print(f"error: no faces5 sources under {args.data}", file=sys.stderr)
        return 2
    own = [s for s in samples if s.source == args.source]
    print("\n".join(report_duplicates(own, model) + report_offsets(samples, model)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
