"""The head relief that lets the demo's flat portrait turn: hand-computed shifts, signs, inverse."""

from dataclasses import replace

import numpy as np
import pytest

from fkd_live.core.relief import HeadRelief

# Eyes 64 px apart: one pixel per millimetre of the 64 mm adult eye distance.
FACE = ((0.0, 0.0), (64.0, 0.0), (32.0, 40.0), (4.0, 70.0), (60.0, 70.0))


@pytest.fixture
def relief() -> HeadRelief:
    return HeadRelief.for_face(FACE)


def test_for_face_sizes_come_from_the_eye_distance(relief):
    assert relief.centre == (32.0, 35.0)  # halfway between the eyes' (32, 0) and mouth's (32, 70)
    assert relief.nose == (32.0, 40.0)
    assert relief.dome == 60.0
    assert relief.dome_size == (70.0, 90.0)
    assert relief.nose_height == 22.0
    assert relief.nose_size == (15.0, 22.0)
    assert relief.nose_rise == 12.0
    assert relief.reach == (95.0, 125.0)
    twice = HeadRelief.for_face(np.asarray(FACE) * 2.0)
    assert twice.dome == 120.0
    assert twice.reach == (190.0, 250.0)


def test_no_turn_moves_nothing(relief):
    x, y = np.array([0.0, 32.0, 500.0]), np.array([0.0, 35.0, -80.0])
    dx, dy = relief.shift(x, y, 0.0, 0.0)
    assert np.all(dx == 0.0)
    assert np.all(dy == 0.0)


def test_shifts_by_hand(relief):
    dome_only = replace(relief, nose_height=0.0)
    # At the centre: w = 1, z = the dome's 60 px, so a 30-degree turn moves it 60 sin 30 = 30.
    dx, dy = dome_only.shift(np.array(32.0), np.array(35.0), 30.0, 0.0)
    assert dx == pytest.approx(30.0)
    assert dy == 0.0
    dx, dy = dome_only.shift(np.array(32.0), np.array(35.0), 0.0, -30.0)
    assert dx == 0.0
    assert dy == pytest.approx(-30.0)
    # 20 px right of the centre: z = 60 exp(-(20/70)^2 / 2) = 57.6003, w = exp(-(20/95)^4)
    # = 0.998038, and at yaw 60: w (20 (cos 60 - 1) + z sin 60) = 39.8051.
    dx, _ = dome_only.shift(np.array(52.0), np.array(35.0), 60.0, 0.0)
    assert dx == pytest.approx(39.8051, abs=1e-4)


def test_signs_follow_the_pose_convention(relief):
    nose = np.array([relief.nose])
    assert relief.place(nose, 20.0, 0.0)[0, 0] > relief.nose[0]  # yaw > 0: towards image right
    assert relief.place(nose, -20.0, 0.0)[0, 0] < relief.nose[0]
    assert relief.place(nose, 0.0, 15.0)[0, 1] > relief.nose[1]  # pitch > 0: down
    # The nose stands out of the face, so it moves further than the eyes do.
    eyes = relief.place(np.array(FACE[:2]), 20.0, 0.0) - np.array(FACE[:2])
    assert (relief.place(nose, 20.0, 0.0) - nose)[0, 0] > eyes[:, 0].max()


def test_background_stays_still(relief):
    dx, dy = relief.shift(np.array([32.0 + 300.0]), np.array([35.0 - 260.0]), 30.0, 10.0)
    assert abs(dx[0]) < 1e-6
    assert abs(dy[0]) < 1e-6


@pytest.mark.parametrize(
    ("yaw", "pitch", "steps", "pixels"),
    [(30.0, 10.0, 10, 0.2), (-30.0, -10.0, 10, 0.2), (30.0, 10.0, 30, 0.01), (45.0, 0.0, 60, 0.01)],
)
def test_source_of_inverts_place(relief, yaw, pitch, steps, pixels):
    """The default 10 steps leave under 0.2 px at the demo's largest turn; more steps, less."""
    u, v = np.meshgrid(np.linspace(-120.0, 180.0, 61), np.linspace(-120.0, 200.0, 65))
    x, y = relief.source_of(u, v, yaw, pitch, steps=steps)
    back = relief.place(np.stack([x, y], axis=-1), yaw, pitch)
    np.testing.assert_allclose(back[..., 0], u, atol=pixels)
    np.testing.assert_allclose(back[..., 1], v, atol=pixels)
