"""Training and evaluation crops: the face framed as the app frames it, keypoints moved with pixels.

Two framings, as the app produces them: "eyes" (aligned onto the template from eye positions that
carry a detector's or tracker's error) and "box" (an unrotated square around a face box, as a
detector or a dataset's own crop gives). Geometric jitter is one similarity composed onto the
framing matrix, so the crop is cut with a single warp and the keypoints move exactly with it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import cv2
import numpy as np
import numpy.typing as npt

from fkd_live.adapters.imaging import warp_crop
from fkd_live.core import (
    ModelSpec,
    apply_transform,
    compose_transforms,
    crop_from_box,
    crop_from_points,
    flip_keypoints_horizontally,
    similarity_matrix,
)

from .data import FaceSample

FRAMINGS = ("eyes", "box", "celeba")

# The framings each source is judged in: CelebA as published (aligned), MTFL by its own crop as
# the box, and every source from its labelled eyes (the app's tracking framing) and by a box.
SOURCE_FRAMINGS: dict[str, tuple[str, ...]] = {
    "celeba": ("celeba", "eyes"),
    "mtfl": ("box", "eyes"),
    "lfw": ("eyes", "box"),
    "helen_afw": ("eyes", "box"),
}


def main_framing(sample: FaceSample) -> str:
    """The framing a sample is validated in: its source's first, else its own box or eyes."""
    if sample.source in SOURCE_FRAMINGS:
        return SOURCE_FRAMINGS[sample.source][0]
    return "box" if sample.box is not None else "eyes"


@dataclass(frozen=True)
class AugmentConfig:
    box_prob: float = 0.5  # share of crops framed from a box rather than from the eyes
    eye_noise: float = 0.05  # std of eye position error, fraction of the inter-ocular distance
    rotate_deg: float = 12.0  # extra rotation (std of a clipped normal)
    box_rotate_deg: float = 20.0
    scale: float = 0.08  # std of log-scale jitter
    shift: float = 0.05  # std of shift, fraction of the input size
    flip_prob: float = 0.5
    to_gray_prob: float = 0.2
    brightness: float = 30.0
    contrast: float = 0.3
    blur_prob: float = 0.2
    noise_prob: float = 0.3

    def calmed(self, factor: float) -> AugmentConfig:
        """The same with the eye-position noise and the geometric jitter (rotations, scale,
        shift) times `factor`; the simulated detector box errors, photometric changes, flips
        and the box share stay as they are."""
        return replace(
            self,
            eye_noise=self.eye_noise * factor,
            rotate_deg=self.rotate_deg * factor,
            box_rotate_deg=self.box_rotate_deg * factor,
            scale=self.scale * factor,
            shift=self.shift * factor,
        )


def synthetic_box(points: npt.NDArray[np.float64]) -> tuple[float, float, float, float]:
    """A detector-like square face box from five keypoints: centred on their centroid, with a
    side of 3.4 times their RMS spread (about 2.6 inter-ocular distances on a frontal face)."""
    centre = points.mean(axis=0)
    spread = float(np.sqrt(np.mean(np.sum((points - centre) ** 2, axis=1))))
    side = 3.4 * spread
    return (centre[0] - side / 2, centre[1] - side / 2, side, side)


def framing_matrix(
    sample: FaceSample,
    framing: str,
    spec: ModelSpec,
    rng: np.random.Generator | None = None,
    cfg: AugmentConfig | None = None,
) -> npt.NDArray[np.float64]:
    """Image-to-input matrix for a framing; with `rng`, the framing's own errors are simulated."""
    pts = sample.points
    if framing == "celeba":
        h, w = sample.image.shape[:2]
        return spec.aligned_to_input((w, h))
    if framing == "eyes":
        eyes = pts[:2].copy()
        if rng is not None and cfg is not None:
            iod = float(np.linalg.norm(eyes[1] - eyes[0]))
            eyes += rng.normal(0.0, cfg.eye_noise * max(iod, 1.0), size=(2, 2))
            if np.linalg.norm(eyes[1] - eyes[0]) < 1e-3:
                eyes = pts[:2]
        return crop_from_points(eyes, spec)
    if framing == "box":
        box = sample.box if sample.box is not None else synthetic_box(pts)
        if rng is not None and sample.box is None:
            x, y, w, h = box
            s = float(np.exp(rng.normal(0.0, 0.1)))
            cx = x + w / 2 + rng.normal(0.0, 0.05) * w
            cy = y + h / 2 + rng.normal(0.0, 0.05) * h
            box = (cx - s * w / 2, cy - s * h / 2, s * w, s * h)
        return crop_from_box(box, spec)
    raise ValueError(f"framing must be one of {FRAMINGS}, got {framing!r}")


def about_centre(
    spec: ModelSpec, scale: float, angle: float, shift: npt.ArrayLike = (0.0, 0.0)
) -> npt.NDArray[np.float64]:
    """A similarity (scale, angle radians) about the input's centre, then a shift (input px)."""
    c = np.array([spec.input_width / 2, spec.input_height / 2])
    m = similarity_matrix(scale, angle, 0.0, 0.0)
    m[:, 2] = c - m[:, :2] @ c + np.asarray(shift, np.float64)
    return m


def _jitter(
    spec: ModelSpec, rng: np.random.Generator, rot_deg: float, cfg: AugmentConfig
) -> npt.NDArray[np.float64]:
    """A random similarity about the input's centre."""
    angle = np.deg2rad(float(np.clip(rng.normal(0.0, rot_deg), -2.5 * rot_deg, 2.5 * rot_deg)))
    scale = float(np.exp(np.clip(rng.normal(0.0, cfg.scale), -0.3, 0.3)))
    shift = rng.normal(0.0, cfg.shift, size=2) * (spec.input_width, spec.input_height)
    return about_centre(spec, scale, float(angle), shift)


def _photometric(
    img: npt.NDArray[np.float32], rng: np.random.Generator, cfg: AugmentConfig
) -> npt.NDArray[np.float32]:
    alpha = 1.0 + rng.uniform(-cfg.contrast, cfg.contrast)
    beta = rng.uniform(-cfg.brightness, cfg.brightness)
    img = (img - 128.0) * alpha + 128.0 + beta
    if rng.random() < cfg.blur_prob:
        img = np.asarray(cv2.GaussianBlur(img, (0, 0), float(rng.uniform(0.5, 1.4))), np.float32)
    if rng.random() < cfg.noise_prob:
        img = img + rng.normal(0.0, rng.uniform(2.0, 8.0), size=img.shape).astype(np.float32)
    return img


def make_crop(
    sample: FaceSample,
    spec: ModelSpec,
    framing: str,
    rng: np.random.Generator | None = None,
    cfg: AugmentConfig | None = None,
) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.float64]]:
    """The model-input crop `(H, W, 3) uint8` RGB and its keypoints `(5, 2)` in input pixels.

    Without `rng` the crop is deterministic (evaluation); with it, augmented.
    """
    m = framing_matrix(sample, framing, spec, rng, cfg)
    if rng is not None and cfg is not None:
        rot = cfg.box_rotate_deg if framing == "box" else cfg.rotate_deg
        m = compose_transforms(_jitter(spec, rng, rot, cfg), m)
    crop = warp_crop(sample.image, m, spec)
    pts = apply_transform(m, sample.points)
    if crop.ndim == 2:
        crop = np.repeat(crop[:, :, None], 3, axis=2)
    if rng is None or cfg is None:
        return crop, pts
    img = crop.astype(np.float32)
    if sample.image.ndim == 2:
        # Grey source: a random tint teaches the colour path too ("grayscale both ways").
        img *= rng.uniform(0.85, 1.15, size=3).astype(np.float32)
    elif rng.random() < cfg.to_gray_prob:
        img[:] = img @ np.array([0.299, 0.587, 0.114], dtype=np.float32)[:, None]
    img = _photometric(img, rng, cfg)
    out = np.clip(img, 0, 255).astype(np.uint8)
    if rng.random() < cfg.flip_prob:
        out = np.ascontiguousarray(out[:, ::-1])
        pts = flip_keypoints_horizontally(pts, spec.input_width)
    return out, pts
