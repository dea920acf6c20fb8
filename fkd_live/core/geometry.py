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
    """
    s_pts, d_pts = _as_points(src, "src"), _as_points(dst, "dst")
    if s_pts.shape != d_pts.shape:
        raise ValueError(f"src and dst differ in shape: {s_pts.shape} vs {d_pts.shape}")
    if s_pts.shape[0] < 2:
        raise DegenerateTransformError("a similarity transform needs at least two points")
    s_mean, d_mean = s_pts.mean(axis=0), d_pts.mean(axis=0)
    s_c, d_c = s_pts - s_mean, d_pts - d_mean
    s_var = float(np.mean(np.sum(s_c**2, axis=1)))
    if s_var < _MIN_VARIANCE:
        raise DegenerateTransformError(
            "source points coincide (e.g. both eyes at the same pixel): no alignment is defined"
        )
    cov = d_c.T @ s_c / s_pts.shape[0]
    u, sing, vt = np.linalg.svd(cov)
    # Umeyama's reflection guard: force a proper rotation (det = +1).
    d = np.array([1.0, 1.0 if np.linalg.det(u) * np.linalg.det(vt) >= 0 else -1.0])
    rot = u @ np.diag(d) @ vt
    scale = float(np.sum(sing * d)) / s_var
    out = np.empty((2, 3), dtype=np.float64)
    out[:, :2] = scale * rot
    out[:, 2] = d_mean - out[:, :2] @ s_mean
    return out


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


def invert_transform(matrix: npt.ArrayLike) -> Matrix:
    """Inverse of an invertible `(2, 3)` affine matrix."""
    m = np.asarray(matrix, dtype=np.float64)
    if m.shape != (2, 3):
        raise ValueError(f"expected a (2, 3) matrix, got {m.shape}")
    a = m[:, :2]
    det = float(np.linalg.det(a))
    if abs(det) < _MIN_VARIANCE:
        raise DegenerateTransformError("the transform collapses the plane and has no inverse")
    a_inv = np.linalg.inv(a)
    out = np.empty((2, 3), dtype=np.float64)
    out[:, :2] = a_inv
    out[:, 2] = -a_inv @ m[:, 2]
    return out


def compose_transforms(outer: npt.ArrayLike, inner: npt.ArrayLike) -> Matrix:
    """The matrix of `outer(inner(p))`."""
    o, i = np.asarray(outer, dtype=np.float64), np.asarray(inner, dtype=np.float64)
    out = np.empty((2, 3), dtype=np.float64)
    out[:, :2] = o[:, :2] @ i[:, :2]
    out[:, 2] = o[:, :2] @ i[:, 2] + o[:, 2]
    return out


def transform_scale(matrix: npt.ArrayLike) -> float:
    """Uniform scale factor of a similarity matrix (sqrt of |det| for a general affine)."""
    m = np.asarray(matrix, dtype=np.float64)
    return float(np.sqrt(abs(np.linalg.det(m[:, :2]))))


def resize_matrix(src_size: tuple[float, float], dst_size: tuple[float, float]) -> Matrix:
    """Pixel coordinates of an image `src_size` (w, h) to the same picture resized to `dst_size`.

    Pixel centres are at integer coordinates, so the image edges are at -0.5 and w - 0.5 and a
    point maps as x' = (x + 0.5) * w'/w - 0.5, not x * w'/w: the naive scaling moves every point
    by half a destination pixel minus half a source pixel (a quarter pixel right and down when
    halving). That shift is invisible until an image is mirrored, where it changes sign.
    """
    sx, sy = dst_size[0] / src_size[0], dst_size[1] / src_size[1]
    return np.array([[sx, 0.0, 0.5 * sx - 0.5], [0.0, sy, 0.5 * sy - 0.5]], dtype=np.float64)
