"""The capture thread: newest frame wins for cameras, nothing dropped for files, stalls and
failures reported as SourceError instead of hanging."""

import threading

import numpy as np
import pytest

from fkd_live.adapters.grabber import ThreadedSource, file_queue
from fkd_live.adapters.sources import SourceError


class Scripted:
    """Frames 0..n-1 (a frame's pixels hold its index); optionally blocks or fails after them."""

    name = "scripted"
    fps = 30.0
    size = (2, 2)

    def __init__(self, n, live, then=None):
        self.n, self.live, self.then, self.i = n, live, then, 0
        self.release = threading.Event()
        self.closed = False
        self.delivered = threading.Event()

    def read(self):
        if self.i < self.n:
            self.i += 1
            if self.i == self.n:
                self.delivered.set()
            return np.full((2, 2, 3), self.i - 1, np.uint8), (self.i - 1) / 30
        if self.then == "block":
            self.release.wait(5.0)
            return None
        if self.then == "fail":
            raise SourceError("camera 0 stopped delivering frames (unplugged or in use?)")
        if self.then == "crash":
            raise RuntimeError("decoder exploded")
        return None

    def close(self):
        self.closed = True
        self.release.set()


def test_a_file_is_read_in_order_without_drops():
    source = ThreadedSource(Scripted(10, live=False))
    got = []
    while (item := source.read()) is not None:
        got.append(int(item[0][0, 0, 0]))
    source.close()
    assert got == list(range(10))
    assert source.dropped == 0


def test_a_live_source_keeps_only_the_newest_frame():
    scripted = Scripted(10, live=True, then="block")
    source = ThreadedSource(scripted, stall_s=5.0)
    assert scripted.delivered.wait(5.0)
    frame, t = source.read()
    assert int(frame[0, 0, 0]) == 9  # frames 0-8 went stale while nobody read
    assert t == pytest.approx(9 / 30)
    assert source.dropped == 9
    scripted.release.set()  # the camera thread gets out of its blocking read
    source.close()
    assert scripted.closed


def test_a_stalled_source_raises_instead_of_hanging():
    scripted = Scripted(1, live=True, then="block")
    source = ThreadedSource(scripted, stall_s=0.2, first_frame_s=5.0)
    assert source.read() is not None
    with pytest.raises(SourceError, match=r"scripted stalled: no frame for 0\.2 s"):
        source.read()
    scripted.release.set()
    source.close()


def test_failures_reach_the_reader_after_the_frames_before_them():
    source = ThreadedSource(Scripted(2, live=False, then="fail"))
    assert source.read() is not None
    assert source.read() is not None
    with pytest.raises(SourceError, match="unplugged"):
        source.read()
    source.close()
    crash = ThreadedSource(Scripted(0, live=False, then="crash"))
    with pytest.raises(SourceError, match="scripted failed: decoder exploded"):
        crash.read()
    crash.close()


def test_a_files_queue_holds_48_mb_of_frames_4_to_16():
    assert file_queue((512, 512)) == 16  # 64 frames' worth, capped
    assert file_queue((1920, 1080)) == 8  # 50331648 // 6220800
    assert file_queue((3840, 2160)) == 4  # 2 frames' worth, raised to the floor
    assert ThreadedSource(Scripted(0, live=False))._capacity == 16  # a 2x2 scripted file
