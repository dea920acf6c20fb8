"""Prop descriptions and placement, with hand-computed numbers; the shipped props all load."""

import json
import math
from pathlib import Path

import numpy as np
import pytest

from fkd_live.core import apply_transform
from fkd_live.core.props import PropError, load_prop, load_props, parse_prop, placement

FACE = np.array([[100.0, 100.0], [140.0, 100.0], [120.0, 125.0], [104.0, 145.0], [136.0, 145.0]])


def glasses(anchors=None):
    raw = {
        "name": "G",
        "image": "g.png",
        "anchors": anchors or {"lefteye": [10, 20], "righteye": [30, 20]},
    }
    return parse_prop(raw, Path("/props"))


def test_two_eye_anchors_land_exactly_on_the_eyes():
    prop = glasses()
    m = placement(prop, FACE)
    # Anchors 20 px apart onto eyes 40 px apart: scale 2, no rotation, (10, 20) -> (100, 100).
    np.testing.assert_allclose(m, [[2.0, 0.0, 80.0], [0.0, 2.0, 60.0]], atol=1e-9)
    np.testing.assert_allclose(apply_transform(m, prop.anchor_array), FACE[:2], atol=1e-9)


def test_a_rolled_face_rolls_the_prop():
    prop = glasses()
    eyes = np.array([[100.0, 100.0], [100.0, 140.0]])  # the eye line turned 90 degrees
    face = FACE.copy()
    face[:2] = eyes
    m = placement(prop, face)
    np.testing.assert_allclose(m[:, :2], [[0.0, -2.0], [2.0, 0.0]], atol=1e-9)
    np.testing.assert_allclose(apply_transform(m, prop.anchor_array), eyes, atol=1e-9)


def test_yaw_stretches_eye_anchored_props_vertically_about_the_eye_line():
    prop = glasses()
    m = placement(prop, FACE, yaw_deg=60.0)  # 1 / cos 60 = 2
    np.testing.assert_allclose(m, [[2.0, 0.0, 80.0], [0.0, 4.0, 20.0]], atol=1e-9)
    np.testing.assert_allclose(apply_transform(m, prop.anchor_array), FACE[:2], atol=1e-9)
    capped = placement(prop, FACE, yaw_deg=-85.0)
    np.testing.assert_allclose(capped, m, atol=1e-9)  # capped at 60 degrees, either side


def test_props_anchored_off_one_line_are_not_stretched():
    prop = glasses({"nose": [0, 0], "leftmouth": [-8, 10], "rightmouth": [8, 10]})
    np.testing.assert_allclose(placement(prop, FACE, 45.0), placement(prop, FACE), atol=1e-12)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ([], "JSON object"),
        ({"image": "a.png", "anchors": {}}, "'name'"),
        ({"name": "x", "anchors": {}}, "'image'"),
        ({"name": "x", "image": "a.png", "anchors": {"nose": [1, 2]}}, "at least two"),
        (
            {"name": "x", "image": "a.png", "anchors": {"nose": [1, 2], "ear": [3, 4]}},
            "unknown keypoint 'ear'",
        ),
        (
            {"name": "x", "image": "a.png", "anchors": {"nose": [1, 2], "lefteye": [3]}},
            "'lefteye' must be",
        ),
        (
            {"name": "x", "image": "a.png", "anchors": {"nose": [1, 2], "lefteye": [1, 2]}},
            "same point",
        ),
    ],
)
def test_bad_descriptions_are_refused_with_a_reason(raw, message):
    with pytest.raises(PropError, match=message):
        parse_prop(raw, Path("."))


def test_load_prop_needs_the_image_beside_it(tmp_path):
    desc = tmp_path / "hat.json"
    desc.write_text(
        json.dumps(
            {"name": "Hat", "image": "hat.png", "anchors": {"lefteye": [0, 0], "righteye": [1, 0]}}
        )
    )
    with pytest.raises(PropError, match=r"hat\.png not found"):
        load_prop(desc)
    (tmp_path / "hat.png").write_bytes(b"png")
    assert load_prop(desc).source == desc
    desc.write_text("{not json")
    with pytest.raises(PropError, match="cannot read"):
        load_prop(desc)


def test_shipped_props_load_and_cover_the_issue_list():
    from fkd_live.ui.props import shipped_props_folder

    props = load_props(shipped_props_folder())
    names = {p.source.stem for p in props}
    assert {"glasses", "top_hat", "moustache", "crown"} <= names
    assert len(props) >= 4
    for prop in props:
        assert prop.image.is_file()


def test_every_shipped_prop_lands_near_the_face():
    """Each prop's centre is placed within three eye distances of the face centre (hats sit
    highest: about 2.5), so a prop with broken anchors cannot ship."""
    import cv2

    from fkd_live.ui.props import shipped_props_folder

    for prop in load_props(shipped_props_folder()):
        h, w = cv2.imread(str(prop.image), cv2.IMREAD_UNCHANGED).shape[:2]
        centre = apply_transform(placement(prop, FACE), [[w / 2, h / 2]])[0]
        distance = np.linalg.norm(centre - FACE.mean(axis=0)) / 40.0
        assert distance < 3.0, (prop.name, distance)
        assert math.isfinite(distance)
