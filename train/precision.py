"""How a step is computed: devices, processes, mixed precision and the weight average.

bf16 autocast with channels-last tensors makes a training step of the heatmap net about twice as
fast on an AVX-512 CPU (`python -m benchmarks.train_step` prints the ratios); the weights, the
optimiser and the keypoint head stay in float32. The exponential moving average of the weights
(EMA) is what is validated, checkpointed as "ema" and exported: it smooths the last steps' noise.
"""

from __future__ import annotations

import contextlib
import os
from typing import Any

import torch
from torch import distributed as dist
from torch import nn
from torch.optim.swa_utils import AveragedModel

PRECISIONS = ("fp32", "bf16")


def pick_device(name: str) -> torch.device:
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    if name == "cuda" and dist.is_initialized():
        return torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
    return torch.device(name)


def init_distributed() -> tuple[int, int]:
    """(rank, world size). Under `torchrun` (WORLD_SIZE > 1) joins the process group: NCCL on
    GPUs, gloo on CPUs."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world > 1 and not dist.is_initialized():
        dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
    return (dist.get_rank() if world > 1 else 0), world


def autocast(device: torch.device, precision: str) -> contextlib.AbstractContextManager[Any]:
    """The context a forward pass runs in: bf16 autocast, or nothing for fp32."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, got {precision!r}")
    if precision == "fp32":
        return contextlib.nullcontext()
    return torch.autocast(device.type, dtype=torch.bfloat16)


def full_precision(x: torch.Tensor) -> contextlib.AbstractContextManager[Any]:
    """Leave autocast for a precision-critical tail (a model's keypoint head). Outside autocast,
    as in evaluation and ONNX export, nothing is entered, so traced graphs stay plain."""
    if torch.is_autocast_enabled(x.device.type):
        return torch.autocast(x.device.type, enabled=False)
    return contextlib.nullcontext()


def to_memory_format(x: torch.Tensor) -> torch.Tensor:
    """Channels-last for image batches: oneDNN's and cuDNN's faster convolution layout."""
    return x.contiguous(memory_format=torch.channels_last) if x.dim() == 4 else x


def channels_last(net: nn.Module) -> nn.Module:
    """`net` with its 4-D weights in channels-last layout (in place, like `Module.to`)."""
    out: nn.Module = net.to(memory_format=torch.channels_last)  # type: ignore[call-overload]
    return out


def make_ema(net: nn.Module, decay: float) -> AveragedModel | None:
    """An EMA copy of `net` (buffers too, so batch-norm statistics match), or None at decay 0.

    The decay warms up as min(decay, (1 + n) / (10 + n)) after n updates, so the average
    follows the fast early training instead of remembering the random start for thousands of
    steps (at 0.998 a fixed decay still gives the start 41% weight after 450 steps)."""
    if not 0.0 <= decay < 1.0:
        raise ValueError(f"ema must be in [0, 1), got {decay}")
    if decay == 0.0:
        return None

    def average(avg: torch.Tensor, new: torch.Tensor, n: torch.Tensor | int) -> torch.Tensor:
        d = min(decay, (1.0 + float(n)) / (10.0 + float(n)))
        return avg * d + new * (1.0 - d)

    return AveragedModel(net, avg_fn=average, use_buffers=True)


def export_weights(state: dict[str, Any]) -> dict[str, Any]:
    """The weights a checkpoint stands for: its EMA when it has one, else the trained ones."""
    weights: dict[str, Any] = state.get("ema") or state["model"]
    return weights
