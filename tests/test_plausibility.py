"""The impossible-face rule, on hand-made shapes (eye distance 40 px)."""

import numpy as np
import pytest

from fkd_live.core.plausibility import plausible, shape_problem

# Upright face: eyes at y=100, nose between, mouth 40 px (1.0 IOD) lower, 24 px (0.6 IOD) wide.
UPRIGHT = np.array([[80, 100], [120, 100], [100, 120], [88, 140], [112, 140]], dtype=np.float64)


def rotated(points: np.ndarray, degrees: float) -> np.ndarray:
    a = np.radians(degrees)
    r = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    turned: np.ndarray = (points - 100.0) @ r.T + 100.0
    return turned


def test_an_upright_face_and_its_rotations_are_plausible():
    assert shape_problem(UPRIGHT) is None
    for degrees in (-90.0, 45.0, 170.0):  # roll changes nothing: the rule uses the face's axes
        assert plausible(rotated(UPRIGHT, degrees))


def test_crossed_mouth_corners():
    crossed = UPRIGHT[[0, 1, 2, 4, 3]]
    assert shape_problem(crossed) == "the mouth corners are crossed"


@pytest.mark.parametrize(
    ("mouth_y", "message"),
    [
        (60.0, "the mouth is -1.00 eye distances below the eyes"),  # above the eyes
        (118.0, "the mouth is 0.45 eye distances below the eyes"),
        (181.0, "the mouth is 2.02 eye distances below the eyes"),
    ],
)
def test_mouth_height_outside_half_to_two_eye_distances(mouth_y, message):
    face = UPRIGHT.copy()
    face[3:, 1] = mouth_y
    assert shape_problem(face) == message


def test_the_bounds_themselves_are_allowed():
    face = UPRIGHT.copy()
    face[3:, 1] = 120.0  # exactly 0.5 IOD below
    assert plausible(face)
    face[3:, 1] = 180.0  # exactly 2.0
    assert plausible(face)
    face[3], face[4] = [94.0, 140.0], [106.0, 140.0]  # exactly 0.3 IOD wide
    assert plausible(face)


@pytest.mark.parametrize(
    ("half_width", "message"),
    [(5.0, "the mouth is 0.25 eye distances wide"), (33.0, "the mouth is 1.65 eye distances wide")],
)
def test_mouth_width_outside_0_3_to_1_6_eye_distances(half_width, message):
    face = UPRIGHT.copy()
    face[3, 0], face[4, 0] = 100.0 - half_width, 100.0 + half_width
    assert shape_problem(face) == message


def test_coincident_eyes():
    face = UPRIGHT.copy()
    face[1] = face[0]
    assert shape_problem(face) == "the eyes coincide"
