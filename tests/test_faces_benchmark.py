"""The four-person benchmark clip (issue 19's several faces): how it is made, and that it gives
four faces to track."""

from __future__ import annotations

import numpy as np

from benchmarks import faces
from tests.conftest import SHARED, need


def test_square_takes_the_centred_square():
    frame = np.zeros((4, 8, 3), np.uint8)
    frame[:, 2:6] = 200  # the centred 4x4 square
    frame[0, 2] = 10
    out = faces.square(frame, 4)
    assert out.shape == (4, 4, 3)
    assert out[0, 0, 0] == 10
    assert (out[1:] == 200).all()


def test_report_gives_each_count_against_one_face():
    results = {1: ([1.0, 2.0, 3.0], [1, 1, 1]), 4: ([3.0, 5.0, 7.0], [4, 4, 3])}
    lines = faces.report(results)
    assert lines[1].split() == ["1", "1.00", "2.00", "2.90", "1.00"]
    assert lines[2].split() == ["4", "3.67", "5.00", "6.80", "2.50"]


def test_the_grid_clip_holds_four_trackable_faces(tmp_path, detector_model):
    clips = [str(need(SHARED / "videos" / f"{name}.mp4")) for name in ("d0", "d3", "d12", "d13")]
    made = faces.grid_frames(clips, 180, 80)
    assert len(made) == 80
    assert made[0].shape == (360, 360, 3)
    d0, d3 = faces.read_all(clips[0]), faces.read_all(clips[1])
    assert len(d0) == 78  # so frame 79 of the grid shows d0's frame 1 top-left: looped
    assert np.array_equal(made[79][:180, :180], faces.square(d0[1], 180))
    assert np.array_equal(made[79][:180, 180:], faces.square(d3[79], 180))
    path = tmp_path / "four.mp4"
    faces.write_clip(path, made[:12], 25.0)
    assert not list(tmp_path.glob(".four*"))  # written beside and renamed
    frames = faces.read_all(str(path))
    assert len(frames) == 12
    results = faces.time_side_by_side(frames, 25.0, str(detector_model), (1, 4))
    assert results[1][1] == [1] * 12
    assert results[4][1] == [4] * 12
