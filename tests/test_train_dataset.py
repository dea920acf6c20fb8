"""Which images an epoch draws when a source is only partly used per epoch."""

import numpy as np
import pytest

from fkd_live.core import ModelSpec
from train.augment import AugmentConfig
from train.data import FaceSample
from train.dataset import CropDataset, epoch_indices, parse_shares

SOURCES = ["a", "b", "b", "a", "b", "b"]  # images 1, 2, 4, 5 are b's


def test_parse_shares():
    assert parse_shares(("lfw=0.3", "mtfl=1"), ("celeba", "lfw", "mtfl")) == {
        "lfw": 0.3,
        "mtfl": 1.0,
    }
    assert parse_shares((), ("lfw",)) == {}


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ("lfw", "must look like SOURCE=FRACTION in (0, 1]"),
        ("lfw=x", "must look like SOURCE=FRACTION in (0, 1]"),
        ("lfw=0", "must look like SOURCE=FRACTION in (0, 1]"),
        ("lfw=1.5", "must look like SOURCE=FRACTION in (0, 1]"),
        ("helen=0.5", "names no known source (celeba, lfw)"),
    ],
)
def test_bad_shares_are_one_clear_error(item, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_shares((item,), ("celeba", "lfw"))


def test_without_shares_every_image_every_epoch():
    for epoch in range(3):
        assert epoch_indices(SOURCES, {}, seed=0, epoch=epoch).tolist() == [0, 1, 2, 3, 4, 5]
    # A share for a source this run does not use changes nothing.
    assert epoch_indices(SOURCES, {"c": 0.5}, seed=0, epoch=1).tolist() == [0, 1, 2, 3, 4, 5]


def test_a_half_share_alternates_two_disjoint_halves():
    """b has four images and keeps round(0.5 * 4) = 2 per epoch: epochs 0 and 1 take the two
    halves of one seeded permutation, epoch 2 starts over. a's images are always there."""
    e0, e1, e2 = (epoch_indices(SOURCES, {"b": 0.5}, 7, e) for e in range(3))
    for e in (e0, e1):
        assert len(e) == 4
        assert {0, 3} <= set(e.tolist())
    b0, b1 = set(e0.tolist()) - {0, 3}, set(e1.tolist()) - {0, 3}
    assert not b0 & b1
    assert b0 | b1 == {1, 2, 4, 5}
    assert e2.tolist() == e0.tolist()
    assert epoch_indices(SOURCES, {"b": 0.5}, 7, 1).tolist() == e1.tolist()  # deterministic


def test_a_window_that_wraps_keeps_use_even():
    """Three of b's four images per epoch: over four epochs each is used exactly three times."""
    counts = np.zeros(6, int)
    for epoch in range(4):
        idx = epoch_indices(SOURCES, {"b": 0.75}, 1, epoch)
        assert len(idx) == 5
        assert len(set(idx.tolist())) == 5
        counts[idx] += 1
    assert counts.tolist() == [4, 3, 3, 4, 3, 3]


def test_the_dataset_serves_the_epochs_images():
    spec = ModelSpec(input_width=32, input_height=32)
    pts = np.array([[10, 12], [22, 12], [16, 17], [11, 23], [21, 23]], float)
    samples = [
        FaceSample(np.full((32, 32, 3), 40 * i, np.uint8), pts, s, f"{i}.png")
        for i, s in enumerate(SOURCES)
    ]
    ds = CropDataset(samples, spec, 7, None, {"b": 0.5})
    assert len(ds) == 4
    ds.set_epoch(1)
    want = epoch_indices(SOURCES, {"b": 0.5}, 7, 1)
    everything = CropDataset(samples, spec, 7, None)  # no shares: item i is image i
    assert len(everything) == 6
    # Flat images of different grey levels: the centre value says which image was served.
    served = [float(ds[i][0][0, 16, 16]) for i in range(len(ds))]
    assert served == [float(everything[int(j)][0][0, 16, 16]) for j in want]
    assert len(set(served)) == 4
    augmented = CropDataset(samples, spec, 7, AugmentConfig(), {"b": 0.5})
    assert len(augmented) == 4
