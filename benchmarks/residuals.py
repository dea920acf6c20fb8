"""What a model's errors on one source and framing are made of, and what averaging models gains.

    python -m benchmarks.residuals MODEL [MODEL ...] [--source celeba] [--framing celeba]

For each model, and for the average of their answers when there are several, on the validation
split `python -m train fit` holds out: NME (mean, median); sigma, the residual's spread per
coordinate (input pixels); the spread of its translation part (each face's mean residual over
the five points, x and y) beside sigma / sqrt(5), what it would be if the five points erred
independently; and the largest correlation between two different points' coordinates.

Errors of where the face is or how large it is move the points together: the translation's
spread is then above sigma / sqrt(5) and the points correlate. Errors of single points (a label
off its feature, or a feature the net places badly) do neither. Averaging models removes what
they disagree on; what all of them share stays.

With several models it also compares each with the first, on the same faces, with 95%
bootstrap intervals (faces redrawn alike for both, so the error the two share does not widen
them): the NME difference, and the share of the first model's residual the other also makes,
cov(r_first, r_other) / var(r_first) over faces and coordinates. If r = s + e, with s common to
both and e each model's own, independent part, the share is var(s) / var(r_first); if the other
model makes the common part k times as large (a weaker net pulling harder toward the mean
shape), k var(s) / var(r_first), so above 1 says so and a weaker net reaches 1 with less in
common. A high share against a very different net points at error every model makes: what the
labels say that no model reads from the pixels, or faces every model misreads (these numbers
cannot tell the two apart).
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import numpy.typing as npt

from fkd_live.adapters.runtime import KeypointModel, ModelLoadError
from train.augment import SOURCE_FRAMINGS
from train.config import FACES5, VAL_FRACTION
from train.data import load_faces5, split
from train.evaluate import crops_for, predict_all
from train.metrics import nme


@dataclass(frozen=True)
class Residuals:
    """How `(N, 5, 2)` answers miss the truth; lengths in the answers' pixels."""

    nme_mean: float
    nme_median: float
    sigma: float  # the residual's std per coordinate, pooled over the ten
    translation: tuple[float, float]  # std of each face's mean residual over its points (x, y)
    iid_translation: float  # sigma / sqrt(5): the translation's std if points erred apart
    max_corr: float  # the largest |correlation| between coordinates of two different points


def residual_structure(pred: npt.NDArray[np.float64], truth: npt.NDArray[np.float64]) -> Residuals:
    """The measures above for `(N, 5, 2)` answers against `(N, 5, 2)` truth."""
    errors = nme(pred, truth)
    r = (pred - truth).reshape(len(truth), -1)
    points = r.shape[1] // 2
    sigma = float(np.sqrt(r.var(axis=0).mean()))
    moves = (pred - truth).mean(axis=1).std(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):  # a constant column has no correlation
        corr = np.nan_to_num(np.corrcoef(r.T))
    same_point = np.kron(np.eye(points), np.ones((2, 2))) > 0
    return Residuals(
        float(errors.mean()), float(np.median(errors)), sigma,
        (float(moves[0]), float(moves[1])), sigma / math.sqrt(points),
        float(np.abs(corr[~same_point]).max()),
    )  # fmt: skip


@dataclass(frozen=True)
class Interval:
    """A statistic over faces and its 95% bootstrap interval (faces drawn with replacement)."""

    value: float
    low: float
    high: float


def bootstrap(
    stat: Callable[[npt.NDArray[np.intp]], float], n: int, resamples: int, seed: int
) -> Interval:
    """`stat` of the faces `0..n-1`, and its interval over `resamples` seeded redraws (a
    redraw where `stat` is undefined, NaN, is left out)."""
    rng = np.random.default_rng(seed)
    draws = np.array([stat(rng.integers(0, n, n)) for _ in range(resamples)])
    low, high = np.nanpercentile(draws, [2.5, 97.5]) if resamples else (math.nan, math.nan)
    return Interval(stat(np.arange(n)), float(low), float(high))


@dataclass(frozen=True)
class Comparison:
    """Another model against the first, on the same faces (see the module docstring)."""

    share: Interval  # cov / var of the first model's residual
    nme_diff: Interval  # the other's NME minus the first's (negative: the other is better)


def compare(
    first: npt.NDArray[np.float64],
    other: npt.NDArray[np.float64],
    truth: npt.NDArray[np.float64],
    resamples: int = 1000,
    seed: int = 0,
) -> Comparison:
    """Compare `(N, 5, 2)` answers against `(N, 5, 2)` truth. The share centres each
    coordinate's residual on its mean (as `sigma` does); both intervals redraw the same faces
    for both models (paired), so what the models share does not widen them."""
    a = (first - truth).reshape(len(truth), -1)
    b = (other - truth).reshape(len(truth), -1)
    diff = nme(other, truth) - nme(first, truth)

    def share(idx: npt.NDArray[np.intp]) -> float:
        ra, rb = a[idx] - a[idx].mean(axis=0), b[idx] - b[idx].mean(axis=0)
        var = float((ra * ra).mean())
        return float((ra * rb).mean()) / var if var > 0 else math.nan

    return Comparison(
        bootstrap(share, len(a), resamples, seed),
        bootstrap(lambda idx: float(diff[idx].mean()), len(a), resamples, seed),
    )


def comparison_lines(first: str, named: list[tuple[str, Comparison]]) -> list[str]:
    """One row per other model: its NME difference and its share of the first's residual."""
    out = [
        f"against {first} (95% intervals over faces):",
        f"  {'model':<26}{'NME diff':>9}{'interval':>18}{'shared':>8}{'interval':>14}",
    ]
    for name, c in named:
        d, sh = c.nme_diff, c.share
        out.append(
            f"  {name:<26}{100 * d.value:+8.2f}%  [{100 * d.low:+.2f}, {100 * d.high:+.2f}]"
            f"{sh.value:8.2f}  [{sh.low:.2f}, {sh.high:.2f}]"
        )
    return out


def short_names(paths: list[Path]) -> list[str]:
    """Each file as folder/name (runs/v1/int8.onnx -> v1/int8.onnx), or its name alone when
    it has no folder: short, and apart where runs write files of the same name."""
    return [f"{p.parent.name}/{p.name}" if p.parent.name else p.name for p in paths]


def lines(named: list[tuple[str, Residuals]]) -> list[str]:
    """One row per model: the measures as percentages of the eye distance and pixels."""
    out = [
        f"{'model':<28}{'NME':>7}{'median':>8}{'sigma px':>10}{'transl. x, y':>15}"
        f"{'sigma/sqrt5':>13}{'max corr':>10}"
    ]
    for name, r in named:
        out.append(
            f"{name:<28}{100 * r.nme_mean:6.2f}%{100 * r.nme_median:7.2f}%{r.sigma:10.3f}"
            f"{r.translation[0]:8.3f},{r.translation[1]:6.3f}{r.iid_translation:13.3f}"
            f"{r.max_corr:10.2f}"
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="+", type=Path)
    parser.add_argument("--data", type=Path, default=Path(FACES5))
    parser.add_argument("--source", default="celeba", choices=sorted(SOURCE_FRAMINGS))
    parser.add_argument("--framing", default="celeba")
    args = parser.parse_args(argv)
    if args.framing not in SOURCE_FRAMINGS[args.source]:
        choices = ", ".join(SOURCE_FRAMINGS[args.source])
        print(
            f"error: {args.source} is validated in {choices}, not {args.framing}", file=sys.stderr
        )
        return 2
    try:
        models = [KeypointModel(p, device="cpu") for p in args.models]
        _, val = split(load_faces5(args.data, [args.source]), VAL_FRACTION)
    except (ModelLoadError, OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    # `extra` only names how a model was made (its arch); the crops depend on the rest.
    if any(replace(m.spec, extra=()) != replace(models[0].spec, extra=()) for m in models):
        print(
            "error: the models' contracts differ; their answers cannot be averaged", file=sys.stderr
        )
        return 2
    crops, truth = crops_for(val, models[0].spec, args.framing)
    preds = [predict_all(m, crops) for m in models]
    names = short_names(args.models)
    named = [(n, residual_structure(a, truth)) for n, a in zip(names, preds, strict=True)]
    if len(preds) > 1:
        named.append(
            (f"average of {len(preds)}", residual_structure(np.mean(preds, axis=0), truth))
        )
    print(f"{args.source} validation, {args.framing} framing, {len(truth)} faces")
    print("\n".join(lines(named)))
    if len(preds) > 1:
        compared = [
            (n, compare(preds[0], a, truth)) for n, a in zip(names[1:], preds[1:], strict=True)
        ]
        print("\n".join(comparison_lines(names[0], compared)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
