"""Tracking helpers with hand-computed numbers."""

import numpy as np
import pytest

from fkd_live.core import ModelSpec, apply_transform, similarity_matrix
from fkd_live.core.contract import CELEBA_TEMPLATE
from fkd_live.core.tracking import (
    Track,
    bounding_box,
    box_corners,
    box_from_face,
    face_frame,
    iou,
    match_boxes,
    shape_error,
    snap_crop,
)


def test_iou():
    assert iou((0, 0, 10, 10), (0, 0, 10, 10)) == 1.0
    assert iou((0, 0, 10, 10), (5, 0, 10, 10)) == pytest.approx(50 / 150)
    assert iou((0, 0, 10, 10), (20, 20, 5, 5)) == 0.0
    assert iou((0, 0, 0, 0), (0, 0, 0, 0)) == 0.0


def test_match_boxes_is_greedy_best_first_and_one_to_one():
    tracked = [(0, 0, 10, 10), (100, 0, 10, 10)]
    detected = [(101, 0, 10, 10), (1, 0, 10, 10), (300, 0, 10, 10)]
    assert match_boxes(tracked, detected) == [(0, 1), (1, 0)]
    # Two tracks wanting one detection: the better overlap wins it.
    assert match_boxes([(0, 0, 10, 10), (3, 0, 10, 10)], [(2, 0, 10, 10)]) == [(1, 0)]
    assert match_boxes(tracked, [(5, 5, 10, 10)], min_iou=0.3) == []  # IoU 25/175 too low


def test_shape_error_ignores_similarity_and_measures_the_rest():
    template = np.asarray(ModelSpec().template)
    moved = apply_transform(similarity_matrix(2.5, 0.7, 30.0, -12.0), template)
    assert shape_error(moved, template) == pytest.approx(0.0, abs=1e-9)
    bent = template.copy()
    bent[2, 0] += 38.3 * 0.5  # nose moved half the template's eye distance sideways
    # The fit's shift takes a fifth of the move: residuals 0.4 IOD at the nose and 0.1 at the
    # four others, RMS sqrt((0.16 + 4 * 0.01) / 5) = 0.2 (rotation and scale take almost none).
    assert shape_error(bent, template) == pytest.approx(0.2, abs=0.002)
    assert shape_error(np.zeros((5, 2)), template) == float("inf")


def test_boxes_and_corners():
    assert bounding_box([[1, 5], [4, 2], [3, 3]]) == (1.0, 2.0, 3.0, 3.0)
    np.testing.assert_array_equal(box_corners((1, 2, 3, 4)), [[1, 2], [4, 2], [4, 6], [1, 6]])


def test_a_box_held_in_face_coordinates_follows_the_face():
    face = np.asarray(CELEBA_TEMPLATE, dtype=np.float64) * 2 + np.array(
        [10.0, 20.0]
    )  # twice the size, moved
    corners = apply_transform(face_frame(face), box_corners((10, 20, 30, 40)))
    assert np.allclose(corners[0], (0, 0))  # the template's frame starts at the face's offset
    assert np.allclose(corners[2], (15, 20))  # and is half its size
    assert box_from_face(face, corners) == pytest.approx((10, 20, 30, 40))
    moved = face + np.array([5.0, -3.0])
    assert box_from_face(moved, corners) == pytest.approx((15, 17, 30, 40))


def test_track_velocity_and_capped_prediction():
    start = np.asarray(CELEBA_TEMPLATE, dtype=np.float64)
    track = Track(1, start, np.zeros((4, 2)), 0.9, smoother=None)
    assert np.array_equal(track.anchor(5.0), start)  # nothing shown yet: the raw answer
    track.follow(0.0)
    track.keypoints = start + np.array([1.0, 0.0])
    track.follow(0.1)  # 1 px in 0.1 s: 10 px/s to the right
    assert np.allclose(track.velocity, [[10.0, 0.0]] * 5)
    assert np.allclose(track.anchor(0.15), start + np.array([1.5, 0.0]))  # 0.05 s ahead
    assert np.allclose(track.anchor(9.0), start + np.array([2.0, 0.0]))  # at most 0.1 s ahead
    assert np.allclose(track.anchor(0.05), start + np.array([1.0, 0.0]))  # never back in time


def test_snap_crop_puts_the_crop_on_a_grid_of_input_pixels():
    # step 0.25 px in an 80 px input (centre 40, 40): relative step q = 0.25 / 40 = 0.00625.
    centre = (40.0, 40.0)
    m = np.array([[1.0, 0.0, 40.1], [0.0, 1.0, 39.9]])
    # Scale 1 and angle 0 are on the grid; the frame point at the centre, (-0.1, 0.1), snaps
    # to the nearest multiple of 0.25 / 1: (0, 0), so the centre comes from frame (0, 0).
    np.testing.assert_allclose(snap_crop(m, centre, 0.25), [[1, 0, 40], [0, 1, 40]], atol=1e-12)
    # Angle 0.004 rad rounds to one step, 0.00625; scale 2 to exp(111 q) (log 2 / q = 110.9);
    # the centre's frame point (10, 20) moves to the nearest multiple of the cell 0.25 / scale
    # frame pixels, at most half a cell away.
    m = similarity_matrix(2.0, 0.004, 0.0, 0.0)
    m[:, 2] = np.array(centre) - m[:, :2] @ np.array([10.0, 20.0])
    snapped = snap_crop(m, centre, 0.25)
    scale = float(np.exp(111 * 0.00625))
    np.testing.assert_allclose(np.hypot(*snapped[:, 0]), scale, rtol=1e-12)
    assert np.arctan2(snapped[1, 0], snapped[0, 0]) == pytest.approx(0.00625, abs=1e-12)
    inverse = np.linalg.inv(np.vstack([snapped, [0, 0, 1]]))[:2]
    point = inverse[:, :2] @ np.array(centre) + inverse[:, 2]
    cell = 0.25 / scale
    np.testing.assert_allclose(point / cell, np.round(point / cell), atol=1e-9)
    assert np.abs(point - [10.0, 20.0]).max() <= cell / 2 + 1e-12
    # On the grid already: unchanged; step 0: untouched.
    np.testing.assert_allclose(snap_crop(snapped, centre, 0.25), snapped, atol=1e-12)
    assert snap_crop(m, centre, 0.0) is m


def test_nearby_crops_snap_to_the_same_one():
    centre = (40.0, 40.0)
    m = similarity_matrix(0.14, 0.3, 17.0, -3.0)
    nudged = m + np.array([[1e-9, 0.0, 1e-6], [0.0, -1e-9, -1e-6]])
    np.testing.assert_array_equal(snap_crop(m, centre, 0.25), snap_crop(nudged, centre, 0.25))
