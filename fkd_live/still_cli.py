"""`fkd-live image`: the command line of the still-picture mode (see still.py)."""

from __future__ import annotations

import argparse

from .argtypes import (
    Parser,
    add_model_arguments,
    box,
    configure_logging,
    model_options,
    positive_int,
)
from .config import PipelineConfig, RunConfig


def build_image_parser() -> argparse.ArgumentParser:
    parser = Parser(
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
    from .api import Tracker
    from .still import StillConfig, list_pictures, run_still

    cfg = StillConfig(
        inputs=tuple(args.inputs), output=args.output, json=args.json, box=args.box,
        aligned=args.aligned,
    )  # fmt: skip
    run = RunConfig(
        **model_options(args),
        pipeline=PipelineConfig(max_faces=args.max_faces, min_score=args.min_score),
    )
    with Tracker.from_config(run) as tracker:
        list_pictures(cfg.inputs)  # bad paths fail before the detector loads
        if args.box is None and not args.aligned:
            tracker.prepare()
        return run_still(cfg, tracker)
