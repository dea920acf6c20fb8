"""The crop warp: plain bilinear down to half scale, area-averaged first when it shrinks more."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from fkd_live.adapters import imaging
from fkd_live.adapters.imaging import warp_crop
from fkd_live.core import ModelSpec, similarity_matrix

SPEC = ModelSpec()  # 80 x 80


@pytest.fixture(autouse=True)
def antialias(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests pin the area-averaged path, off by default for its cost (see imaging)."""
    monkeypatch.setattr(imaging, "MIN_WARP_SCALE", 0.5)


def shrink(scale: float, x: float, y: float) -> np.ndarray:
    """Frame to input: shrink by `scale` about frame (x, y), which lands on the input centre."""
    m = similarity_matrix(scale, 0.0, 0.0, 0.0)
    m[:, 2] = np.array([40.0, 40.0]) - scale * np.array([x, y])
    return m


def test_a_crop_near_the_image_scale_is_plain_bilinear():
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (120, 160, 3), dtype=np.uint8)
    m = similarity_matrix(0.55, 0.2, -5.0, 3.0)  # shrinks by less than 2x
    plain = cv2.warpAffine(image, m, (80, 80), flags=cv2.INTER_LINEAR,
                           borderMode=cv2.BORDER_REPLICATE)  # fmt: skip
    np.testing.assert_array_equal(warp_crop(image, m, SPEC), plain)


def test_a_shrinking_crop_averages_instead_of_aliasing():
    # One-pixel stripes seen at 1/7 scale: averaged over 3.5 pixels, then halved bilinearly,
    # nearly flat grey (std 12.2 measured); sampled, full-contrast stripes (std 127.5).
    image = np.zeros((700, 700, 3), np.uint8)
    image[:, ::2] = 255
    crop = warp_crop(image, shrink(1 / 7, 350.0, 350.0), SPEC).astype(np.float64)
    assert abs(crop.mean() - 127.5) < 3.0
    assert crop.std() < 20.0
    plain = cv2.warpAffine(image, shrink(1 / 7, 350.0, 350.0), (80, 80))
    assert plain.std() > 100.0  # what it replaces


def test_a_shrinking_crop_moves_smoothly_with_its_matrix():
    rng = np.random.default_rng(1)
    image = rng.integers(0, 256, (700, 700, 3), dtype=np.uint8)
    a = warp_crop(image, shrink(1 / 7, 350.0, 350.0), SPEC).astype(np.float64)
    b = warp_crop(image, shrink(1 / 7, 350.5, 350.0), SPEC).astype(np.float64)
    # Half a frame pixel is 1/14 of an input pixel: the averaged crop barely changes (2.5
    # grey levels on this noise), where sampling reads other pixels (42).
    assert np.abs(a - b).mean() < 4.0
    plain = [cv2.warpAffine(image, shrink(1 / 7, x, 350.0), (80, 80)) for x in (350.0, 350.5)]
    assert np.abs(plain[0].astype(np.float64) - plain[1]).mean() > 20.0


def test_a_shrinking_crop_off_the_image_repeats_its_border():
    image = np.full((300, 300, 3), 50, np.uint8)
    image[:, 150:] = 200
    # Centred on the right edge at 1/5 scale: the crop's right half lies beyond the image.
    crop = warp_crop(image, shrink(0.2, 299.5, 150.0), SPEC)
    # Input x maps to frame 299.5 + (x - 40) * 5: the dark half ends at input x 10.1.
    assert (crop[:, 13:] == 200).all()
    assert (crop[:, :8] == 50).all()
    wholly_off = warp_crop(image, shrink(0.2, 2000.0, 150.0), SPEC)
    assert (wholly_off == 200).all()
