"""Argument types and shared option groups for the `fkd-live` command line: each parses one
value or says, in one line, what a good one looks like."""

from __future__ import annotations

import argparse
import logging
import socket
from collections.abc import Callable
from typing import Any, NoReturn

from .adapters.detector import DETECTOR_ENV
from .adapters.runtime import DEVICES
from .config import OVERLAY_LAYERS


class Parser(argparse.ArgumentParser):
    """argparse whose usage errors are one line (`PROG: error: ...; see PROG --help`), exit 2:
    the usage block argparse prints by default buries the one thing that went wrong."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"size must look like 640x480, got {text!r}") from None
    if w <= 0 or h <= 0:
        raise argparse.ArgumentTypeError(f"size must be positive, got {text!r}")
    return (w, h)


def layers(text: str) -> tuple[str, ...]:
    names = tuple(v.strip() for v in text.split(",") if v.strip())
    unknown = [n for n in names if n not in OVERLAY_LAYERS]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown layer {unknown[0]!r}; choose from {', '.join(OVERLAY_LAYERS)}"
        )
    return names


def endpoint(
    default_port: int, default_host: str = "127.0.0.1"
) -> Callable[[str], tuple[str, int]]:
    """An argparse type for `[HOST:]PORT` (an IPv6 host in brackets), checked to resolve."""

    def parse(text: str) -> tuple[str, int]:
        if ":" in text or text.isdigit():
            host, _, port_text = text.rpartition(":")
        else:  # a host alone: the default port
            host, port_text = text, str(default_port)
        host = host.strip("[]") or default_host
        try:
            port = int(port_text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected [HOST:]PORT such as 127.0.0.1:{default_port}, got {text!r}"
            ) from None
        if not 1 <= port <= 65535:
            raise argparse.ArgumentTypeError(f"port must be 1-65535, got {port}")
        try:
            socket.getaddrinfo(host, port, type=socket.SOCK_DGRAM)
        except OSError:
            raise argparse.ArgumentTypeError(f"unknown host {host!r}") from None
        return host, port

    return parse


def checked(
    kind: type[int] | type[float], ok: Callable[[float], bool], rule: str
) -> Callable[[str], float]:
    """An argparse type: parse `kind`, then insist on `ok`, else say the `rule`."""

    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if not ok(value):
            raise argparse.ArgumentTypeError(f"{rule}, got {text}")
        return value

    return parse


positive_int = checked(int, lambda v: v >= 1, "must be at least 1")
count = checked(int, lambda v: v >= 0, "must not be negative")
positive_float = checked(float, lambda v: v > 0, "must be positive")
non_negative_float = checked(float, lambda v: v >= 0, "must not be negative")
field_of_view = checked(float, lambda v: 1.0 <= v <= 170.0, "must be 1-170 degrees")
fraction = checked(float, lambda v: 0.0 <= v <= 1.0, "must be between 0 and 1")


def box(text: str) -> tuple[float, float, float, float]:
    try:
        x, y, w, h = (float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"box must look like x,y,w,h, got {text!r}") from None
    if not (w > 0 and h > 0):
        raise argparse.ArgumentTypeError(f"box width and height must be positive, got {text!r}")
    return (x, y, w, h)


def add_model_arguments(group: argparse._ActionsContainer) -> None:
    """The model and detector options every mode shares (plus -v)."""
    group.add_argument("--model", metavar="PATH", help="keypoint ONNX model (default: shipped)")
    group.add_argument(
        "--device",
        choices=DEVICES,
        default="auto",
        help="where the keypoint model runs (default auto: CUDA if usable)",
    )
    group.add_argument(
        "--threads",
        type=count,
        default=1,
        help="CPU threads for the model (default 1, leaving the other cores to capture and "
        "drawing; 0: onnxruntime decides)",
    )
    group.add_argument(
        "--detector-model",
        metavar="PATH",
        help=f"BlazeFace .tflite (else ${DETECTOR_ENV}, else the user cache, else downloaded)",
    )
    group.add_argument(
        "--no-download",
        action="store_true",
        help="never download the detector model (without one: OpenCV's Haar cascade)",
    )
    group.add_argument("--min-score", type=fraction, default=0.5, help="detector threshold")
    group.add_argument("-v", "--verbose", action="store_true", help="log more")


def model_options(args: argparse.Namespace) -> dict[str, Any]:
    """The RunConfig fields `add_model_arguments` fills."""
    return {
        "model": args.model,
        "device": args.device,
        "threads": args.threads,
        "detector_model": args.detector_model,
        "download": not args.no_download,
    }


def configure_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="fkd-live: %(levelname)s: %(message)s",
    )
