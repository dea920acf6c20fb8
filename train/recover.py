"""A float checkpoint read back from an exported keypoint model's weights.

`fit` writes `best.pt`, but a shipped `.onnx` may outlive it (run folders are not kept). The
exported graph still holds every weight the net was exported with: each convolution's weights
(int8 with per-channel scales where `quantize` quantised it, float where it kept the layer) and
its bias, the batch norm folded in. `recover_checkpoint` loads them into the architecture the
training config names, each batch norm made the identity and its folded bias put back as the
norm's shift, so the torch net computes what the file computes (up to the int8 file's rounding
of activations), and writes the checkpoint `load_checkpoint`, `export` and `explain` take.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import torch
from torch import nn

from fkd_live.core import METADATA_KEY, ModelSpec
from fkd_live.core.files import write_bytes

from .config import FitConfig
from .models import build_from_config

Array = npt.NDArray[np.float64]
# `FlipAveraged` holds the net as `.net`, so a mirror-averaged export names its weights
# `net.stem...`; a plain export `stem...`.
MIRRORED_PREFIX = "net."


def read_weights(path: Path) -> tuple[dict[str, Array], ModelSpec]:
    """The file's initialisers (float64 arrays by name) and its contract."""
    import onnx
    from google.protobuf.message import DecodeError
    from onnx import numpy_helper

    try:
        model = onnx.load(str(path))
    except (OSError, DecodeError) as exc:
        raise ValueError(f"cannot read {path} as an ONNX model: {exc}") from exc
    meta = {p.key: p.value for p in model.metadata_props}
    if METADATA_KEY not in meta:
        raise ValueError(f"{path} has no fkd-live contract: it was not exported by `train`")
    weights = {i.name: numpy_helper.to_array(i).astype(np.float64) for i in model.graph.initializer}
    return weights, ModelSpec.from_json(meta[METADATA_KEY])


def conv_weights(found: Mapping[str, Array], name: str) -> tuple[Array, Array | None]:
    """`(weight, bias)` of the convolution exported as `name` (e.g. `net.down4.0.0`):
    dequantised (`(q - zero point) * scale`, per output channel) if it was quantised."""
    w = f"{name}.weight"
    if w in found:
        return found[w], found.get(f"{w}_bias", found.get(f"{name}.bias"))
    if f"{w}_quantized" not in found:
        raise KeyError(name)
    per_channel = (-1, 1, 1, 1)
    q, zp, s = (found[f"{w}_{k}"] for k in ("quantized", "zero_point", "scale"))
    weight = (q - zp.reshape(per_channel)) * s.reshape(per_channel)
    b = f"{w}_bias_quantized"
    bias = (found[b] - found[f"{b}_zero_point"]) * found[f"{b}_scale"] if b in found else None
    return weight, bias


def load_exported(net: nn.Module, found: Mapping[str, Array]) -> None:
    """Fill `net`'s parameters and batch-norm statistics from the exported weights; every
    entry of its state dict must be covered (`ValueError` naming the first that is not)."""
    state = net.state_dict()
    prefix = MIRRORED_PREFIX if any(k.startswith(MIRRORED_PREFIX) for k in found) else ""
    filled: dict[str, torch.Tensor] = {}
    modules = dict(net.named_modules())
    for name, module in modules.items():
        if not isinstance(module, nn.Conv2d):
            continue
        try:
            weight, bias = conv_weights(found, prefix + name)
        except KeyError:
            raise ValueError(f"the file holds no weights for the net's layer {name}") from None
        filled[f"{name}.weight"] = torch.tensor(weight, dtype=torch.float32)
        norm_name = name.rsplit(".", 1)[0] + ".1" if name.endswith(".0") else ""
        norm = modules.get(norm_name)
        if isinstance(norm, nn.BatchNorm2d):  # folded into the conv: the norm passes through
            shift = np.zeros(norm.num_features) if bias is None else bias
            filled |= identity_norm(norm_name, norm, shift)
        elif bias is not None:
            filled[f"{name}.bias"] = torch.tensor(bias, dtype=torch.float32)
    missing = [k for k in state if k not in filled and not _derived(k)]
    if missing:
        raise ValueError(f"the file holds no weights for {missing[0]}")
    net.load_state_dict({**state, **filled})


def identity_norm(name: str, norm: nn.BatchNorm2d, shift: Array) -> dict[str, torch.Tensor]:
    """Entries that make `norm` add `shift` and nothing else in eval mode (variance 1 - eps,
    so that dividing by sqrt(var + eps) divides by exactly 1)."""
    n = norm.num_features
    return {
        f"{name}.weight": torch.ones(n),
        f"{name}.bias": torch.tensor(shift, dtype=torch.float32),
        f"{name}.running_mean": torch.zeros(n),
        f"{name}.running_var": torch.full((n,), 1.0 - norm.eps),
        f"{name}.num_batches_tracked": torch.tensor(0),
    }


def _derived(key: str) -> bool:
    """State entries the net builds itself (the soft-argmax's grid), not trained weights."""
    return "soft_argmax" in key


def plain_spec(spec: ModelSpec) -> ModelSpec:
    """The contract of the net alone: the file's, without the attached score and the
    mirror-averaging note (`export --flip-average` adds that again)."""
    extra = tuple(e for e in spec.extra if e != ("test_time", "flip_average"))
    return spec.with_changes(score_name="", extra=extra)


def recover_checkpoint(
    model: Path, config: FitConfig, output: Path, history: Path | None = None
) -> dict[str, Any]:
    """Write the checkpoint of `model`'s keypoint net (trained with `config`) to `output`;
    `history`: the run's `history.json`, kept in the checkpoint as `fit` keeps it."""
    found, spec = read_weights(model)
    spec = plain_spec(spec)
    net = build_from_config(config, spec)
    load_exported(net, found)
    curves = json.loads(history.read_text()) if history is not None else []
    best = min(curves, key=lambda h: h["val_nme"]) if curves else None
    state = {
        "model": net.state_dict(), "optimizer": None, "ema": None, "ema_updates": 0,
        "epoch": best["epoch"] if best else -1, "best_nme": best["val_nme"] if best else None,
        "config": config.to_dict(), "spec": spec.to_json(), "history": curves,
        "recovered_from": model.name,
    }  # fmt: skip
    buffer = io.BytesIO()  # saved in memory first: the archive's name inside is then always
    torch.save(state, buffer)  # "archive", not the temporary file's, so reruns are identical
    write_bytes(output, buffer.getvalue())
    return state


@dataclass(frozen=True)
class RecoverCheck:
    """How the recovered checkpoint, mirror-averaged, answers beside the file it came from on
    validation faces (eye-aligned crops): pixel differences and both NMEs (fractions)."""

    faces: int
    mean_px: float
    max_px: float
    file_nme: float
    checkpoint_nme: float


def check_recovered(
    checkpoint: Path, model: Path, data: Path, per_source: int = 1000
) -> RecoverCheck:
    """Compare on the validation split of the first `per_source` pictures of each source."""
    from fkd_live.adapters.runtime import KeypointModel
    from fkd_live.core.contract import decode_output, preprocess

    from .checkpoint import load_checkpoint
    from .config import VAL_FRACTION
    from .data import load_faces5, split
    from .evaluate import crops_for
    from .metrics import nme
    from .models import FlipAveraged

    net, spec, _ = load_checkpoint(checkpoint)
    _, val = split(load_faces5(data, limit=per_source), VAL_FRACTION)
    crops, truth = crops_for(val, spec, "eyes")
    shipped = KeypointModel(model, device="cpu").predict(crops)
    with torch.no_grad():
        out = FlipAveraged(net).eval()(torch.from_numpy(preprocess(crops, spec))).numpy()
    ours = decode_output(out, spec)
    gap = np.abs(ours - shipped)
    return RecoverCheck(
        len(crops), float(gap.mean()), float(gap.max()),
        float(nme(shipped, truth).mean()), float(nme(ours, truth).mean()),
    )  # fmt: skip
