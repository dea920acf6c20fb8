"""`fkd-live`: command line entry point. Argparse -> frozen config -> run; `main(argv) -> int`.

Every failure a user can cause (no camera, unreadable file, missing runtime or model) ends with
one line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from . import __version__, argtypes
from .adapters.detector import DetectorError
from .adapters.runtime import ModelLoadError, RuntimeMissingError
from .adapters.sources import SourceError
from .adapters.video_out import VideoOutError
from .adapters.virtual_camera import VirtualCameraError
from .config import (
    OVERLAY_LAYERS,
    OverlayOptions,
    PipelineConfig,
    RunConfig,
    SourceConfig,
    StreamConfig,
)
from .core.contract import ContractError
from .core.files import OutputError
from .core.outputs import OPENTRACK_PORT, VMC_PORT
from .core.pose import DEFAULT_FOV_DEG
from .core.props import PropError
from .core.smoothing import OneEuroConfig
from .display import DisplayError
from .messages import print_error
from .whole import WholeProcessError

log = logging.getLogger("fkd_live")

EXIT_USAGE = 2
MODES = {
    "run": "open the live window (the default: `fkd-live --camera 0`)",
    "cameras": "list the cameras that can be opened",
    "image": "keypoints on still pictures (JSON lines, annotated copies)",
    "bench": "time the pipeline on a video (and MediaPipe's Face Landmarker)",
}
USER_ERRORS = (
    SourceError,
    RuntimeMissingError,
    ModelLoadError,
    ContractError,
    DetectorError,
    DisplayError,
    OutputError,
    PropError,
    VideoOutError,
    VirtualCameraError,
    WholeProcessError,
)


def build_run_parser() -> argparse.ArgumentParser:
    modes = "\n".join(f"  fkd-live {name:<8} {text}" for name, text in MODES.items())
    parser = argtypes.Parser(
        prog="fkd-live",
        description="Real-time webcam AR overlay driven by five facial keypoints.",
        epilog=f"modes:\n{modes}\n\nRun `fkd-live MODE --help` for a mode's options.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"fkd-live {__version__}")
    src = parser.add_argument_group("source (one of)").add_mutually_exclusive_group()
    src.add_argument("--camera", type=int, metavar="N", help="webcam index (default 0)")
    src.add_argument("--video", metavar="PATH", help="a video file")
    src.add_argument("--image", metavar="PATH", help="a still picture, shown continuously")
    src.add_argument(
        "--demo", action="store_true", help="built-in moving face (no webcam or download needed)"
    )
    cam = parser.add_argument_group("camera")
    cam.add_argument(
        "--size",
        type=argtypes.size,
        metavar="WxH",
        help="requested camera resolution (or the demo's frame size)",
    )
    cam.add_argument("--fps", type=float, default=0.0, help="requested camera frame rate")
    model = parser.add_argument_group("models")
    argtypes.add_model_arguments(model)
    model.add_argument(
        "--max-faces", type=argtypes.positive_int, default=1, help="faces to track (default 1)"
    )
    model.add_argument(
        "--min-readable",
        type=argtypes.fraction,
        default=PipelineConfig.min_readable,
        metavar="S",
        help="drop a face whose crop the model scores as readable under S (models with a "
        "score; 0: never; default %(default)s)",
    )
    model.add_argument(
        "--crop-step",
        type=argtypes.non_negative_float,
        default=PipelineConfig.crop_step,
        metavar="PX",
        help="place a tracked face's crop on a grid of PX input pixels, so tracking settles "
        "(0: anywhere; default %(default)s)",
    )
    model.add_argument(
        "--redetect-every",
        type=argtypes.positive_int,
        default=PipelineConfig.redetect_every,
        metavar="N",
        help="while tracking, detect every N frames (1: every frame; default %(default)s)",
    )
    smooth = parser.add_argument_group("smoothing (One Euro filter on the face's keypoints)")
    smooth.add_argument("--no-smoothing", action="store_true", help="show raw keypoints")
    smooth.add_argument(
        "--min-cutoff",
        type=argtypes.positive_float,
        default=OneEuroConfig.min_cutoff,
        help="Hz; lower is steadier when still (default %(default)s)",
    )
    smooth.add_argument(
        "--beta",
        type=argtypes.non_negative_float,
        default=OneEuroConfig.beta,
        help="Hz added per eye distance per second of motion; higher follows motion faster "
        "(default %(default)s)",
    )
    out = parser.add_argument_group("run")
    out.add_argument(
        "--frames", type=argtypes.count, default=0, help="stop after N frames (0: never)"
    )
    out.add_argument("--headless", action="store_true", help="no window: run the pipeline only")
    out.add_argument(
        "--keypoints-out",
        metavar="OUT.jsonl",
        help="write one JSON line per frame (no window, nothing drawn)",
    )
    out.add_argument(
        "--output",
        metavar="OUT.mp4",
        help="write the annotated video (.mp4 or .avi; no window, drawn offscreen)",
    )
    out.add_argument("--screenshot-dir", default=".", help="where S and R save their files")
    add_stream_arguments(parser)
    look = parser.add_argument_group("overlay")
    look.add_argument("--prop", metavar="NAME", help="AR prop to show first (e.g. glasses, none)")
    look.add_argument("--props-dir", metavar="DIR", help="a folder of your own props (JSON+PNG)")
    look.add_argument(
        "--hide",
        type=argtypes.layers,
        default=(),
        metavar="LAYERS",
        help=f"comma-separated layers not to draw: {', '.join(OVERLAY_LAYERS)}",
    )
    return parser


def add_stream_arguments(parser: argparse.ArgumentParser) -> None:
    """Outputs to other apps (see fkd_live/streams.py and the README's "Use it with...")."""
    send = parser.add_argument_group("send to other apps (first tracked face)")
    send.add_argument(
        "--opentrack",
        type=argtypes.endpoint(OPENTRACK_PORT),
        nargs="?",
        const=("127.0.0.1", OPENTRACK_PORT),
        metavar="[HOST:]PORT",
        help=f"head pose to opentrack's 'UDP over network' input (default 127.0.0.1:"
        f"{OPENTRACK_PORT})",
    )
    send.add_argument(
        "--vmc",
        type=argtypes.endpoint(VMC_PORT),
        nargs="?",
        const=("127.0.0.1", VMC_PORT),
        metavar="[HOST:]PORT",
        help=f"head bone over the VMC protocol (OSC; default 127.0.0.1:{VMC_PORT})",
    )
    send.add_argument(
        "--virtual-camera",
        nargs="?",
        const="",
        metavar="DEVICE",
        help="send the frames with the prop to a virtual webcam (v4l2loopback, OBS); "
        "DEVICE: e.g. /dev/video10 (default: the first free one)",
    )
    send.add_argument(
        "--show",
        type=argtypes.layers,
        default=(),
        metavar="LAYERS",
        help=f"layers the virtual camera also draws besides the prop: {', '.join(OVERLAY_LAYERS)}",
    )
    send.add_argument(
        "--centre-on-start",
        "--center-on-start",
        action="store_true",
        help="take the first pose sent as neutral (the C key does it on demand)",
    )
    send.add_argument(
        "--fov",
        type=argtypes.field_of_view,
        default=DEFAULT_FOV_DEG,
        metavar="DEG",
        help="the camera's horizontal field of view, for head position and pose "
        f"(default {DEFAULT_FOV_DEG:.1f}, a typical webcam's)",
    )


def stream_config_from_args(args: argparse.Namespace) -> StreamConfig:
    return StreamConfig(
        opentrack=args.opentrack,
        vmc=args.vmc,
        virtual_camera=args.virtual_camera,
        virtual_camera_layers=OverlayOptions(**{n: n in args.show for n in OVERLAY_LAYERS}),
        centre_on_start=args.centre_on_start,
    )


def run_config_from_args(args: argparse.Namespace) -> RunConfig:
    if args.video:
        source = SourceConfig(kind="video", path=args.video)
    elif args.image:
        source = SourceConfig(kind="image", path=args.image)
    elif args.demo:
        source = SourceConfig(kind="demo", size=args.size)
    else:
        source = SourceConfig(kind="camera", camera=args.camera or 0, size=args.size, fps=args.fps)
    return RunConfig(
        source=source,
        **argtypes.model_options(args),
        pipeline=PipelineConfig(
            max_faces=args.max_faces,
            min_score=args.min_score,
            min_readable=args.min_readable,
            redetect_every=args.redetect_every,
            crop_step=args.crop_step,
            smoothing=None
            if args.no_smoothing
            else OneEuroConfig(min_cutoff=args.min_cutoff, beta=args.beta),
            fov=args.fov,
        ),
        frames=args.frames,
        headless=args.headless or args.keypoints_out is not None or args.output is not None,
        keypoints_out=args.keypoints_out,
        screenshot_dir=args.screenshot_dir,
        output=args.output,
        overlay=OverlayOptions(**{layer: layer not in args.hide for layer in OVERLAY_LAYERS}),
        prop=args.prop,
        props_dir=args.props_dir,
        streams=stream_config_from_args(args),
    )


def _quiet_native_logs() -> None:
    # mediapipe's C++ core logs through glog; keep its INFO chatter out of the terminal.
    os.environ.setdefault("GLOG_minloglevel", "2")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import cv2

    # We report camera and file failures ourselves, in one line; OpenCV's own are noise.
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    _quiet_native_logs()
    mode = argv[0] if argv and argv[0] in MODES else "run"
    rest = argv[1:] if argv and argv[0] in MODES else argv
    try:
        if mode == "cameras":
            from .cameras import cameras_main

            return cameras_main(rest)
        if mode == "image":
            from .still_cli import image_main

            return image_main(rest)
        if mode == "bench":
            from .bench import bench_main

            return bench_main(rest)
        args = build_run_parser().parse_args(rest)
        argtypes.configure_logging(args.verbose)
        from .app import run_app

        return run_app(run_config_from_args(args))
    except USER_ERRORS as exc:
        print_error(str(exc))
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


def entry_point() -> None:
    raise SystemExit(main())
