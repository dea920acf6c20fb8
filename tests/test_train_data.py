"""train/ loaders on small data the tests write: CelebA scaling, bad rows skipped and counted."""

from pathlib import Path

import cv2
import numpy as np
import pytest

from fkd_live.core import COORDINATE_NAMES, ModelSpec

pytest.importorskip("torch")

from train.augment import AugmentConfig, make_crop
from train.data import FaceSample, read_five_point_csv, split
from train.metrics import face_nme, nme

HEADER = "image_id," + ",".join(COORDINATE_NAMES)


def write_dataset(root: Path, rows: list[str], size=(89, 109)) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    for name in ("a.jpg", "b.jpg", "c.jpg"):
        cv2.imwrite(str(root / name), rng.integers(0, 255, (size[1], size[0], 3), np.uint8))
    (root / "junk.jpg").write_bytes(b"no image here")
    csv_path = root / "labels.csv"
    csv_path.write_text("\n".join([HEADER, *rows]) + "\n")
    return csv_path


def test_celeba_labels_scale_with_the_image(tmp_path):
    row = "a.jpg,69,109,106,113,77,142,73,152,108,154"
    samples, report = read_five_point_csv(
        write_dataset(tmp_path, [row]), "celeba", label_frame=(178, 218)
    )
    assert report.kept == 1
    # Half-size image (89x109): pixel centres stay pixel centres, x' = (x + 0.5) / 2 - 0.5.
    np.testing.assert_allclose(samples[0].points[0], [34.25, 54.25])
    np.testing.assert_allclose(samples[0].points[4], [53.75, 76.75])


def test_bad_rows_are_skipped_and_counted(tmp_path):
    rows = [
        "a.jpg,10,10,20,10,15,15,11,20,19,20",  # good
        "b.jpg,10,nan,20,10,15,15,11,20,19,20",  # NaN
        "missing.jpg,10,10,20,10,15,15,11,20,19,20",  # no such file
        "junk.jpg,10,10,20,10,15,15,11,20,19,20",  # unreadable
        "c.jpg,10,10,200,10,15,15,11,20,19,20",  # a point outside the image
        "c.jpg,10,10,20",  # short row
    ]
    samples, report = read_five_point_csv(write_dataset(tmp_path, rows), "x")
    assert [s.image_id for s in samples] == ["a.jpg"]
    assert report.skipped == {
        "bad or missing coordinates": 2,
        "missing or unreadable image": 2,
        "point outside the image": 1,
    }
    assert "kept 1" in report.summary()


def test_split_is_stable_and_disjoint(tmp_path):
    rows = [f"a.jpg,{10 + i % 3},10,20,10,15,15,11,20,19,20" for i in range(40)]
    samples, _ = read_five_point_csv(write_dataset(tmp_path, rows), "x")
    samples = [s.__class__(s.image, s.points, s.source, f"img{i}") for i, s in enumerate(samples)]
    train1, val1 = split(samples, 0.25)
    _train2, val2 = split(list(reversed(samples)), 0.25)
    assert {s.image_id for s in val1} == {s.image_id for s in val2}
    assert len(train1) + len(val1) == 40
    assert 3 <= len(val1) <= 20


def test_crops_move_keypoints_with_pixels(tmp_path):
    # A picture with a bright dot on each keypoint: after any framing and augmentation the
    # brightest pixel near each returned keypoint must be one of those dots.
    img = np.zeros((120, 100, 3), np.uint8)
    pts = np.array([[35.0, 50.0], [65.0, 50.0], [50.0, 65.0], [38.0, 80.0], [62.0, 80.0]])
    for x, y in pts:
        cv2.circle(img, (int(x), int(y)), 2, (255, 255, 255), -1)
    sample = FaceSample(img, pts, "synthetic", "dots")
    spec = ModelSpec()
    cfg = AugmentConfig(brightness=0, contrast=0, blur_prob=0, noise_prob=0, to_gray_prob=0)
    rng = np.random.default_rng(3)
    for framing in ("eyes", "box", "eyes", "box"):
        crop, moved = make_crop(sample, spec, framing, rng, cfg)
        grey = crop.mean(axis=2)
        for x, y in moved:
            xi, yi = round(x), round(y)
            if 2 <= xi < spec.input_width - 2 and 2 <= yi < spec.input_height - 2:
                assert grey[yi - 1 : yi + 2, xi - 1 : xi + 2].max() > 100


def test_nme_hand_computed():
    truth = np.array([[[0.0, 0.0], [10.0, 0.0], [5.0, 5.0], [2.0, 9.0], [8.0, 9.0]]])
    pred = truth + np.array([[[1.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]]])
    # one point off by 1 px, IOD 10: mean error 0.2 px -> 2 %
    np.testing.assert_allclose(nme(pred, truth), [0.02])
    assert face_nme(pred[0], truth[0]) == pytest.approx(0.02)  # one face, as the benchmarks use


def test_the_mean_interval_is_seeded_and_brackets_the_mean():
    from train.evaluate import mean_interval

    values = np.random.default_rng(3).normal(0.05, 0.01, 400)
    low, high = mean_interval(values)
    assert low < values.mean() < high
    # The standard error is 0.01 / sqrt(400) = 0.0005: the interval is about +-1.96 of it.
    assert high - low == pytest.approx(2 * 1.96 * 0.0005, rel=0.15)
    assert mean_interval(values) == (low, high)


def test_score_measures_by_hand():
    from train.evaluate import score

    truth = np.array([[[0.0, 0.0], [10.0, 0.0], [5.0, 5.0], [2.0, 9.0], [8.0, 9.0]]])
    pred = truth.copy()
    pred[0, 2] += [3.0, 4.0]  # the nose 5 px off
    s = score("m", "src", "eyes", pred, truth)
    assert s.mean == pytest.approx(0.1)  # 5 px / 5 points / IOD 10
    assert s.failure_rate == 0.0  # 10% is not above 10%
    assert s.keypoint_nme == pytest.approx((0.0, 0.0, 0.5, 0.0, 0.0))
    assert s.coordinate_mse == pytest.approx((0, 0, 0, 0, 9, 16, 0, 0, 0, 0))
    assert s.mse == pytest.approx(2.5)
    assert s.mean_ci == pytest.approx((0.1, 0.1))  # one face: every resample is that face
    # RMSE sqrt(2.5) over the mean coordinate (0+0+10+0+5+5+2+9+8+9)/10 = 4.8
    assert s.percent_error == pytest.approx(100 * np.sqrt(2.5) / 4.8)
    assert s.offset == pytest.approx((3.0 / 5, 4.0 / 5))  # one of five points off by (3, 4)


def blob_centre(grey: np.ndarray) -> np.ndarray:
    """Intensity-weighted (x, y) centre of a picture, pixel centres at integers."""
    ys, xs = np.mgrid[: grey.shape[0], : grey.shape[1]]
    w = grey.astype(np.float64)
    return np.array([(xs * w).sum() / w.sum(), (ys * w).sum() / w.sum()])


def test_resized_celeba_copy_frames_its_labels_where_the_full_size_image_does(tmp_path):
    # A smooth blob centred on a labelled point of a 178x218 "CelebA" image, and the same picture
    # at half size (INTER_AREA, as a resized copy is made). Loaded with their labels and cut in
    # the CelebA framing, both crops must show the blob where the keypoint lands. With labels
    # simply halved, the half-size crop's keypoint sat a third of an input pixel off the blob.
    label = np.array([88.0, 120.0])
    ys, xs = np.mgrid[:218, :178]
    full = 255 * np.exp(-((xs - label[0]) ** 2 + (ys - label[1]) ** 2) / (2 * 6.0**2))
    full = np.repeat(full[:, :, None], 3, axis=2).astype(np.uint8)
    half = cv2.resize(full, (89, 109), interpolation=cv2.INTER_AREA)
    row = "x.png," + ",".join(f"{v:g}" for v in np.tile(label, 5))
    spec = ModelSpec()
    expected = label * 80 / 120 - np.array([29.0, 68.0]) * 80 / 120
    for size, picture in (((178, 218), full), ((89, 109), half)):
        root = tmp_path / str(size[0])
        root.mkdir()
        cv2.imwrite(str(root / "x.png"), picture)
        (root / "l.csv").write_text(HEADER + "\n" + row + "\n")
        samples, _ = read_five_point_csv(root / "l.csv", "celeba", label_frame=(178, 218))
        crop, moved = make_crop(samples[0], spec, "celeba")
        np.testing.assert_allclose(moved[2], expected, atol=1e-9)
        np.testing.assert_allclose(blob_centre(crop[:, :, 0]), expected, atol=0.05)


def test_calmed_augmentation_scales_only_the_geometric_jitter():
    calm = AugmentConfig(rotate_deg=10.0).calmed(0.3)
    assert (calm.eye_noise, calm.rotate_deg, calm.box_rotate_deg) == pytest.approx((0.015, 3, 6))
    assert (calm.scale, calm.shift) == pytest.approx((0.024, 0.015))
    base = AugmentConfig()
    assert (calm.box_prob, calm.flip_prob, calm.brightness, calm.noise_prob) == (
        base.box_prob, base.flip_prob, base.brightness, base.noise_prob,
    )  # fmt: skip
    # Calmed to nothing, an eye-framed crop puts the keypoints where the unaugmented crop does
    # (the photometric draws still change the pixels).
    still = AugmentConfig(box_prob=0.0, flip_prob=0.0).calmed(0.0)
    img = np.full((64, 64, 3), 128, np.uint8)
    pts = np.array([[20, 24], [44, 24], [32, 34], [23, 44], [41, 44]], float)
    sample = FaceSample(img, pts, "x", "a.png")
    spec = ModelSpec()
    _, plain = make_crop(sample, spec, "eyes")
    _, calmed = make_crop(sample, spec, "eyes", np.random.default_rng(3), still)
    assert np.allclose(calmed, plain)
