"""Label conventions: measuring each source's offsets, moving its labels (train/conventions.py)."""

import numpy as np
import pytest

from fkd_live.adapters.runtime import KeypointModel
from fkd_live.core.geometry import apply_transform, resize_matrix
from train.conventions import format_offsets, measure_offsets, move_labels, parse_offsets
from train.data import FaceSample

KNOWN = ("celeba", "mtfl", "lfw", "helen_afw")


def test_offsets_parse_to_five_points_and_back():
    items = ("helen_afw=-1.24,-0.90,-1.18,-1.07,-1.88,0.41,-1.12,-0.92,-1.56,-0.77",)
    offsets = parse_offsets(items, KNOWN)
    assert offsets["helen_afw"].shape == (5, 2)
    assert offsets["helen_afw"][2] == pytest.approx([-1.88, 0.41])  # the nose, x then y
    assert tuple(format_offsets({"celeba": np.zeros((5, 2)), **offsets})) == items


@pytest.mark.parametrize(
    ("item", "says"),
    [
        ("kaggle=" + ",".join(["0"] * 10), "names no known source"),
        ("mtfl=1,2,3", "must be SOURCE=x,y for each of five points"),
        ("mtfl=" + ",".join(["a"] * 10), "must be SOURCE=x,y for each of five points"),
        ("mtfl=" + ",".join(["nan"] * 10), "must be SOURCE=x,y for each of five points"),
    ],
)
def test_bad_offsets_say_what_is_wrong(item, says):
    with pytest.raises(ValueError, match=says):
        parse_offsets((item,), KNOWN)


def test_only_the_named_sources_labels_move():
    points = np.arange(10, dtype=np.float64).reshape(5, 2)
    image = np.zeros((10, 10), np.uint8)
    samples = [FaceSample(image, points, "mtfl", "a"), FaceSample(image, points, "celeba", "b")]
    moved = move_labels(samples, {"mtfl": np.full((5, 2), 0.5)})
    assert moved[0].points == pytest.approx(points + 0.5)
    assert moved[1] is samples[1]
    assert samples[0].points == pytest.approx(points)  # the originals are left as they were


def test_a_source_whose_nose_is_labelled_one_pixel_right_is_moved_one_pixel_left(
    template_model,
):
    # The template model answers the same place on every crop, so every residual is the
    # labels' doing: CelebA's labels are the template (its answers' own bias is measured
    # there), and Helen/AFW's are the template at 0.8 scale with the nose 1 px to the right.
    model = KeypointModel(template_model, device="cpu")
    template = np.asarray(model.spec.template, dtype=np.float64)
    celeba = apply_transform(resize_matrix((178, 218), (89, 109)), template)
    helen = template * 0.8 + (10.0, 5.0)
    helen[2, 0] += 1.0
    samples = [
        FaceSample(np.zeros((109, 89, 3), np.uint8), celeba, "celeba", "c"),
        FaceSample(np.zeros((200, 160, 3), np.uint8), helen, "helen_afw", "h"),
    ]
    offsets = measure_offsets(model, samples)
    assert offsets["celeba"] == pytest.approx(np.zeros((5, 2)), abs=1e-9)
    expected = np.zeros((5, 2))
    expected[2, 0] = -1.0
    assert offsets["helen_afw"] == pytest.approx(expected, abs=1e-4)


def test_offsets_need_the_reference_source(template_model):
    model = KeypointModel(template_model, device="cpu")
    sample = FaceSample(np.zeros((80, 80, 3), np.uint8), np.zeros((5, 2)), "mtfl", "m")
    with pytest.raises(ValueError, match="no celeba faces"):
        measure_offsets(model, [sample])


def test_the_command_without_celeba_is_one_line_and_exit_2(template_model, tmp_path, capsys):
    from train.__main__ import main as train_main

    assert train_main(["conventions", str(template_model), "--data", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err == "error: no celeba faces: the offsets are measured against its labels\n"
