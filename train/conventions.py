"""Label conventions: where each source's labels sit against the features, and moving a
source's training labels to the reference source's convention (CelebA's, the contract's).

The sources place their points a little differently (a coordinate origin, eye centre as pupil
or as contour mean, where the nose tip is). A model trained on all of them learns a compromise,
which shows on every source as a mean residual. `python -m train conventions MODEL` measures,
with a mirror-symmetric model (its answers averaged with its mirrored answers on the mirrored
crop), each source's per-point mean residual on the training split in the source's pixels,
less the model's own mean residual on the reference source (its bias where the labels define
the convention). The result, `SOURCE=dx0,dy0,...,dx4,dy4` items for `fit --label-offsets`, is
what to add to that source's training labels to put them where the reference would have them.

Left-right, the measure is sound whatever the model learnt: flip augmentation turns a constant
horizontal offset around, so a mirror-symmetric model cannot have learnt one. Up-down, it
assumes the model's own bias (in input pixels) is the same on every source.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import numpy.typing as npt

from fkd_live.adapters.runtime import KeypointModel
from fkd_live.core.geometry import transform_scale
from fkd_live.core.keypoints import NUM_KEYPOINTS, flip_keypoints_horizontally

from .augment import framing_matrix, main_framing
from .data import FaceSample
from .evaluate import crops_for, predict_all

REFERENCE = "celeba"
PER_SOURCE = 2000  # training faces per source the means are taken over (evenly spaced)


def spread(samples: list[FaceSample], count: int) -> list[FaceSample]:
    """Every k-th sample, k = len // count (at least 1): `count` to twice that, spread over the
    list (faces5 lists a source's images in its own order, so a prefix would be one kind)."""
    return samples[:: max(1, len(samples) // max(count, 1))]


def mirror_average(
    pred: npt.NDArray[np.float64], pred_of_mirror: npt.NDArray[np.float64], width: int
) -> npt.NDArray[np.float64]:
    """`(N, 5, 2)` answers averaged with the answers on the mirrored crops, mirrored back."""
    out: npt.NDArray[np.float64] = (pred + flip_keypoints_horizontally(pred_of_mirror, width)) / 2
    return out


def symmetric_answers(
    model: KeypointModel, samples: list[FaceSample], framing: str | None
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """The mirror-averaged `(N, 5, 2)` answers on `samples` in one framing (None: each in its
    main framing), the truth, and `(N,)` input pixels per source pixel."""
    crops, truth = crops_for(samples, model.spec, framing)
    mirrored = np.ascontiguousarray(crops[:, :, ::-1])
    pred = mirror_average(
        predict_all(model, crops), predict_all(model, mirrored), model.spec.input_width
    )
    mats = [framing_matrix(s, framing or main_framing(s), model.spec) for s in samples]
    return pred, truth, np.array([transform_scale(m) for m in mats])


def measure_offsets(
    model: KeypointModel, samples: list[FaceSample], per_source: int = PER_SOURCE
) -> dict[str, npt.NDArray[np.float64]]:
    """Each source's `(5, 2)` offset in its own pixels (see the module docstring); the
    reference source's is zero by definition. Raises ValueError without reference faces."""
    by_source: dict[str, list[FaceSample]] = {}
    for s in samples:
        by_source.setdefault(s.source, []).append(s)
    if REFERENCE not in by_source:
        raise ValueError(f"no {REFERENCE} faces: the offsets are measured against its labels")
    answers = {}
    for name, group in by_source.items():
        answers[name] = symmetric_answers(model, spread(group, per_source), None)
    pred, truth, _ = answers[REFERENCE]
    bias = (pred - truth).mean(axis=0)  # the model's own, in input pixels
    return {
        name: ((pred - truth - bias) / scale[:, None, None]).mean(axis=0)
        for name, (pred, truth, scale) in answers.items()
    }


def format_offsets(offsets: dict[str, npt.NDArray[np.float64]]) -> list[str]:
    """`SOURCE=dx0,dy0,...` items (two decimals: a hundredth of a pixel) for every source but
    the reference."""
    return [
        f"{name}=" + ",".join(f"{v:.2f}" for v in off.ravel())
        for name, off in offsets.items()
        if name != REFERENCE
    ]


def parse_offsets(
    items: tuple[str, ...], known: tuple[str, ...]
) -> dict[str, npt.NDArray[np.float64]]:
    """`("helen_afw=dx0,dy0,...,dx4,dy4", ...)` to `{"helen_afw": (5, 2) array}`."""
    out: dict[str, npt.NDArray[np.float64]] = {}
    for item in items:
        name, _, values = item.partition("=")
        if name not in known:
            raise ValueError(f"label offset {item!r} names no known source ({', '.join(known)})")
        try:
            numbers = [float(v) for v in values.split(",")]
        except ValueError:
            numbers = []
        if len(numbers) != 2 * NUM_KEYPOINTS or not np.all(np.isfinite(numbers)):
            raise ValueError(f"label offset {item!r} must be SOURCE=x,y for each of five points")
        out[name] = np.array(numbers, dtype=np.float64).reshape(NUM_KEYPOINTS, 2)
    return out


def move_labels(
    samples: list[FaceSample], offsets: dict[str, npt.NDArray[np.float64]]
) -> list[FaceSample]:
    """`samples` with each named source's points moved by its offset (others unchanged)."""
    return [
        replace(s, points=s.points + offsets[s.source]) if s.source in offsets else s
        for s in samples
    ]
