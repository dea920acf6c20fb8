"""The One Euro filter (Casiez, Roussel and Vogel, CHI 2012) for keypoints, with time passed in.

A low-pass filter whose cutoff rises with speed: still points are smoothed hard (no jitter), moving
points lightly (no lag). Every call takes the sample's timestamp, so behaviour is exact and
testable; nothing here reads a clock.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True)
class OneEuroConfig:
    # Defaults tuned with benchmarks/live_quality.py (still-face jitter against moving-face lag).
    min_cutoff: float = 0.3  # Hz: the cutoff of a still point (lower = smoother, more lag)
    beta: float = 20.0  # Hz added per unit of speed (units of `scale` per second, see __call__)
    d_cutoff: float = 3.0  # Hz: cutoff of the speed estimate itself

    def __post_init__(self) -> None:
        if self.min_cutoff <= 0 or self.d_cutoff <= 0 or self.beta < 0:
            raise ValueError("One Euro cutoffs must be positive and beta non-negative")


def smoothing_factor(cutoff: npt.ArrayLike, dt: float) -> npt.NDArray[np.float64]:
    """alpha = 1 / (1 + tau / dt), with tau = 1 / (2 pi cutoff)."""
    tau = 1.0 / (2.0 * math.pi * np.asarray(cutoff, dtype=np.float64))
    out: npt.NDArray[np.float64] = 1.0 / (1.0 + tau / dt)
    return out


class OneEuroFilter:
    """Filters arrays of any fixed shape (e.g. `(5, 2)` keypoints), one timestamped sample at a
    time. The first sample, and any sample not later than the previous one, passes unchanged and
    restarts the filter."""

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
        if self._x is None or self._t is None or self._dx is None or t <= self._t \
                or value.shape != self._x.shape:  # fmt: skip
            self._t, self._x, self._dx = t, value.copy(), np.zeros_like(value)
            return value.copy()
        cfg, dt = self.config, t - self._t
        speed = (value - self._x) / dt
        a_d = smoothing_factor(cfg.d_cutoff, dt)
        self._dx = self._dx + a_d * (speed - self._dx)
        cutoff = cfg.min_cutoff + cfg.beta * np.abs(self._dx) / scale
        a = smoothing_factor(cutoff, dt)
        self._x = self._x + a * (value - self._x)
        self._t = t
        return self._x.copy()
