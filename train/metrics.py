"""Keypoint error measures (numpy, so evaluation never needs torch)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from fkd_live.core import Keypoint


def inter_ocular(points: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """`(N, 5, 2)` -> `(N,)` distance between the two eye centres."""
    d: npt.NDArray[np.float64] = np.linalg.norm(
        points[:, Keypoint.RIGHT_EYE] - points[:, Keypoint.LEFT_EYE], axis=1
    )
    return d


def nme(pred: npt.ArrayLike, truth: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Per-face normalised mean error: mean point distance over the inter-ocular distance.

    `pred`, `truth`: `(N, 5, 2)`; returns `(N,)` fractions (multiply by 100 for percent).
    """
    p, t = np.asarray(pred, dtype=np.float64), np.asarray(truth, dtype=np.float64)
    per_point = np.linalg.norm(p - t, axis=2)
    out: npt.NDArray[np.float64] = per_point.mean(axis=1) / np.maximum(inter_ocular(t), 1e-6)
    return out


def face_nme(pred: npt.ArrayLike, truth: npt.ArrayLike) -> float:
    """`nme` of one face: `pred`, `truth` `(5, 2)`; a fraction."""
    return float(nme(np.asarray(pred)[None], np.asarray(truth)[None])[0])
