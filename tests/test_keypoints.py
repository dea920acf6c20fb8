"""The keypoint order and the image-left convention."""

import numpy as np
import pytest

from fkd_live.core import (
    COORDINATE_NAMES,
    FLIP_PERMUTATION,
    KEYPOINT_NAMES,
    Keypoint,
    flip_keypoints_horizontally,
)


def test_order_matches_celeba_columns():
    assert [k.name for k in Keypoint] == [
        "LEFT_EYE",
        "RIGHT_EYE",
        "NOSE",
        "LEFT_MOUTH",
        "RIGHT_MOUTH",
    ]
    assert KEYPOINT_NAMES == ("lefteye", "righteye", "nose", "leftmouth", "rightmouth")
    assert COORDINATE_NAMES[:3] == ("lefteye_x", "lefteye_y", "righteye_x")
    assert COORDINATE_NAMES[-1] == "rightmouth_y"
    assert len(COORDINATE_NAMES) == 10


def test_flip_swaps_sides_and_mirrors_x():
    pts = np.array([[2.0, 3.0], [7.0, 3.0], [4.5, 5.0], [3.0, 8.0], [6.0, 8.0]])
    # width 10: pixel centres 0..9, x -> 9 - x.
    flipped = flip_keypoints_horizontally(pts, 10)
    np.testing.assert_allclose(
        flipped, [[2.0, 3.0], [7.0, 3.0], [4.5, 5.0], [3.0, 8.0], [6.0, 8.0]]
    )
    pts2 = np.array([[1.0, 0.0], [5.0, 1.0], [3.0, 2.0], [2.0, 3.0], [4.0, 4.0]])
    np.testing.assert_allclose(
        flip_keypoints_horizontally(pts2, 10),
        [[4.0, 1.0], [8.0, 0.0], [6.0, 2.0], [5.0, 4.0], [7.0, 3.0]],
    )
    # The image-left eye of the mirrored face is again the one with the smaller x.
    assert flip_keypoints_horizontally(pts2, 10)[Keypoint.LEFT_EYE, 0] < 8.0
    assert FLIP_PERMUTATION == (1, 0, 2, 4, 3)


def test_flip_twice_is_identity_and_bad_shape_rejected():
    pts = np.random.default_rng(0).uniform(0, 50, size=(4, 5, 2))
    np.testing.assert_allclose(
        flip_keypoints_horizontally(flip_keypoints_horizontally(pts, 64), 64), pts
    )
    with pytest.raises(ValueError, match=r"\(\.\.\., 5, 2\)"):
        flip_keypoints_horizontally(np.zeros((4, 2)), 64)
