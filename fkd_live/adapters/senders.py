"""UDP senders for other apps: opentrack's "UDP over network" input and the VMC protocol (OSC).

Both are fire-and-forget datagrams: nothing waits for a receiver, and a receiver that is not
running costs nothing. A send that the network refuses is logged once, never fatal.
"""

from __future__ import annotations

import logging
import socket

from ..core.outputs import SentPose, opentrack_packet, unity_head

log = logging.getLogger(__name__)

Endpoint = tuple[str, int]


def resolve(endpoint: Endpoint) -> tuple[socket.AddressFamily, tuple[object, ...]]:
    """The socket family and address of `(host, port)`; OSError if the host is unknown."""
    host, port = endpoint
    family, _, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_DGRAM)[0]
    return family, address


class _Datagrams:
    """One UDP socket aimed at one endpoint."""

    def __init__(self, endpoint: Endpoint, what: str) -> None:
        family, self.address = resolve(endpoint)
        self.endpoint, self.what = endpoint, what
        self.sock = socket.socket(family, socket.SOCK_DGRAM)
        self.sent = 0
        self._warned = False

    def send(self, data: bytes) -> None:
        try:
            self.sock.sendto(data, self.address)
            self.sent += 1
        except OSError as exc:  # e.g. no route: the tracker must go on
            if not self._warned:
                host, port = self.endpoint
                log.warning("%s: cannot send to %s:%d (%s)", self.what, host, port, exc)
                self._warned = True

    def close(self) -> None:
        self.sock.close()


class OpentrackSender(_Datagrams):
    """One 48-byte datagram per pose (see `core.outputs.opentrack_packet`)."""

    def __init__(self, endpoint: Endpoint) -> None:
        super().__init__(endpoint, "opentrack")

    def send_pose(self, pose: SentPose) -> None:
        self.send(opentrack_packet(pose))


class VmcSender(_Datagrams):
    """One OSC bundle per pose: `/VMC/Ext/Root/Pos "root"` at identity, `/VMC/Ext/Bone/Pos
    "Head"` (position, quaternion; see `core.outputs.unity_head`), `/VMC/Ext/OK 1` and
    `/VMC/Ext/T` seconds, as a VMC performer sends them."""

    def __init__(self, endpoint: Endpoint) -> None:
        from pythonosc.osc_bundle_builder import IMMEDIATELY

        super().__init__(endpoint, "VMC")
        self._immediately = IMMEDIATELY

    def bundle(self, pose: SentPose, neutral: SentPose | None, t: float) -> bytes:
        from pythonosc.osc_bundle_builder import OscBundleBuilder
        from pythonosc.osc_message_builder import OscMessageBuilder

        (px, py, pz), (qx, qy, qz, qw) = unity_head(pose, neutral)
        messages: list[tuple[str, list[str | float | int]]] = [
            ("/VMC/Ext/Root/Pos", ["root", 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0]),
            ("/VMC/Ext/Bone/Pos", ["Head", px, py, pz, qx, qy, qz, qw]),
            ("/VMC/Ext/OK", [1]),
            ("/VMC/Ext/T", [float(t)]),
        ]
        builder = OscBundleBuilder(self._immediately)
        for address, args in messages:
            message = OscMessageBuilder(address=address)
            for arg in args:
                message.add_arg(arg)
            builder.add_content(message.build())
        return bytes(builder.build().dgram)

    def send_pose(self, pose: SentPose, neutral: SentPose | None, t: float) -> None:
        self.send(self.bundle(pose, neutral, t))
