"""Frame sources give RGB frames with timestamps, and fail with one clear message."""

import cv2
import numpy as np
import pytest
from skimage import data

from fkd_live.adapters.sources import DemoSource, ImageSource, SourceError, VideoSource
from fkd_live.core.geometry import apply_transform
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


def test_demo_turns_its_head():
    demo = DemoSource()
    assert demo.turn_at(0.0) == (0.0, 0.0)
    assert demo.turn_at(6.56 / 4)[0] == pytest.approx(30.0)  # yaw peaks a quarter period in
    assert demo.turn_at(5.9 / 4)[1] == pytest.approx(10.0)
    # Unturned, the frame is the portrait moved by the plain similarity matrix.
    plain = cv2.warpAffine(
        data.astronaut(), demo.matrix_at(0.0), demo.size, borderValue=(40, 40, 48)
    )
    np.testing.assert_array_equal(demo.frame_at(0.0), plain)


@pytest.mark.parametrize("size", [(640, 480), (1920, 1080), (7, 5)])
def test_demo_turn_redraws_only_the_head_without_a_seam(size):
    demo = DemoSource(size=size)
    t = 6.56 / 4  # yaw +30
    frame = demo.frame_at(t).astype(int)
    assert frame.shape == (size[1], size[0], 3)
    plain = cv2.warpAffine(data.astronaut(), demo.matrix_at(t), size, borderValue=(40, 40, 48))
    moved = np.abs(frame - plain).max(axis=2) > 2
    box = demo.head_box(demo.matrix_at(t))
    if box is None:  # 7x5: the demo's motion (tens of pixels) carries the head off the frame
        np.testing.assert_array_equal(frame, plain)
        return
    x0, y0, x1, y1 = box
    assert moved.any()
    assert not moved[:, :x0].any()
    assert not moved[:, x1:].any()
    assert not moved[:y0].any()
    assert not moved[y1:].any()
    # Nor on the box's edges inside the frame: the turn fades out within it, leaving no seam.
    w, h = size
    assert x0 == 0 or not moved[y0:y1, x0].any()
    assert x1 == w or not moved[y0:y1, x1 - 1].any()
    assert y0 == 0 or not moved[y0, x0:x1].any()
    assert y1 == h or not moved[y1 - 1, x0:x1].any()


@pytest.mark.parametrize("t", [6.56 / 4, 6.56 * 3 / 4])
def test_demo_frame_shows_each_point_where_place_says(monkeypatch, t):
    """A dot on the portrait's nose tip is drawn where `place` puts the nose, turned +/-30
    degrees: the renderer's inverse map and the forward map agree."""
    demo = DemoSource()
    nose = demo.PORTRAIT_KEYPOINTS[2]
    yy, xx = np.mgrid[0:512, 0:512]
    dot = 255 * np.exp(-((xx - nose[0]) ** 2 + (yy - nose[1]) ** 2) / (2 * 1.2**2))
    monkeypatch.setattr(demo, "_portrait", np.repeat(dot[..., None], 3, 2).astype(np.uint8))
    frame = demo.frame_at(t)[..., 0].astype(float)
    frame[frame < 60] = 0.0  # the fill outside the portrait (40) is not the dot
    fy, fx = np.mgrid[0 : frame.shape[0], 0 : frame.shape[1]]
    seen = np.array([(fx * frame).sum(), (fy * frame).sum()]) / frame.sum()
    (expected,) = demo.place([nose], t)
    assert abs(demo.turn_at(t)[0]) == pytest.approx(30.0)
    plain = apply_transform(demo.matrix_at(t), [nose])[0]
    assert abs(expected[0] - plain[0]) > 10  # the turn moves the nose a long way...
    np.testing.assert_allclose(seen, expected, atol=0.5)  # ...and the frame follows it


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
