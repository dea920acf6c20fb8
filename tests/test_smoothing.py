"""One Euro filter, with hand-computed numbers."""

import math
from typing import Any

import numpy as np
import pytest

from fkd_live.core.smoothing import OneEuroConfig, OneEuroFilter, face_speed, smoothing_factor

DT = 1.0 / 30.0
# The paper's filter: each value its own speed, no still band.
PAPER: dict[str, Any] = {"speed": "value", "still_speed": 0.0}
VALUE = OneEuroConfig(min_cutoff=1.0, beta=0.0, **PAPER)


def test_smoothing_factor():
    # cutoff 1 Hz at 30 fps: tau = 1 / (2 pi) = 0.159155, alpha = 1 / 5.774648 = 0.1731707
    assert float(smoothing_factor(1.0, DT)) == pytest.approx(0.1731707, abs=1e-7)
    assert float(smoothing_factor(1e9, DT)) == pytest.approx(1.0)


def test_first_sample_passes_and_a_still_point_stays():
    f = OneEuroFilter(VALUE)
    np.testing.assert_array_equal(f([3.0, 4.0], 0.0), [3.0, 4.0])
    np.testing.assert_array_equal(f([3.0, 4.0], DT), [3.0, 4.0])


def test_a_step_with_beta_zero_is_a_plain_low_pass():
    f = OneEuroFilter(VALUE)
    f(0.0, 0.0)
    a = 0.1731707
    assert float(f(1.0, DT)) == pytest.approx(a, abs=1e-6)
    assert float(f(1.0, 2 * DT)) == pytest.approx(a + a * (1 - a), abs=1e-6)


def test_beta_raises_the_cutoff_with_speed():
    # Step of 1 in one frame: speed 30/s. The speed filter (1 Hz) gives dx = 0.1731707 * 30 =
    # 5.195; with beta = 1 the cutoff is 1 + 5.195 Hz and alpha = 1 / (1 + 30 / (2 pi 6.195)).
    f = OneEuroFilter(OneEuroConfig(min_cutoff=1.0, beta=1.0, d_cutoff=1.0, **PAPER))
    f(0.0, 0.0)
    cutoff = 1.0 + 0.1731707 * 30.0
    expected = 1.0 / (1.0 + 30.0 / (2 * math.pi * cutoff))
    assert float(f(1.0, DT)) == pytest.approx(expected, abs=1e-5)
    assert expected > 0.1731707  # less smoothing than when still


def test_speed_is_measured_in_units_of_scale():
    # The same step seen on a face 10 px across: speed 3 eye distances per second, so with
    # beta = 10 the cutoff is 1 + 10 * 0.1731707 * 3 Hz.
    f = OneEuroFilter(OneEuroConfig(min_cutoff=1.0, beta=10.0, d_cutoff=1.0, **PAPER))
    f(0.0, 0.0, 10.0)
    cutoff = 1.0 + 10.0 * 0.1731707 * 3.0
    expected = 1.0 / (1.0 + 30.0 / (2 * math.pi * cutoff))
    assert float(f(1.0, DT, 10.0)) == pytest.approx(expected, abs=1e-5)


def test_time_going_backwards_restarts():
    f = OneEuroFilter(VALUE)
    f(0.0, 1.0)
    f(10.0, 1.0 + DT)
    np.testing.assert_array_equal(f(5.0, 0.5), 5.0)  # earlier time: restart, pass through
    np.testing.assert_array_equal(f(np.zeros((5, 2)), 0.6), np.zeros((5, 2)))  # shape change


def test_bad_config():
    with pytest.raises(ValueError, match="positive"):
        OneEuroConfig(min_cutoff=0.0)


def test_face_speed_is_the_median_point_speed():
    # Points moving (3, 4) px/s together: 5. One point of five jumping: the others' speed.
    assert face_speed(np.tile([3.0, 4.0], (5, 1))) == pytest.approx(5.0)
    flicker = np.array([[0.0, 1.0], [0.0, 1.0], [60.0, 80.0], [0.0, 1.0], [1.0, 0.0]])
    assert face_speed(flicker) == pytest.approx(1.0)
    assert face_speed(np.array([[0.0, 1.0], [0.0, 2.0], [0.0, 3.0]])) == pytest.approx(2.0)


def test_face_speed_opens_every_point_alike():
    # Three points of five step by 1 px in x in one frame: each one's velocity filtered at
    # d_cutoff 1 Hz is 0.1731707 * 30 = 5.195 px/s, the median 5.195, so every point (the
    # still ones too) gets cutoff 1 + 5.195 Hz; one point stepping alone leaves 1 Hz.
    cutoff = 1.0 + 0.1731707 * 30.0
    fast = 1.0 / (1.0 + 30.0 / (2 * math.pi * cutoff))
    slow = 0.1731707
    for moved, alpha in ((3, fast), (1, slow)):
        f = OneEuroFilter(OneEuroConfig(min_cutoff=1.0, beta=1.0, d_cutoff=1.0, still_speed=0.0))
        f(np.zeros((5, 2)), 0.0)
        step = np.zeros((5, 2))
        step[:moved, 0] = 1.0
        np.testing.assert_allclose(f(step, DT), step * alpha, atol=1e-5)


def test_speeds_under_still_speed_leave_the_cutoff_at_its_minimum():
    # A 0.1 px step on a face 1 px across, filtered speed 0.1731707 * 3 = 0.5195 per second:
    # under a still speed of 0.6 the filter is the plain 1 Hz low pass; with 0.3 the cutoff is
    # 1 + 10 * (0.5195 - 0.3) Hz.
    step = np.array([[0.1, 0.0]] * 5)
    for still, cutoff in ((0.6, 1.0), (0.3, 1.0 + 10.0 * (0.1731707 * 3.0 - 0.3))):
        f = OneEuroFilter(OneEuroConfig(min_cutoff=1.0, beta=10.0, d_cutoff=1.0, still_speed=still))
        f(np.zeros((5, 2)), 0.0)
        alpha = 1.0 / (1.0 + 30.0 / (2 * math.pi * cutoff))
        np.testing.assert_allclose(f(step, DT), step * alpha, atol=1e-6)


def test_face_speed_wants_points():
    with pytest.raises(ValueError, match=r"\(N, 2\) points"):
        OneEuroFilter()(np.zeros(3), 0.0)
    with pytest.raises(ValueError, match="speed must be one of"):
        OneEuroConfig(speed="fast")
    with pytest.raises(ValueError, match="still_speed"):
        OneEuroConfig(still_speed=-1.0)
