"""`python -m train fit|export|quantize|evaluate|... --help`: the training package's commands.

The parser lives here; each subcommand is one function in `train.commands`, named after it.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from fkd_live.adapters.runtime import ModelLoadError, RuntimeMissingError

from . import commands
from .config import FACES5, VAL_FRACTION, add_fit_arguments


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m train", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    fit_p = sub.add_parser("fit", help="train a keypoint model and export it to ONNX")
    add_fit_arguments(fit_p)
    exp_p = sub.add_parser("export", help="export a checkpoint to ONNX (checked by onnxruntime)")
    exp_p.add_argument("checkpoint", type=Path)
    exp_p.add_argument("-o", "--output", type=Path, required=True)
    exp_p.add_argument(
        "--flip-average", action="store_true", help="average with the mirrored crop's answer"
    )
    q_p = sub.add_parser("quantize", help="int8 copy of an exported model, checked by NME")
    q_p.add_argument("model", type=Path)
    q_p.add_argument("-o", "--output", type=Path, required=True)
    q_p.add_argument("--data", type=Path, default=Path(FACES5))
    q_p.add_argument("--calibration", type=int, default=300, help="training crops for ranges")
    q_p.add_argument("--check", type=int, default=1000, help="validation faces to compare on")
    q_p.add_argument(
        "--float-first", type=int, default=3, help="leading convolutions kept float (the stem)"
    )
    q_p.add_argument(
        "--tolerance", type=float, default=0.002, help="allowed NME loss (fraction of IOD)"
    )
    ev_p = sub.add_parser(
        "evaluate", help="NME and more per source and framing, beside the mean-shape baseline"
    )
    ev_p.add_argument("models", type=Path, nargs="+", help="exported .onnx models")
    ev_p.add_argument("--data", type=Path, default=Path(FACES5))
    ev_p.add_argument("--val-fraction", type=float, default=VAL_FRACTION)
    ev_p.add_argument("--limit", type=int, default=0, help="images per source (0 = all)")
    ev_p.add_argument(
        "--on-train", action="store_true", help="score the training split instead (fit check)"
    )
    ev_p.add_argument("-o", "--output", type=Path, help="write the table (.md) and CED plot here")
    xp_p = sub.add_parser("explore", help="plots of the label distributions (PNG)")
    xp_p.add_argument("--data", type=Path, default=Path(FACES5))
    xp_p.add_argument("--sources", nargs="+", default=None)
    xp_p.add_argument("--limit", type=int, default=0, help="images per source (0 = all)")
    xp_p.add_argument("--input-size", type=int, default=80)
    xp_p.add_argument("-o", "--output", type=Path, default=Path("runs/explore"))
    ex_p = sub.add_parser("explain", help="Grad-CAM overlays for one output coordinate (PNG)")
    ex_p.add_argument("checkpoint", type=Path)
    ex_p.add_argument("--coordinate", default="lefteye_y", help="e.g. lefteye_y, nose_x")
    ex_p.add_argument("--data", type=Path, default=Path(FACES5))
    ex_p.add_argument("--sources", nargs="+", default=None)
    ex_p.add_argument("--count", type=int, default=4, help="faces per source")
    ex_p.add_argument("-o", "--output", type=Path, default=Path("runs/explain.png"))
    au_p = sub.add_parser("audit", help="images whose labels a model disagrees with most")
    au_p.add_argument("model", type=Path)
    au_p.add_argument("--data", type=Path, default=Path(FACES5))
    au_p.add_argument("--sources", nargs="+", default=None)
    au_p.add_argument("--limit", type=int, default=0, help="images per source (0 = all)")
    au_p.add_argument("--threshold", type=float, default=0.2, help="NME that counts as a miss")
    au_p.add_argument("-o", "--output", type=Path, help="write source,image_id,nme (worst first)")
    cv_p = sub.add_parser(
        "conventions", help="each source's label offsets against CelebA's, for --label-offsets"
    )
    cv_p.add_argument("model", type=Path, help="an exported model (mirror-averaged or not)")
    cv_p.add_argument("--data", type=Path, default=Path(FACES5))
    cv_p.add_argument("--per-source", type=int, default=2000, help="training faces per source")
    sp_p = sub.add_parser(
        "speed", help="ms per face with onnxruntime on the CPU (several models: interleaved)"
    )
    sp_p.add_argument("models", type=Path, nargs="+")
    sp_p.add_argument("--batch", type=int, default=1)
    sp_p.add_argument("--threads", type=int, default=1)
    sp_p.add_argument("--repeats", type=int, default=300)
    rd_p = sub.add_parser(
        "readable", help="train the readable-face score (ONNX, its checkpoint beside it)"
    )
    rd_p.add_argument("-o", "--output", type=Path, required=True, help="score model (.onnx)")
    rd_p.add_argument(
        "--like", type=Path, default=None,
        help="keypoint model whose contract (input, framing) the score uses (default: shipped)",
    )  # fmt: skip
    rd_p.add_argument("--data", type=Path, default=Path(FACES5))
    rd_p.add_argument("--sources", nargs="+", default=None)
    rd_p.add_argument("--limit", type=int, default=3000, help="images per source (0 = all)")
    rd_p.add_argument("--epochs", type=int, default=10)
    rd_p.add_argument("--seed", type=int, default=0)
    rd_p.add_argument("--width", type=int, default=16, help="channels of the first convolution")
    at_p = sub.add_parser(
        "attach-score", help="a keypoint model with a score model as its second output"
    )
    at_p.add_argument("model", type=Path, help="keypoint model (.onnx)")
    at_p.add_argument("score", type=Path, help="score model from `readable` (.onnx)")
    at_p.add_argument("-o", "--output", type=Path, required=True)
    rc_p = sub.add_parser(
        "recover", help="a float checkpoint (.pt) read back from an exported model's weights"
    )
    rc_p.add_argument("model", type=Path, help="an exported keypoint model (.onnx)")
    rc_p.add_argument("--config", type=Path, required=True, help="the run's training config")
    rc_p.add_argument("--history", type=Path, default=None, help="the run's history.json")
    rc_p.add_argument("-o", "--output", type=Path, required=True)
    rc_p.add_argument("--data", type=Path, default=Path(FACES5))
    rc_p.add_argument(
        "--check", type=int, default=1000,
        help="compare with the file on the validation faces of this many pictures per source "
        "(0: no check)",
    )  # fmt: skip
    for name, command in sub.choices.items():
        command.set_defaults(run=getattr(commands, name.replace("-", "_")))
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    try:
        args.run(args)
    except (ValueError, OSError, ModelLoadError, RuntimeMissingError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
