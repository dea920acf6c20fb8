"""The One Euro filter (Casiez, Roussel and Vogel, CHI 2012) for keypoints, with time passed in.

A low-pass filter whose cutoff rises with speed: still points are smoothed hard (no jitter), moving
points lightly (no lag). Every call takes the sample's timestamp, so behaviour is exact and
testable; nothing here reads a clock.

Two changes from the paper's filter, both for faces under camera noise (issue 18): by default all
five points share one speed, that of the face (`face_speed`), and speeds under `still_speed` count
as none, so noise alone does not open the filter. As in the paper, the speed is measured against
the previous *filtered* value, so a point the filter trails looks faster and is let through.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

SPEEDS = ("face", "value")


@dataclass(frozen=True)
class OneEuroConfig:
    # Defaults tuned with benchmarks/steadiness.py (still-face jitter under noise std 4 against
    # moving-face NME and lag), on held-out faces at clip offset 0, checked at another offset.
    min_cutoff: float = 0.25  # Hz: the cutoff of a still point (lower = smoother, more lag)
    beta: float = 40.0  # Hz added per unit of speed (units of `scale` per second, see __call__)
    d_cutoff: float = 3.0  # Hz: cutoff of the speed estimate itself
    # Speeds under this (units of `scale` per second) count as still. Camera noise alone makes
    # a still face's speed estimate about 0.05-0.1 eye distances per second, which beta would
    # turn into a cutoff several times `min_cutoff`; 0.15 leaves a still face at `min_cutoff`.
    still_speed: float = 0.15
    # "face": one speed for all the points of an `(N, 2)` sample (`face_speed`), so they are
    # smoothed alike and the shape does not shimmer apart; "value": each value its own speed,
    # as in the paper. On a still LFW face with noise std 4, one flickering mouth corner made
    # the paper's filter (and a mean-based face speed) jitter 0.6% of the eye distance.
    speed: str = "face"

    def __post_init__(self) -> None:
        if self.min_cutoff <= 0 or self.d_cutoff <= 0 or self.beta < 0:
            raise ValueError("One Euro cutoffs must be positive and beta non-negative")
        if self.still_speed < 0:
            raise ValueError("One Euro still_speed must be non-negative")
        if self.speed not in SPEEDS:
            raise ValueError(f"One Euro speed must be one of {SPEEDS}, got {self.speed!r}")


def face_speed(velocity: npt.NDArray[np.float64]) -> float:
    """The speed of `(N, 2)` point velocities as one number: the median of their norms. A face
    moving, turning or zooming moves most of its points; one point that flickers (a mouth
    corner the model places in two spots by turns) moves one, and must not open the filter for
    all."""
    return float(np.median(np.linalg.norm(velocity, axis=1)))


def smoothing_factor(cutoff: npt.ArrayLike, dt: float) -> npt.NDArray[np.float64]:
    """alpha = 1 / (1 + tau / dt), with tau = 1 / (2 pi cutoff)."""
    tau = 1.0 / (2.0 * math.pi * np.asarray(cutoff, dtype=np.float64))
    out: npt.NDArray[np.float64] = 1.0 / (1.0 + tau / dt)
    return out


class OneEuroFilter:
    """Filters `(N, 2)` points (speed "face", the default) or arrays of any fixed shape (speed
    "value"), one timestamped sample at a time. The first sample, and any sample not later than
    the previous one, passes unchanged and restarts the filter."""

    def __init__(self, config: OneEuroConfig | None = None) -> None:
        self.config = config or OneEuroConfig()
        self._t: float | None = None
        self._x: npt.NDArray[np.float64] | None = None
        self._dx: npt.NDArray[np.float64] | None = None

    def reset(self) -> None:
        self._t = self._x = self._dx = None

    def __call__(self, x: npt.ArrayLike, t: float, scale: float = 1.0) -> npt.NDArray[np.float64]:
        """The filtered sample. Speeds are measured in units of `scale` per second (the
        pipeline passes the face's eye distance, so `beta` means the same for near and far
        faces); `scale` 1 measures them in the sample's own units."""
        value = np.asarray(x, dtype=np.float64)
        if self.config.speed == "face" and (value.ndim != 2 or value.shape[1] != 2):
            raise ValueError(f"speed 'face' filters (N, 2) points, got shape {value.shape}")
        if self._x is None or self._t is None or self._dx is None or t <= self._t \
                or value.shape != self._x.shape:  # fmt: skip
            self._t, self._x, self._dx = t, value.copy(), np.zeros_like(value)
            return value.copy()
        cfg, dt = self.config, t - self._t
        speed = (value - self._x) / dt
        a_d = smoothing_factor(cfg.d_cutoff, dt)
        self._dx = self._dx + a_d * (speed - self._dx)
        cutoff = cfg.min_cutoff + cfg.beta * np.maximum(
            self._speed() / scale - cfg.still_speed, 0.0
        )
        a = smoothing_factor(cutoff, dt)
        self._x = self._x + a * (value - self._x)
        self._t = t
        return self._x.copy()

    def _speed(self) -> npt.NDArray[np.float64] | float:
        """The filtered speed, per value or one for the whole `(N, 2)` face (`config.speed`)."""
        assert self._dx is not None
        return face_speed(self._dx) if self.config.speed == "face" else np.abs(self._dx)
