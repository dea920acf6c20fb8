"""One Euro filter, with hand-computed numbers."""

import math

import numpy as np
import pytest

from fkd_live.core.smoothing import OneEuroConfig, OneEuroFilter, smoothing_factor

DT = 1.0 / 30.0


def test_smoothing_factor():
    # cutoff 1 Hz at 30 fps: tau = 1 / (2 pi) = 0.159155, alpha = 1 / 5.774648 = 0.1731707
    assert float(smoothing_factor(1.0, DT)) == pytest.approx(0.1731707, abs=1e-7)
    assert float(smoothing_factor(1e9, DT)) == pytest.approx(1.0)


def test_first_sample_passes_and_a_still_point_stays():
    f = OneEuroFilter(OneEuroConfig(min_cutoff=1.0, beta=0.0))
    np.testing.assert_array_equal(f([3.0, 4.0], 0.0), [3.0, 4.0])
    np.testing.assert_array_equal(f([3.0, 4.0], DT), [3.0, 4.0])


def test_a_step_with_beta_zero_is_a_plain_low_pass():
    f = OneEuroFilter(OneEuroConfig(min_cutoff=1.0, beta=0.0))
    f(0.0, 0.0)
    a = 0.1731707
    assert float(f(1.0, DT)) == pytest.approx(a, abs=1e-6)
    assert float(f(1.0, 2 * DT)) == pytest.approx(a + a * (1 - a), abs=1e-6)


def test_beta_raises_the_cutoff_with_speed():
    # Step of 1 in one frame: speed 30/s. The speed filter (1 Hz) gives dx = 0.1731707 * 30 =
    # 5.195; with beta = 1 the cutoff is 1 + 5.195 Hz and alpha = 1 / (1 + 30 / (2 pi 6.195)).
    f = OneEuroFilter(OneEuroConfig(min_cutoff=1.0, beta=1.0, d_cutoff=1.0))
    f(0.0, 0.0)
    cutoff = 1.0 + 0.1731707 * 30.0
    expected = 1.0 / (1.0 + 30.0 / (2 * math.pi * cutoff))
    assert float(f(1.0, DT)) == pytest.approx(expected, abs=1e-5)
    assert expected > 0.1731707  # less smoothing than when still


def test_speed_is_measured_in_units_of_scale():
    # The same step seen on a face 10 px across: speed 3 eye distances per second, so with
    # beta = 10 the cutoff is 1 + 10 * 0.1731707 * 3 Hz.
    f = OneEuroFilter(OneEuroConfig(min_cutoff=1.0, beta=10.0, d_cutoff=1.0))
    f(0.0, 0.0, 10.0)
    cutoff = 1.0 + 10.0 * 0.1731707 * 3.0
    expected = 1.0 / (1.0 + 30.0 / (2 * math.pi * cutoff))
    assert float(f(1.0, DT, 10.0)) == pytest.approx(expected, abs=1e-5)


def test_time_going_backwards_restarts():
    f = OneEuroFilter(OneEuroConfig(min_cutoff=1.0, beta=0.0))
    f(0.0, 1.0)
    f(10.0, 1.0 + DT)
    np.testing.assert_array_equal(f(5.0, 0.5), 5.0)  # earlier time: restart, pass through
    np.testing.assert_array_equal(f(np.zeros((5, 2)), 0.6), np.zeros((5, 2)))  # shape change


def test_bad_config():
    with pytest.raises(ValueError, match="positive"):
        OneEuroConfig(min_cutoff=0.0)
