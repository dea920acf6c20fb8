"""`python -m train fit|export ...`"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from .config import add_fit_arguments, fit_config_from_args


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m train", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    fit_p = sub.add_parser("fit", help="train a keypoint model and export it to ONNX")
    add_fit_arguments(fit_p)
    exp_p = sub.add_parser("export", help="export a checkpoint to ONNX (checked by onnxruntime)")
    exp_p.add_argument("checkpoint", type=Path)
    exp_p.add_argument("-o", "--output", type=Path, required=True)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    try:
        if args.command == "fit":
            from .fit import fit

            path = fit(fit_config_from_args(args), resume=args.resume)
            print(f"model written to {path}")
        elif args.command == "export":
            from .checkpoint import export_checkpoint

            export_checkpoint(args.checkpoint, args.output)
            print(f"model written to {args.output}")
    except (ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
