"""The honesty benchmark's scoring and the hard clip's placement, with hand-made numbers."""

import numpy as np
import pytest

from benchmarks.honesty import readable, score
from benchmarks.impossible import STEPS, placement

# Eyes 40 px apart in a 640x480 frame.
T = np.array([[300.0, 200.0], [340.0, 200.0], [320.0, 225.0], [305.0, 250.0], [335.0, 250.0]])


def moved(dx: float, dy: float) -> np.ndarray:
    out: np.ndarray = T + np.array([dx, dy])
    return out


def test_a_frame_is_readable_while_all_five_points_are_inside():
    assert readable(T)
    assert not readable(moved(310.0, 0.0))  # the right eye at x = 650
    assert not readable(moved(0.0, -201.0))  # the eyes above the top edge


def test_score_counts_reported_right_unreadable_and_wrong_faces():
    out = moved(400.0, 0.0)  # all five points past the right edge (x >= 700)
    half = moved(310.0, 0.0)  # partly out
    answers = [
        [moved(2.0, 0.0)],  # readable, NME 5%: right
        [moved(6.0, 0.0)],  # readable, NME 15%: reported, neither right nor wrong
        [moved(12.0, 0.0)],  # readable, NME 30%: wrong
        [],  # readable, missed
        [half],  # partly out, reported (right where it is): reported unreadable
        [out],  # the whole face has left: reported unreadable and wrong
        [],  # left and not reported
    ]
    truth = [T, T, T, T, half, out, out]
    assert score(answers, truth) == [4, 3, 1, 2, 2, 0]
    # The nearest of several answers is scored; one 2.5 eye distances off is another face.
    assert score([[moved(100.0, 0.0), T]], [T]) == [1, 1, 1, 0, 0, 0]
    assert score([[moved(100.0, 0.0)]], [T]) == [1, 0, 0, 0, 0, 1]


def test_a_picture_slides_out_three_quarters_and_back():
    # A 300x200 (h x w) picture is scaled to 0.9 of the frame's height: 432 px, 288 wide.
    scale, x0, y0 = placement((300, 200, 3), 0)
    assert (scale, x0, y0) == (pytest.approx(1.44), 176.0, 24.0)
    _, x_mid, _ = placement((300, 200, 3), (STEPS - 1) // 2)
    _, x_end, _ = placement((300, 200, 3), STEPS - 1)
    assert x_end == x0
    # Halfway the picture's left edge has moved by about half the frame and a quarter of
    # itself (320 + 72 px): three quarters of it are out of the frame's right side.
    assert x_mid == pytest.approx(176.0 + (1 - 1 / 47) * 392.0)
