"""Outputs to other apps, received on 127.0.0.1 as opentrack and a VMC app would receive them,
and a virtual camera through a fake pyvirtualcam backend: compared with the run's JSON lines."""

from __future__ import annotations

import json
import socket
import struct
from typing import Any, ClassVar

import numpy as np
import pytest

from fkd_live.cli import main
from fkd_live.core.outputs import SentPose
from fkd_live.core.pose import euler_from_rotation
from tests.conftest import SHARED, need
from tests.test_outputs import matrix_of

FRAMES = 20


class Receiver:
    """A UDP socket on 127.0.0.1 that has caught what was sent to it (bounded in count)."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]

    def datagrams(self, limit: int = 1000) -> list[bytes]:
        """Everything queued so far (the sender has finished: nothing more is waited for)."""
        self.sock.setblocking(False)
        got: list[bytes] = []
        try:
            while len(got) < limit:
                got.append(self.sock.recv(65536))
        except BlockingIOError:
            pass
        return got


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.sock.close()


def run_clip(tmp_path, shipped_model, detector_model, *flags: str) -> list[dict[str, Any]]:
    """The first FRAMES frames of a real clip with `flags`; its JSON lines."""
    video = need(SHARED / "videos" / "d0.mp4")
    out = tmp_path / "kp.jsonl"
    args = ["--video", str(video), "--frames", str(FRAMES), "--keypoints-out", str(out)]
    models = ["--model", str(shipped_model), "--detector-model", str(detector_model)]
    assert main([*args, *models, *flags]) == 0
    return [json.loads(line) for line in out.read_text().splitlines()]


def json_poses(lines: list[dict[str, Any]]) -> list[tuple[float, dict[str, Any]]]:
    """(t, pose) of the first face (lowest id) of each frame that has one."""
    found = []
    for line in lines:
        if line["faces"]:
            first = min(line["faces"], key=lambda f: f["id"])
            found.append((line["t"], first["pose"]))
    return found


def test_opentrack_datagrams_are_the_json_poses(tmp_path, receiver, shipped_model, detector_model):
    lines = run_clip(
        tmp_path, shipped_model, detector_model, "--opentrack", f"127.0.0.1:{receiver.port}"
    )
    poses = json_poses(lines)
    assert len(poses) == FRAMES  # a face in every frame of this clip
    packets = [struct.unpack("<6d", d) for d in receiver.datagrams()]
    expected = [(p["x"], p["y"], p["z"], p["yaw"], p["pitch"], p["roll"]) for _, p in poses]
    assert packets == expected  # exactly: the same rounded numbers
    assert all(15 < z < 200 for _, _, z, *_ in packets)  # cm: a face near the camera


def test_opentrack_port_alone_means_localhost(tmp_path, receiver, shipped_model, detector_model):
    run_clip(tmp_path, shipped_model, detector_model, "--opentrack", str(receiver.port))
    assert len(receiver.datagrams()) == FRAMES


def test_centre_on_start_sends_poses_relative_to_the_first(
    tmp_path, receiver, shipped_model, detector_model
):
    lines = run_clip(
        tmp_path,
        shipped_model,
        detector_model,
        "--opentrack",
        f"127.0.0.1:{receiver.port}",
        "--centre-on-start",
    )
    poses = [
        SentPose(**{k: p[k] for k in ("yaw", "pitch", "roll", "x", "y", "z")})
        for _, p in json_poses(lines)
    ]
    packets = [struct.unpack("<6d", d) for d in receiver.datagrams()]
    assert packets[0] == pytest.approx((0, 0, 0, 0, 0, 0), abs=1e-9)
    for pose, packet in zip(poses[1:], packets[1:], strict=True):
        assert packet[:3] == pytest.approx(
            (pose.x - poses[0].x, pose.y - poses[0].y, pose.z - poses[0].z), abs=1e-9
        )
        moved = pose.relative_to(poses[0])
        assert packet[3:] == pytest.approx((moved.yaw, moved.pitch, moved.roll), abs=1e-9)
    assert lines[0]["faces"][0]["pose"]["z"] > 15  # the JSON is not centred


def osc_messages(datagram: bytes) -> list[tuple[str, list[Any]]]:
    from pythonosc.osc_bundle import OscBundle

    assert OscBundle.dgram_is_bundle(datagram)
    return [(m.address, list(m.params)) for m in OscBundle(datagram)]


def test_vmc_bundles_carry_the_json_rotation(tmp_path, receiver, shipped_model, detector_model):
    lines = run_clip(tmp_path, shipped_model, detector_model, "--vmc", f"127.0.0.1:{receiver.port}")
    poses = json_poses(lines)
    bundles = [osc_messages(d) for d in receiver.datagrams()]
    assert len(bundles) == len(poses) == FRAMES
    for (t, pose), bundle in zip(poses, bundles, strict=True):
        assert [address for address, _ in bundle] == [
            "/VMC/Ext/Root/Pos",
            "/VMC/Ext/Bone/Pos",
            "/VMC/Ext/OK",
            "/VMC/Ext/T",
        ]
        (_, root), (_, head), (_, ok), (_, stamp) = bundle
        assert root == ["root", 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0]
        assert head[0] == "Head"
        assert head[1:4] == [0.0, 0.0, 0.0]  # at rest until a neutral pose is stored
        q = head[4:]
        assert sum(v * v for v in q) == pytest.approx(1.0, abs=1e-6)  # float32 on the wire
        yaw, pitch, roll = euler_from_rotation(matrix_of(q))
        assert (yaw, pitch, roll) == pytest.approx(
            (pose["yaw"], pose["pitch"], pose["roll"]), abs=0.01
        )
        assert ok == [1]
        assert stamp == [pytest.approx(t, abs=1e-6)]


class FakeCamera:
    """A pyvirtualcam backend that keeps what it is sent (see pyvirtualcam.register_backend)."""

    opened: ClassVar[list[FakeCamera]] = []

    def __init__(self, *, width, height, fps, fourcc, device, **kw) -> None:
        self.width, self.height, self.fps, self.fourcc = width, height, fps, fourcc
        self._device = device or "/dev/video-fake"
        self.frames: list[np.ndarray] = []
        self.closed = False
        FakeCamera.opened.append(self)

    def send(self, frame: np.ndarray) -> None:
        self.frames.append(frame.reshape(self.height, self.width, 3).copy())

    def close(self) -> None:
        self.closed = True

    def device(self) -> str:
        return self._device

    def native_fourcc(self):
        return None


@pytest.fixture
def fake_camera(monkeypatch):
    """Only the fake backend exists while the test runs."""
    import pyvirtualcam.camera

    FakeCamera.opened = []
    monkeypatch.setattr(pyvirtualcam.camera, "BACKENDS", {})
    pyvirtualcam.camera.register_backend("fake", FakeCamera)
    return FakeCamera


def demo_frames(size: tuple[int, int], n: int) -> list[np.ndarray]:
    from fkd_live.adapters.sources import DemoSource

    source = DemoSource(size=size)
    return [source.frame_at(i / source.fps) for i in range(n)]


def run_demo(template_model, detector_model, *flags: str) -> int:
    args = ["--demo", "--headless", "--frames", "4", "--size", "160x120"]
    models = ["--model", str(template_model), "--detector-model", str(detector_model)]
    return main([*args, *models, *flags])


def test_virtual_camera_gets_the_frames_with_the_prop(fake_camera, template_model, detector_model):
    assert run_demo(template_model, detector_model, "--virtual-camera", "--prop", "glasses") == 0
    (camera,) = fake_camera.opened
    assert (camera.width, camera.height, camera.fps) == (160, 120, 30.0)
    assert camera.device() == "/dev/video-fake"
    assert camera.closed
    source = demo_frames((160, 120), 4)
    assert len(camera.frames) == 4
    for sent, frame in zip(camera.frames, source, strict=True):
        changed = np.abs(sent.astype(int) - frame).max(axis=2) > 40
        assert changed.sum() > 100  # the prop is drawn on the face


def test_virtual_camera_draws_no_debug_layers_unless_shown(
    fake_camera, template_model, detector_model
):
    assert run_demo(template_model, detector_model, "--virtual-camera", "/dev/video7") == 0
    (plain,) = fake_camera.opened
    assert plain.device() == "/dev/video7"
    source = demo_frames((160, 120), 4)
    for sent, frame in zip(plain.frames, source, strict=True):
        np.testing.assert_array_equal(sent, frame)  # no prop, no layers: the clean video
    assert run_demo(template_model, detector_model, "--virtual-camera", "--show", "keypoints") == 0
    shown = fake_camera.opened[1]
    assert np.count_nonzero(shown.frames[0] != source[0]) > 20


def test_a_video_feeds_the_camera_at_its_own_rate(
    fake_camera, tmp_path, shipped_model, detector_model
):
    run_clip(tmp_path, shipped_model, detector_model, "--virtual-camera")
    (camera,) = fake_camera.opened
    assert (camera.width, camera.height, camera.fps) == (*camera.frames[0].shape[1::-1], 25.0)
    assert len(camera.frames) == FRAMES


def test_no_virtual_camera_is_one_line_and_exit_2(
    monkeypatch, capsys, template_model, detector_model
):
    import pyvirtualcam.camera

    class Missing:
        def __init__(self, **kw) -> None:
            raise RuntimeError("No v4l2 loopback device found at /dev/video[0-99].")

    monkeypatch.setattr(pyvirtualcam.camera, "BACKENDS", {"v4l2loopback": Missing})
    assert run_demo(template_model, detector_model, "--virtual-camera") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("fkd-live: error: no virtual camera found")
    assert "sudo modprobe v4l2loopback devices=1 exclusive_caps=1" in err


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--opentrack", "no-such-host.invalid:4242"], "unknown host 'no-such-host.invalid'"),
        (["--opentrack", "127.0.0.1:0"], "port must be 1-65535"),
        (["--opentrack", "127.0.0.1:70000"], "port must be 1-65535"),
        (["--vmc", "localhost:port"], "expected [HOST:]PORT"),
        (["--vmc", "127.0.0.1:"], "expected [HOST:]PORT"),
        (["--fov", "0"], "must be 1-170 degrees"),
        (["--fov", "wide"], "not a number"),
        (["--show", "props"], "unknown layer 'props'"),
    ],
)
def test_bad_output_arguments_are_one_line(capsys, flags, message):
    with pytest.raises(SystemExit) as info:
        main(["--demo", "--headless", "--frames", "1", *flags])  # ends even if accepted
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert message in err
