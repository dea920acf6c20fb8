"""2-D similarity transforms as `(2, 3) float64` affine matrices acting on (x, y) pixels.

A matrix `M` maps a point p to `M[:, :2] @ p + M[:, 2]`. A similarity is a rotation, a uniform
scale and a translation: `M[:, :2] == s * [[cos a, -sin a], [sin a, cos a]]`.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Matrix = npt.NDArray[np.float64]
"""A `(2, 3) float64` affine matrix."""

# Point sets whose spread is below this (squared pixels) cannot define a transform.
_MIN_VARIANCE = 1e-12


class DegenerateTransformError(ValueError):
    """The source points coincide, so no similarity transform is defined by them."""


def _as_points(points: npt.ArrayLike, name: str) -> npt.NDArray[np.float64]:
    pts = np.asarray(points, dtype=np.float64)
    if pts.ndim != 2 or pts.shape[1] != 2 or pts.shape[0] < 1:
        raise ValueError(f"{name} must be an (N, 2) array of (x, y) points, got shape {pts.shape}")
    if not np.all(np.isfinite(pts)):
        raise ValueError(f"{name} contains NaN or infinite coordinates")
    return pts


def similarity_matrix(scale: float, angle_rad: float, tx: float, ty: float) -> Matrix:
    """The `(2, 3)` matrix that scales and rotates about the origin, then translates."""
    c, s = scale * np.cos(angle_rad), scale * np.sin(angle_rad)
    return np.array([[c, -s, tx], [s, c, ty]], dtype=np.float64)


def estimate_similarity(src: npt.ArrayLike, dst: npt.ArrayLike) -> Matrix:
    """Least-squares similarity transform taking `src` onto `dst` (Umeyama, 1991).

    `src`, `dst`: `(N, 2)` points, N >= 2, in corresponding order. With N == 2 the fit is exact.
    Raises `DegenerateTransformError` when the source points coincide.
    Returns the `(2, 3) float64` matrix minimising sum |M(src_i) - dst_i|^2.

    In the plane Umeyama's SVD has a closed form: with the points as complex numbers z and w,
    centred, the similarity is w = a z + b with a = sum(conj(z) w) / sum(|z|^2) (a proper
    rotation times a scale: no reflection to guard against). It runs several times a frame, and
    this form takes about a tenth of the SVD's time.
    """
    s_pts, d_pts = _as_points(src, "src"), _as_points(dst, "dst")
    if s_pts.shape != d_pts.shape:
        raise ValueError(f"src and dst differ in shape: {s_pts.shape} vs {d_pts.shape}")
    n = s_pts.shape[0]
    if n < 2:
        raise DegenerateTransformError("a similarity transform needs at least two points")
    # Plain floats: for a handful of points, numpy's per-call overhead is most of the time.
    sx, sy = s_pts[:, 0].tolist(), s_pts[:, 1].tolist()
    dx, dy = d_pts[:, 0].tolist(), d_pts[:, 1].tolist()
    smx, smy, dmx, dmy = sum(sx) / n, sum(sy) / n, sum(dx) / n, sum(dy) / n
    var = re = im = 0.0
    for zx, zy, wx, wy in zip(sx, sy, dx, dy, strict=True):
        zx, zy, wx, wy = zx - smx, zy - smy, wx - dmx, wy - dmy
        var += zx * zx + zy * zy
        re += zx * wx + zy * wy  # sum(conj(z) w) = re + i im
        im += zx * wy - zy * wx
    if var / n < _MIN_VARIANCE:
        raise DegenerateTransformError(
            "source points coincide (e.g. both eyes at the same pixel): no alignment is defined"
        )
    re, im = re / var, im / var
    return np.array(
        [[re, -im, dmx - (re * smx - im * smy)], [im, re, dmy - (im * smx + re * smy)]],
        dtype=np.float64,
    )


def apply_transform(matrix: npt.ArrayLike, points: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Map `(..., 2)` points through a `(2, 3)` matrix; returns `(..., 2) float64`."""
    m = np.asarray(matrix, dtype=np.float64)
    pts = np.asarray(points, dtype=np.float64)
    if m.shape != (2, 3) or pts.shape[-1] != 2:
        raise ValueError(
            f"expected a (2, 3) matrix and (..., 2) points, got {m.shape}, {pts.shape}"
        )
    result: npt.NDArray[np.float64] = pts @ m[:, :2].T + m[:, 2]
    return result


def is_invertible(matrix: npt.ArrayLike) -> bool:
    """Whether `invert_transform` can invert a `(2, 3)` affine matrix (its plane does not
    collapse to a line), without computing the inverse."""
    (a, b, _), (c, d, _) = np.asarray(matrix, dtype=np.float64).tolist()
    return bool(abs(a * d - b * c) >= _MIN_VARIANCE)


def invert_transform(matrix: npt.ArrayLike) -> Matrix:
    """Inverse of an invertible `(2, 3)` affine matrix."""
    m = np.asarray(matrix, dtype=np.float64)
    if m.shape != (2, 3):
        raise ValueError(f"expected a (2, 3) matrix, got {m.shape}")
    (a, b, tx), (c, d, ty) = m.tolist()  # 2x2 by hand: numpy's inv is costlier than the sums
    det = a * d - b * c
    if abs(det) < _MIN_VARIANCE:  # as is_invertible
        raise DegenerateTransformError("the transform collapses the plane and has no inverse")
    ia, ib, ic, id_ = d / det, -b / det, -c / det, a / det
    return np.array(
        [[ia, ib, -(ia * tx + ib * ty)], [ic, id_, -(ic * tx + id_ * ty)]], dtype=np.float64
    )


def compose_transforms(outer: npt.ArrayLike, inner: npt.ArrayLike) -> Matrix:
    """The matrix of `outer(inner(p))`."""
    o, i = np.asarray(outer, dtype=np.float64), np.asarray(inner, dtype=np.float64)
    out = np.empty((2, 3), dtype=np.float64)
    out[:, :2] = o[:, :2] @ i[:, :2]
    out[:, 2] = o[:, :2] @ i[:, 2] + o[:, 2]
    return out


def transform_scale(matrix: npt.ArrayLike) -> float:
    """Uniform scale factor of a similarity matrix (sqrt of |det| for a general affine)."""
    (a, b, _), (c, d, _) = np.asarray(matrix, dtype=np.float64).tolist()
    return float(np.sqrt(abs(a * d - b * c)))


def resize_matrix(src_size: tuple[float, float], dst_size: tuple[float, float]) -> Matrix:
    """Pixel coordinates of an image `src_size` (w, h) to the same picture resized to `dst_size`.

    Pixel centres are at integer coordinates, so the image edges are at -0.5 and w - 0.5 and a
    point maps as x' = (x + 0.5) * w'/w - 0.5, not x * w'/w: the naive scaling moves every point
    by half a destination pixel minus half a source pixel (a quarter pixel right and down when
    halving). That shift is invisible until an image is mirrored, where it changes sign.
    """
    sx, sy = dst_size[0] / src_size[0], dst_size[1] / src_size[1]
    return np.array([[sx, 0.0, 0.5 * sx - 0.5], [0.0, sy, 0.5 * sy - 0.5]], dtype=np.float64)
