"""Training-step speed of one architecture in each precision and memory layout, side by side.

    python -m benchmarks.train_step [--arch heatmap] [--width 32] [--batch-size 128] [--steps 8]

Prints milliseconds per optimiser step (forward, L1 loss, backward, AdamW) on random data for
fp32, channels-last, bf16 autocast, and both, and each one's speed-up over plain fp32. The
variants run one after another in the same process, so the ratios are fair on a noisy machine.
"""

from __future__ import annotations

import argparse
import time

import torch

from fkd_live.core import ModelSpec
from train.models import build_model
from train.precision import autocast, channels_last, to_memory_format

VARIANTS = (("fp32", False), ("fp32", True), ("bf16", False), ("bf16", True))


def step_ms(
    arch: str, precision: str, last: bool, batch: int, steps: int, width: int = 32
) -> float:
    """The mean of `steps` timed steps after three warm-up steps, in milliseconds."""
    torch.manual_seed(0)
    spec = ModelSpec()
    device = torch.device("cpu")
    net = build_model(arch, spec, width=width)
    x = torch.randn(batch, spec.channels, spec.input_height, spec.input_width)
    if last:
        net = channels_last(net)
        x = to_memory_format(x)
    y = torch.rand(batch, 10)
    opt = torch.optim.AdamW(net.parameters(), lr=1e-3)

    def step() -> None:
        with autocast(device, precision):
            pred = net(x)
        loss = (pred.float() - y).abs().mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    for _ in range(3):
        step()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return 1000 * (time.perf_counter() - start) / steps


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arch", default="heatmap")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--width", type=int, default=32, help="heatmap net decoder width")
    args = parser.parse_args(argv)
    print(f"{args.arch}, batch {args.batch_size}, {torch.get_num_threads()} threads")
    base = None
    for precision, last in VARIANTS:
        ms = step_ms(args.arch, precision, last, args.batch_size, args.steps, args.width)
        base = base or ms
        layout = "channels-last" if last else "contiguous"
        print(f"{precision} {layout:>13}: {ms:7.1f} ms/step  {base / ms:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
