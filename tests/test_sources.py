"""Frame sources give RGB frames with timestamps, and fail with one clear message."""

import numpy as np
import pytest

from fkd_live.adapters.sources import DemoSource, ImageSource, SourceError, VideoSource
from tests.conftest import SHARED, need


def test_demo_is_a_pure_function_of_time():
    demo = DemoSource(size=(320, 240), fps=10.0)
    first, t0 = demo.read()
    second, t1 = demo.read()
    assert first.shape == (240, 320, 3)
    assert first.dtype == np.uint8
    assert (t0, t1) == (0.0, 0.1)
    np.testing.assert_array_equal(demo.frame_at(0.0), first)
    assert not np.array_equal(first, second)  # the head moves
    assert first.std() > 20  # a real picture, not a flat fill


def test_video_source_reads_real_video():
    path = need(SHARED / "videos" / "d0.mp4")
    src = VideoSource(str(path))
    frames = []
    while (item := src.read()) is not None:
        frames.append(item)
    src.close()
    assert len(frames) == 78
    assert frames[0][0].shape == (512, 512, 3)
    assert frames[1][1] == pytest.approx(1 / 25)


def test_image_source_repeats_the_picture(tmp_path):
    import cv2

    path = tmp_path / "pic.png"
    bgr = np.zeros((20, 30, 3), np.uint8)
    bgr[..., 2] = 200  # red in BGR
    cv2.imwrite(str(path), bgr)
    src = ImageSource(str(path), fps=5.0)
    (a, ta), (b, tb) = src.read(), src.read()
    np.testing.assert_array_equal(a, b)
    assert a[0, 0].tolist() == [200, 0, 0]  # RGB
    assert (ta, tb) == (0.0, 0.2)


def test_bad_files(tmp_path):
    with pytest.raises(SourceError, match="not found"):
        VideoSource(str(tmp_path / "x.mp4"))
    with pytest.raises(SourceError, match="cannot read image"):
        ImageSource(str(tmp_path / "x.png"))
