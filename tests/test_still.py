"""`fkd-live image`: JSON lines and annotated copies of still pictures; --box and --aligned."""

import json

import cv2
import numpy as np
import pytest

from fkd_live.cli import main
from fkd_live.core import apply_transform, resize_matrix
from tests.conftest import SHARED, need

CELEBA = SHARED / "data" / "faces5" / "celeba_half"


def celeba_rows(n):
    """The first n CelebA rows: (file, (5, 2) keypoints in the half-size picture's pixels)."""
    import csv

    root = need(CELEBA)
    with (root / "list_landmarks_align_celeba.csv").open() as f:
        rows = list(csv.reader(f))[1 : n + 1]
    out = []
    for row in rows:
        path = root / "img_align_celeba" / row[0]
        h, w = cv2.imread(str(path)).shape[:2]
        label = np.array(row[1:], float).reshape(5, 2)
        pts = apply_transform(resize_matrix((178, 218), (w, h)), label)
        out.append((path, pts))
    return out


def nme(pred, truth):
    return np.linalg.norm(pred - truth, axis=1).mean() / np.linalg.norm(truth[1] - truth[0])


def run_json(capsys, *argv):
    code = main(["image", *map(str, argv)])
    captured = capsys.readouterr()
    return code, [json.loads(line) for line in captured.out.splitlines()], captured.err


def test_aligned_pictures_go_straight_to_the_model(capsys, shipped_model, tmp_path):
    rows = celeba_rows(5)
    for path, _ in rows:
        (tmp_path / path.name).write_bytes(path.read_bytes())
    code, lines, err = run_json(capsys, tmp_path, "--aligned", "--json", "--model", shipped_model)
    assert code == 0
    assert "5 pictures, a face in 5" in err
    for (path, truth), line in zip(rows, lines, strict=True):
        assert line["image"].endswith(path.name)
        (face,) = line["faces"]
        assert set(face) == {"id", "box", "score", "keypoints", "pose"}
        assert nme(np.array(face["keypoints"]), truth) < 0.15


def test_detected_faces_and_annotated_copies(capsys, shipped_model, detector_model, tmp_path):
    rows = celeba_rows(3)
    pictures = tmp_path / "in"
    pictures.mkdir()
    for path, _ in rows:
        # CelebA crops are tight: give the detector some room around the face.
        img = cv2.imread(str(path))
        cv2.imwrite(
            str(pictures / path.name), cv2.copyMakeBorder(img, 60, 60, 60, 60, cv2.BORDER_REPLICATE)
        )
    out = tmp_path / "out"
    code, lines, _ = run_json(
        capsys, pictures, "-o", out, "--json", "--model", shipped_model,
        "--detector-model", detector_model,
    )  # fmt: skip
    assert code == 0
    for (path, truth), line in zip(rows, lines, strict=True):
        (face,) = line["faces"]
        assert nme(np.array(face["keypoints"]) - 60, truth) < 0.15
        annotated = cv2.imread(str(out / path.name)).astype(int)
        original = cv2.imread(str(pictures / path.name)).astype(int)
        assert annotated.shape == original.shape
        assert (np.abs(annotated - original).max(axis=2) > 60).sum() > 30  # points drawn
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p, _ in rows)


def test_a_given_box_is_used_instead_of_detecting(capsys, template_model, tmp_path):
    picture = tmp_path / "grey.png"
    cv2.imwrite(str(picture), np.full((200, 300, 3), 128, np.uint8))
    out = tmp_path / "annotated.png"
    code, lines, _ = run_json(
        capsys, picture, "--box", "100,50,100,100", "-o", out, "--json", "--model", template_model
    )
    assert code == 0
    (face,) = lines[0]["faces"]
    assert face["box"] == [100.0, 50.0, 100.0, 100.0]
    assert out.is_file()
    # The template model's eyes, framed in a 120 px square around the box centre (150, 100).
    from fkd_live.core import ModelSpec

    spec = ModelSpec()
    expected = spec.template_in_input()[:2] * (120 / 80) + (90, 40)
    np.testing.assert_allclose(face["keypoints"][:2], expected, atol=0.01)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["/no/such/picture.jpg"], "no such picture or folder"),
        (["--box", "1,2,3"], "box must look like x,y,w,h"),
        (["--box", "1,2,0,4"], "must be positive"),
    ],
)
def test_bad_image_arguments_are_one_line(capsys, template_model, tmp_path, argv, message):
    if argv[0] == "--box":
        argv = [str(tmp_path), *argv]
    try:
        code = main(["image", *argv, "--model", str(template_model)])
    except SystemExit as exc:  # argparse's own usage errors
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_an_unreadable_picture_is_reported_and_the_rest_done(capsys, template_model, tmp_path):
    (tmp_path / "bad.jpg").write_bytes(b"not a jpeg")
    cv2.imwrite(str(tmp_path / "good.png"), np.full((64, 64, 3), 90, np.uint8))
    code = main(["image", str(tmp_path), "--aligned", "--model", str(template_model)])
    captured = capsys.readouterr()
    assert code == 2
    assert "fkd-live: error: cannot read picture" in captured.err
    assert len(captured.out.splitlines()) == 1  # good.png still printed
