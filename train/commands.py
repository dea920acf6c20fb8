"""One function per `python -m train` subcommand (`args`: its parsed flags, see `__main__`).

Each imports what it needs when it runs, so `--help` and the light commands never load torch.
Failures are `ValueError`/`OSError` (and the runtime's load errors), which `main` prints in one
line with exit code 2.
"""

from __future__ import annotations

import argparse
import json

from fkd_live.core.files import write_text

from .config import VAL_FRACTION, FitConfig, fit_config_from_args


def fit(args: argparse.Namespace) -> None:
    from .fit import fit as run_fit

    path = run_fit(fit_config_from_args(args), resume=args.resume)
    print(f"model written to {path}")


def export(args: argparse.Namespace) -> None:
    from .checkpoint import export_checkpoint

    export_checkpoint(args.checkpoint, args.output, args.flip_average)
    print(f"model written to {args.output}")


def quantize(args: argparse.Namespace) -> None:
    from .quantize import quantize_model

    q = quantize_model(
        args.model, args.output, args.data, args.calibration, args.check, args.tolerance,
        args.float_first,
    )  # fmt: skip
    print(f"validation NME on {q.faces} faces: float {100 * q.float_nme:.2f}%, "
          f"int8 {100 * q.int8_nme:.2f}%; model written to {args.output}")  # fmt: skip


def evaluate(args: argparse.Namespace) -> None:
    from .evaluate import evaluate_models, markdown_table, plot_ced

    scores = evaluate_models(
        args.models, args.data, args.val_fraction, args.limit or None, on_train=args.on_train
    )
    table = markdown_table(scores)
    print(table)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        write_text(args.output, table + "\n")
        print(f"wrote {plot_ced(scores, args.output.with_suffix('.ced.png'))}")


def explore(args: argparse.Namespace) -> None:
    from fkd_live.core import ModelSpec

    from .data import load_faces5
    from .explore import explore as plot_all

    spec = ModelSpec(input_width=args.input_size, input_height=args.input_size)
    samples = load_faces5(args.data, args.sources, limit=args.limit or None)
    for path in plot_all(samples, spec, args.output):
        print(f"wrote {path}")


def explain(args: argparse.Namespace) -> None:
    from .checkpoint import load_checkpoint
    from .data import load_faces5, split
    from .evaluate import crops_for
    from .explain import explain_sheet

    model, spec, _ = load_checkpoint(args.checkpoint)
    _, val = split(load_faces5(args.data, args.sources, limit=400), VAL_FRACTION)
    picked = [s for src in sorted({s.source for s in val})
              for s in [v for v in val if v.source == src][: args.count]]  # fmt: skip
    crops, _ = crops_for(picked, spec, "eyes")
    print(f"wrote {explain_sheet(model, spec, crops, args.coordinate, args.output)}")


def audit(args: argparse.Namespace) -> None:
    from .audit import audit_labels, summary

    rows = audit_labels(args.model, args.data, args.sources, args.limit or None)
    print(summary(rows, args.threshold))
    if args.output:
        lines = "".join(f"{r.source},{r.image_id},{r.nme:.4f}\n" for r in rows)
        write_text(args.output, "source,image_id,nme\n" + lines)
        print(f"wrote {args.output}")


def conventions(args: argparse.Namespace) -> None:
    """Each source's offsets on the training split, as a table and as the config line."""
    from fkd_live.adapters.runtime import KeypointModel

    from .conventions import format_offsets, measure_offsets
    from .data import load_faces5, split

    train, _ = split(load_faces5(args.data), VAL_FRACTION)
    model = KeypointModel(args.model, device="cpu")
    offsets = measure_offsets(model, train, args.per_source)
    rows = [f"{name:<10}" + " ".join(f"{v:+6.2f}" for v in off.ravel())
            for name, off in offsets.items()]  # fmt: skip
    items = json.dumps(format_offsets(offsets))
    print("\n".join(["offsets (source pixels), x y per point:", *rows,
                     f'"label_offsets": {items}']))  # fmt: skip


def speed(args: argparse.Namespace) -> None:
    from .speed import measure_speeds, speed_lines

    results = measure_speeds(args.models, args.batch, args.threads, args.repeats)
    print("\n".join(speed_lines(args.models, results)))


def readable(args: argparse.Namespace) -> None:
    from .readable import run_readable

    print(run_readable(args))


def attach_score(args: argparse.Namespace) -> None:
    from .attach import attach_score as attach

    diff = attach(args.model, args.score, args.output)
    print(f"score attached (largest difference {diff:.1e}); wrote {args.output}")


def recover(args: argparse.Namespace) -> None:
    from .recover import recover_checkpoint

    try:
        raw = json.loads(args.config.read_text())
    except json.JSONDecodeError as exc:
        raise ValueError(f"{args.config} is not valid JSON: {exc}") from exc
    state = recover_checkpoint(args.model, FitConfig.from_dict(raw), args.output, args.history)
    print(f"checkpoint of {args.model} (epoch {state['epoch']}) written to {args.output}")
    if args.check:
        from .recover import check_recovered

        c = check_recovered(args.output, args.model, args.data, args.check)
        gaps = f"{c.mean_px:.3f} px on average, {c.max_px:.2f} px at most"
        nmes = f"{100 * c.file_nme:.3f}% (file), {100 * c.checkpoint_nme:.3f}% (checkpoint)"
        print(f"mirror-averaged, on {c.faces} validation faces it answers as the file does to "
              f"{gaps}; NME {nmes}")  # fmt: skip
