"""A head's relief, so a flat portrait can turn: how far each pixel moves at a yaw and a pitch.

The demo source is one photograph. To show turned heads it treats the face as a smooth surface
standing out of the picture: a broad dome for the head and a narrow ridge for the nose, heights in
pixels towards the camera. Turning the surface by yaw (about the vertical axis through the head's
centre) and pitch (about the horizontal one), seen head-on without perspective, moves a point at
`(x, y)` with height `z` to

    x' = x + w * ((x - cx) * (cos(yaw) - 1) + z * sin(yaw))
    y' = y + w * ((y - cy) * (cos(pitch) - 1) + z * sin(pitch))

where `w` (1 on the head, falling to 0 outside it) keeps the background still. Signs follow
`core.pose`: yaw > 0 turns the face towards the image's right (the nose moves right), pitch > 0
tilts it down (the nose moves down). The two turns are applied together, not one after the
other: exact for one of them alone, a close enough picture of both for a demo.

A renderer needs the inverse (for each output pixel, the portrait pixel it shows):
`HeadRelief.source_of` finds it by fixed-point iteration, which converges while no part of the
surface folds over, more slowly as the turn grows: at the demo's 30 degrees its default 10 steps
land within 0.2 px, at 45 degrees 60 steps within 0.01 px (tests/test_relief.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Points = npt.NDArray[np.float64]

# Points whose weight `w` is below this do not move: they are solved as the background. Well
# outside `reach`, such a point would move by a few hundredths of a pixel at most.
STILL_WEIGHT = 1e-4


@dataclass(frozen=True)
class HeadRelief:
    """Heights in the portrait's pixels. `centre` is the head's centre, `nose` the nose tip;
    the dome has height `dome` and Gaussian widths `dome_size` (x, y), the nose ridge height
    `nose_height` and widths `nose_size`, centred `nose_rise` pixels above the tip (a ridge up
    the nose, not a bump on its tip). `reach` (x, y) is where the head ends: `w` is
    `exp(-r**4)` of the distance in those units."""

    centre: tuple[float, float]
    nose: tuple[float, float]
    dome: float
    dome_size: tuple[float, float]
    nose_height: float
    nose_size: tuple[float, float]
    nose_rise: float
    reach: tuple[float, float]

    @classmethod
    def for_face(cls, keypoints: npt.ArrayLike) -> HeadRelief:
        """A relief fitted to five contract-order keypoints `(5, 2)` of a frontal face: sizes
        in units of the eye distance (an adult's 64 mm), so any portrait scale works."""
        kp = np.asarray(keypoints, dtype=np.float64)
        mm = float(np.linalg.norm(kp[1] - kp[0])) / 64.0  # pixels per millimetre
        eyes, mouth = (kp[0] + kp[1]) / 2, (kp[3] + kp[4]) / 2
        centre = (float((eyes[0] + mouth[0]) / 2), float((eyes[1] + mouth[1]) / 2))
        return cls(
            centre=centre,
            nose=(float(kp[2, 0]), float(kp[2, 1])),
            dome=60.0 * mm,
            dome_size=(70.0 * mm, 90.0 * mm),
            nose_height=22.0 * mm,
            nose_size=(15.0 * mm, 22.0 * mm),
            nose_rise=12.0 * mm,
            reach=(95.0 * mm, 125.0 * mm),
        )

    def extent(self) -> tuple[float, float, float, float]:
        """`(x0, y0, x1, y1)`: the box in the portrait outside which `source_of` moves nothing
        (where `w` = exp(-r**4) < `STILL_WEIGHT`, r in units of `reach`)."""
        r = math.log(1.0 / STILL_WEIGHT) ** 0.25
        (cx, cy), (rx, ry) = self.centre, self.reach
        return cx - r * rx, cy - r * ry, cx + r * rx, cy + r * ry

    def height(self, x: Points, y: Points) -> Points:
        """Height `z` (pixels towards the camera) at portrait points `x`, `y` (same shapes)."""
        cx, cy = self.centre
        (sx, sy), (nx, ny) = self.dome_size, self.nose_size
        dome = self.dome * np.exp(-0.5 * (((x - cx) / sx) ** 2 + ((y - cy) / sy) ** 2))
        top = self.nose[1] - self.nose_rise
        ridge = np.exp(-0.5 * (((x - self.nose[0]) / nx) ** 2 + ((y - top) / ny) ** 2))
        return np.asarray(dome + self.nose_height * ridge, dtype=np.float64)

    def weight(self, x: Points, y: Points) -> Points:
        """`w`: 1 on the head, smoothly 0 outside `reach`, so the background does not move."""
        cx, cy = self.centre
        rx, ry = self.reach
        r2 = ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2
        return np.asarray(np.exp(-(r2**2)), dtype=np.float64)

    def shift(self, x: Points, y: Points, yaw: float, pitch: float) -> tuple[Points, Points]:
        """How far portrait points move (dx, dy) when the head turns by `yaw`, `pitch` degrees."""
        a, b = math.radians(yaw), math.radians(pitch)
        z, w = self.height(x, y), self.weight(x, y)
        cx, cy = self.centre
        dx = w * ((x - cx) * (math.cos(a) - 1.0) + z * math.sin(a))
        dy = w * ((y - cy) * (math.cos(b) - 1.0) + z * math.sin(b))
        return dx, dy

    def place(self, points: npt.ArrayLike, yaw: float, pitch: float) -> Points:
        """`(N, 2)` portrait points, moved as the turned head moves them."""
        pts = np.asarray(points, dtype=np.float64)
        dx, dy = self.shift(pts[..., 0], pts[..., 1], yaw, pitch)
        return np.stack([pts[..., 0] + dx, pts[..., 1] + dy], axis=-1)

    def source_of(
        self, u: Points, v: Points, yaw: float, pitch: float, steps: int = 10
    ) -> tuple[Points, Points]:
        """The portrait points that `place` moves to `(u, v)`: solves `p + shift(p) = (u, v)`
        by fixed-point iteration from `p = (u, v)`. Only points on the head are solved: points
        with `w` < `STILL_WEIGHT` stay where they are, which makes a frame's solve several
        times cheaper."""
        u, v = np.asarray(u, dtype=np.float64), np.asarray(v, dtype=np.float64)
        x, y = u.copy(), v.copy()
        on = self.weight(u, v) >= STILL_WEIGHT
        hu, hv = u[on], v[on]
        hx, hy = hu, hv
        for _ in range(steps):
            dx, dy = self.shift(hx, hy, yaw, pitch)
            hx, hy = hu - dx, hv - dy
        x[on], y[on] = hx, hy
        return x, y
