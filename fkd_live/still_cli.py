"""`fkd-live image`: the command line of the still-picture mode (see still.py)."""

from __future__ import annotations

import argparse

from .argtypes import add_model_arguments, box, configure_logging, model_options, positive_int
from .config import RunConfig


def build_image_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fkd-live image",
        description="Five keypoints and head pose on still pictures. Prints one JSON line per "
        "picture (with --json, or when no -o is given) and writes annotated copies with -o.",
    )
    parser.add_argument("inputs", nargs="+", metavar="PATH_OR_DIR", help="pictures or folders")
    parser.add_argument("-o", "--output", metavar="OUT", help="annotated picture or folder")
    parser.add_argument("--json", action="store_true", help="print one JSON line per picture")
    how = parser.add_mutually_exclusive_group()
    how.add_argument("--box", type=box, metavar="x,y,w,h", help="use this face box, no detector")
    how.add_argument(
        "--aligned",
        action="store_true",
        help="each picture is a CelebA-style aligned crop (any scale): no detector",
    )
    parser.add_argument(
        "--max-faces", type=positive_int, default=10, help="faces per picture (default 10)"
    )
    add_model_arguments(parser)
    return parser


def image_main(rest: list[str]) -> int:
    args = build_image_parser().parse_args(rest)
    configure_logging(args.verbose)
    from .adapters.detector import make_detector
    from .app import load_model
    from .still import StillConfig, run_still

    cfg = StillConfig(
        inputs=tuple(args.inputs),
        output=args.output,
        json=args.json,
        box=args.box,
        aligned=args.aligned,
        max_faces=args.max_faces,
        min_score=args.min_score,
    )
    model = load_model(RunConfig(**model_options(args)))
    from .still import list_pictures

    list_pictures(cfg.inputs)  # bad paths fail before the detector loads
    detector = None
    if args.box is None and not args.aligned:
        detector = make_detector(args.detector_model, args.min_score, not args.no_download)
    try:
        return run_still(cfg, model, detector)
    finally:
        if detector is not None:
            detector.close()
