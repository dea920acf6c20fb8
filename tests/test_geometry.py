"""Similarity transforms, pinned with hand-computed numbers."""

import math

import numpy as np
import pytest

from fkd_live.core import (
    DegenerateTransformError,
    apply_transform,
    compose_transforms,
    estimate_similarity,
    invert_transform,
    is_invertible,
    resize_matrix,
    similarity_matrix,
    transform_scale,
)

SQUARE = np.array([[0.0, 0.0], [4.0, 0.0], [4.0, 2.0], [0.0, 2.0]])


def test_identity():
    m = estimate_similarity(SQUARE, SQUARE)
    np.testing.assert_allclose(m, [[1, 0, 0], [0, 1, 0]], atol=1e-12)


def test_pure_translation():
    m = estimate_similarity(SQUARE, SQUARE + np.array([3.0, -2.0]))
    np.testing.assert_allclose(m, [[1, 0, 3], [0, 1, -2]], atol=1e-12)


def test_pure_scale_about_origin():
    m = estimate_similarity(SQUARE, SQUARE * 2.5)
    np.testing.assert_allclose(m, [[2.5, 0, 0], [0, 2.5, 0]], atol=1e-12)


def test_pure_rotation_by_90_degrees():
    # x right, y down: (1, 0) -> (0, 1), (0, 1) -> (-1, 0).
    src = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]])
    dst = np.array([[0.0, 1.0], [-1.0, 0.0], [0.0, -1.0]])
    m = estimate_similarity(src, dst)
    np.testing.assert_allclose(m, [[0, -1, 0], [1, 0, 0]], atol=1e-12)


def test_two_eyes_fit_exactly():
    # Eyes 20 px apart onto eyes 10 px apart: scale 0.5, then shift (10, 20)*0.5 to the origin.
    m = estimate_similarity([[10.0, 20.0], [30.0, 20.0]], [[0.0, 0.0], [10.0, 0.0]])
    np.testing.assert_allclose(m, [[0.5, 0, -5], [0, 0.5, -10]], atol=1e-12)


def test_combined_transform_recovered_from_noisy_free_points():
    truth = similarity_matrix(1.7, math.radians(-23.0), 12.5, -4.0)
    src = np.array([[3.0, 1.0], [10.0, -2.0], [7.0, 8.0], [-5.0, 4.0], [0.5, 0.5]])
    m = estimate_similarity(src, apply_transform(truth, src))
    np.testing.assert_allclose(m, truth, atol=1e-12)
    assert transform_scale(m) == pytest.approx(1.7)


def test_least_squares_with_inconsistent_points():
    # Three points; the third cannot be matched exactly. The best similarity is the identity
    # shifted by the mean residual, and the residuals sum to zero.
    src = np.array([[0.0, 0.0], [2.0, 0.0], [1.0, 3.0]])
    dst = src + np.array([[0.0, 0.0], [0.0, 0.0], [0.0, 0.3]])
    m = estimate_similarity(src, dst)
    residual = apply_transform(m, src) - dst
    np.testing.assert_allclose(residual.sum(axis=0), [0.0, 0.0], atol=1e-12)
    assert np.abs(residual).max() < 0.3


def test_reflection_is_never_returned():
    mirrored = SQUARE * [-1.0, 1.0]
    m = estimate_similarity(SQUARE, mirrored)
    assert np.linalg.det(m[:, :2]) > 0


def test_round_trips():
    m = similarity_matrix(0.8, math.radians(31.0), -7.0, 2.0)
    inv = invert_transform(m)
    pts = np.array([[1.0, 2.0], [-3.0, 5.5], [100.0, -40.0]])
    np.testing.assert_allclose(apply_transform(inv, apply_transform(m, pts)), pts, atol=1e-12)
    np.testing.assert_allclose(compose_transforms(inv, m), [[1, 0, 0], [0, 1, 0]], atol=1e-12)
    np.testing.assert_allclose(compose_transforms(m, inv), [[1, 0, 0], [0, 1, 0]], atol=1e-12)


def test_compose_applies_inner_first():
    shift = similarity_matrix(1.0, 0.0, 1.0, 0.0)
    double = similarity_matrix(2.0, 0.0, 0.0, 0.0)
    # double(shift(p)): (1, 1) -> (2, 1) -> (4, 2)
    np.testing.assert_allclose(
        apply_transform(compose_transforms(double, shift), [1.0, 1.0]), [4, 2]
    )


def test_apply_keeps_leading_shape():
    m = similarity_matrix(1.0, 0.0, 1.0, 2.0)
    out = apply_transform(m, np.zeros((3, 5, 2)))
    assert out.shape == (3, 5, 2)
    np.testing.assert_allclose(out[2, 4], [1.0, 2.0])


def test_coincident_eyes_are_rejected_clearly():
    with pytest.raises(DegenerateTransformError, match="coincide"):
        estimate_similarity([[5.0, 5.0], [5.0, 5.0]], [[0.0, 0.0], [1.0, 0.0]])


def test_single_point_and_bad_shapes_are_rejected():
    with pytest.raises(DegenerateTransformError):
        estimate_similarity([[1.0, 2.0]], [[3.0, 4.0]])
    with pytest.raises(ValueError, match="differ in shape"):
        estimate_similarity(SQUARE, SQUARE[:3])
    with pytest.raises(ValueError, match="NaN"):
        estimate_similarity([[0.0, np.nan], [1.0, 1.0]], [[0.0, 0.0], [1.0, 0.0]])
    with pytest.raises(ValueError, match="no inverse"):
        invert_transform([[1.0, 2.0, 0.0], [2.0, 4.0, 0.0]])


def test_is_invertible_agrees_with_invert_transform():
    collapsed = [[1.0, 2.0, 0.0], [2.0, 4.0, 0.0]]  # det 1*4 - 2*2 = 0: a line
    assert not is_invertible(collapsed)
    assert is_invertible([[0.0, -2.0, 5.0], [3.0, 0.0, 1.0]])  # det 0*0 - (-2)*3 = 6
    assert is_invertible(np.eye(2, 3))


def test_resize_keeps_pixel_centres_and_edges():
    # Halving a 4x4 image: source pixels 0 and 1 average into destination pixel 0, so the point
    # between their centres (0.5) is that pixel's centre (0); the edges -0.5 and 3.5 stay edges.
    m = resize_matrix((4, 4), (2, 2))
    pts = apply_transform(m, [[0.5, 0.5], [-0.5, 3.5], [2.5, 1.5]])
    np.testing.assert_allclose(pts, [[0.0, 0.0], [-0.5, 1.5], [1.0, 0.5]])
    # CelebA's 178x218 frame onto its 89x109 copy: x' = (x + 0.5) / 2 - 0.5, a quarter pixel
    # less than halving.
    np.testing.assert_allclose(
        apply_transform(resize_matrix((178, 218), (89, 109)), [[69.0, 109.0]]), [[34.25, 54.25]]
    )
    # Round trip, and tripling: x' = 3x + 1.
    back = compose_transforms(resize_matrix((2, 2), (4, 4)), m)
    np.testing.assert_allclose(back, [[1, 0, 0], [0, 1, 0]], atol=1e-12)
    tripled = apply_transform(resize_matrix((1, 1), (3, 3)), [[0.0, 0.0]])
    np.testing.assert_allclose(tripled, [[1.0, 1.0]])
