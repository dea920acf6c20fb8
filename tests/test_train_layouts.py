"""CelebA's published layouts and Kaggle's Facial Keypoints CSV, on files the tests write."""

import cv2
import numpy as np
import pytest

pytest.importorskip("torch")

from fkd_live.core import COORDINATE_NAMES, Keypoint
from train.data import split
from train.layouts import load_celeba, load_kaggle_facial_keypoints


def write_celeba(root, fmt: str, partition: str | None):
    images = root / "img_align_celeba"
    images.mkdir(parents=True)
    for name in ("000001.jpg", "000002.jpg", "000003.jpg"):
        # Resized copy: 89x109, half of the published 178x218.
        cv2.imwrite(str(images / name), np.full((109, 89, 3), 128, np.uint8))
    rows = [
        ("000001.jpg", "69 109 106 113 77 142 73 152 108 154"),
        ("000002.jpg", "70 112 108 112 86 135 72 152 104 152"),
        ("000003.jpg", "70 112 108 112 86 135 72 152 104 152"),
    ]
    if fmt == "txt":
        text = ["3", " ".join(COORDINATE_NAMES)]
        text += [f"{name} {vals}" for name, vals in rows]
        (root / "list_landmarks_align_celeba.txt").write_text("\n".join(text) + "\n")
    else:
        text = ["image_id," + ",".join(COORDINATE_NAMES)]
        text += [f"{name},{vals.replace(' ', ',')}" for name, vals in rows]
        (root / "list_landmarks_align_celeba.csv").write_text("\n".join(text) + "\n")
    if partition == "txt":
        (root / "list_eval_partition.txt").write_text("000001.jpg 0\n000002.jpg 1\n000003.jpg 2\n")
    elif partition == "csv":
        (root / "list_eval_partition.csv").write_text(
            "image_id,partition\n000001.jpg,0\n000002.jpg,1\n000003.jpg,2\n"
        )


@pytest.mark.parametrize(("fmt", "partition"), [("txt", "txt"), ("csv", "csv"), ("txt", None)])
def test_celeba_layouts(tmp_path, fmt, partition):
    write_celeba(tmp_path / "celeba", fmt, partition)
    samples = load_celeba(tmp_path / "celeba", tmp_path / "scratch")
    assert [s.image_id for s in samples] == ["000001.jpg", "000002.jpg", "000003.jpg"]
    np.testing.assert_allclose(samples[0].points[Keypoint.LEFT_EYE], [34.25, 54.25])
    np.testing.assert_allclose(samples[0].points[Keypoint.RIGHT_MOUTH], [53.75, 76.75])
    if partition:
        assert [s.split for s in samples] == ["train", "val", "test"]
        train, val = split(samples, 0.5)
        assert [s.image_id for s in train] == ["000001.jpg"]
        assert len(val) == 2
    else:
        assert all(s.split is None for s in samples)


def test_celeba_without_labels_is_a_clear_error(tmp_path):
    (tmp_path / "img_align_celeba").mkdir()
    with pytest.raises(ValueError, match="no CelebA landmark file"):
        load_celeba(tmp_path, tmp_path / "scratch")


KAGGLE_HEADER = [
    "left_eye_center_x", "left_eye_center_y", "right_eye_center_x", "right_eye_center_y",
    "left_eye_inner_corner_x", "left_eye_inner_corner_y", "nose_tip_x", "nose_tip_y",
    "mouth_left_corner_x", "mouth_left_corner_y", "mouth_right_corner_x", "mouth_right_corner_y",
    "Image",
]  # fmt: skip


def test_kaggle_converts_subject_left_to_image_left(tmp_path):
    pixels = " ".join(["7"] * 9216)
    rows = [
        # subject's left eye at image-right x=66, right eye at x=30; mouth likewise.
        ["66", "37", "30", "37", "59", "37", "48", "62", "63", "76", "32", "76", pixels],
        ["66", "37", "30", "37", "59", "37", "48", "62", "", "", "32", "76", pixels],  # missing
        ["66", "37", "30", "37", "59", "37", "48", "62", "63", "76", "32", "76", "1 2 3"],  # bad
        ["66", "37", "30", "37", "59", "37", "48", "99", "63", "76", "32", "76", pixels],  # out
    ]
    path = tmp_path / "training.csv"
    path.write_text("\n".join(",".join(r) for r in [KAGGLE_HEADER, *rows]) + "\n")
    samples, report = load_kaggle_facial_keypoints(path)
    assert len(samples) == 1
    np.testing.assert_allclose(
        samples[0].points, [[30, 37], [66, 37], [48, 62], [32, 76], [63, 76]]
    )
    assert samples[0].image.shape == (96, 96)
    assert samples[0].image[0, 0] == 7
    assert report.skipped == {
        "missing one of the five points": 1,
        "bad image data": 1,
        "point outside the image": 1,
    }
