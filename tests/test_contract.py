"""The model contract: template, crop matrices, pre/post-processing and its JSON form."""

import json

import numpy as np
import pytest

from fkd_live.core import (
    CELEBA_TEMPLATE,
    ContractError,
    DegenerateTransformError,
    ModelSpec,
    apply_transform,
    crop_from_box,
    crop_from_eyes,
    crop_from_points,
    decode_output,
    encode_target,
    preprocess,
)

SPEC = ModelSpec()  # 80x80 input showing CelebA's square (29, 68, side 120): scale 2/3.
S = 80.0 / 120.0


def test_template_values_are_celebas_means():
    assert CELEBA_TEMPLATE[0] == (69.4, 111.2)
    assert CELEBA_TEMPLATE[1] == (107.7, 111.2)
    assert CELEBA_TEMPLATE[2] == (87.9, 135.1)
    assert CELEBA_TEMPLATE[3] == (71.2, 152.1)
    assert CELEBA_TEMPLATE[4] == (105.6, 152.2)


def test_template_in_input_pixels():
    t = SPEC.template_in_input()
    # ((69.4 - 29) * 2/3, (111.2 - 68) * 2/3) = (26.9333.., 28.8)
    np.testing.assert_allclose(t[0], [40.4 * S, 43.2 * S])
    np.testing.assert_allclose(t[2], [58.9 * S, 67.1 * S])
    np.testing.assert_allclose(SPEC.celeba_to_input(), [[S, 0, -29 * S], [0, S, -68 * S]])


def test_an_aligned_picture_of_half_size_maps_as_the_celeba_frame_scaled_by_two():
    # faces5's CelebA pictures are 89x109, half of CelebA's 178x218 frame: picture pixel x is
    # frame pixel 2x + 0.5 (pixel centres, `resize_matrix`), then the frame's crop (29, 68,
    # side 120) scales by S: x_in = S (2x + 0.5 - 29).
    np.testing.assert_allclose(
        SPEC.aligned_to_input((89, 109)), [[2 * S, 0, -28.5 * S], [0, 2 * S, -67.5 * S]]
    )
    np.testing.assert_allclose(SPEC.aligned_to_input((178, 218)), SPEC.celeba_to_input())


def test_template_maps_onto_itself():
    # The CelebA-frame template aligned by all five points, or by the eyes alone, is exactly the
    # crop of CelebA's frame: aligned images need no further alignment.
    expected = SPEC.celeba_to_input()
    np.testing.assert_allclose(crop_from_points(CELEBA_TEMPLATE, SPEC), expected, atol=1e-12)
    np.testing.assert_allclose(
        crop_from_eyes(CELEBA_TEMPLATE[0], CELEBA_TEMPLATE[1], SPEC), expected, atol=1e-12
    )


def test_eye_alignment_of_a_rotated_scaled_face():
    # A face twice CelebA size, rotated by 90 degrees: eyes (300, 100) and (300, 176.6).
    le, re = np.array([300.0, 100.0]), np.array([300.0, 176.6])
    m = crop_from_eyes(le, re, SPEC)
    t = SPEC.template_in_input()
    np.testing.assert_allclose(apply_transform(m, np.stack([le, re])), t[:2], atol=1e-9)
    # scale: template eye distance 38.3 * 2/3 over image eye distance 76.6
    np.testing.assert_allclose(np.linalg.det(m[:, :2]) ** 0.5, 38.3 * S / 76.6)


def test_coincident_eyes_rejected():
    with pytest.raises(DegenerateTransformError):
        crop_from_eyes([10.0, 10.0], [10.0, 10.0], SPEC)
    with pytest.raises(ValueError, match=r"\(2, 2\) eyes or \(5, 2\)"):
        crop_from_points(np.zeros((3, 2)), SPEC)


def test_box_framing():
    # Box 60x40 at (100, 50): square side 1.2 * 60 = 72 centred on (130, 70), into 80x80.
    m = crop_from_box((100, 50, 60, 40), SPEC)
    k = 80.0 / 72.0
    np.testing.assert_allclose(m, [[k, 0, 40 - 130 * k], [0, k, 40 - 70 * k]])
    np.testing.assert_allclose(apply_transform(m, [130.0, 70.0]), [40.0, 40.0])
    shifted = crop_from_box((100, 50, 60, 40), SPEC.with_changes(box_shift_y=0.25))
    np.testing.assert_allclose(apply_transform(shifted, [130.0, 80.0]), [40.0, 40.0])
    with pytest.raises(ValueError, match="positive width"):
        crop_from_box((0, 0, 0, 10), SPEC)


def test_preprocess_normalises_and_transposes():
    crops = np.zeros((2, 80, 80, 3), dtype=np.uint8)
    crops[0, 0, 0] = (255, 0, 51)
    x = preprocess(crops, SPEC)
    assert x.shape == (2, 3, 80, 80)
    assert x.dtype == np.float32
    # (255/255 - 0.5)/0.25 = 2, (0 - 0.5)/0.25 = -2, (0.2 - 0.5)/0.25 = -1.2
    np.testing.assert_allclose(x[0, :, 0, 0], [2.0, -2.0, -1.2], atol=1e-6)
    gray = SPEC.with_changes(color="GRAY", mean=(0.5,), std=(0.5,))
    g = preprocess(crops, gray)
    assert g.shape == (2, 1, 80, 80)
    # luma = 0.299 * 1 + 0.114 * 0.2 = 0.3218; (0.3218 - 0.5) / 0.5
    np.testing.assert_allclose(g[0, 0, 0, 0], (0.3218 - 0.5) / 0.5, atol=1e-6)
    with pytest.raises(ValueError, match="crops must be"):
        preprocess(np.zeros((1, 64, 64, 3), dtype=np.uint8), SPEC)


def test_decode_and_encode_are_inverse():
    raw = np.array([[0.5, 0.25, 1.0, 0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6]])
    pts = decode_output(raw, SPEC)
    assert pts.shape == (1, 5, 2)
    np.testing.assert_allclose(pts[0, 0], [40.0, 20.0])
    np.testing.assert_allclose(pts[0, 1], [80.0, 0.0])
    np.testing.assert_allclose(encode_target(pts, SPEC), raw, atol=1e-7)
    with pytest.raises(ValueError, match=r"\(N, 10\)"):
        decode_output(np.zeros((1, 8)), SPEC)


def test_json_round_trip_and_validation():
    spec = SPEC.with_changes(input_width=96, input_height=96, extra=(("arch", "mobile"),))
    again = ModelSpec.from_json(spec.to_json())
    assert again == spec
    raw = json.loads(spec.to_json())
    raw["contract_version"] = 99
    with pytest.raises(ContractError, match="version 99"):
        ModelSpec.from_json(json.dumps(raw))
    raw = json.loads(spec.to_json())
    raw["surprise"] = 1
    with pytest.raises(ContractError, match="unknown fields: surprise"):
        ModelSpec.from_json(json.dumps(raw))
    with pytest.raises(ContractError, match="not valid JSON"):
        ModelSpec.from_json("{nope")
    with pytest.raises(ContractError, match="keypoint_order"):
        ModelSpec(keypoint_order=("nose", "lefteye", "righteye", "leftmouth", "rightmouth"))
    with pytest.raises(ContractError, match="color"):
        ModelSpec(color="BGR")


def test_the_readable_score_output_is_optional_and_named_apart():
    assert ModelSpec().score_name == ""  # older files, without the field, load as "no score"
    old = json.loads(ModelSpec().to_json())
    del old["score_name"]
    assert ModelSpec.from_dict(old).score_name == ""
    scored = ModelSpec(score_name="score")
    assert ModelSpec.from_json(scored.to_json()) == scored
    with pytest.raises(ContractError, match="score_name 'keypoints' must differ"):
        ModelSpec(score_name="keypoints")
