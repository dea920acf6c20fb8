"""ONNX export with the contract in the file's metadata, checked against torch."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import torch
from torch import nn

from fkd_live.core import METADATA_KEY, ModelSpec
from fkd_live.core.files import replacing

log = logging.getLogger(__name__)

MAX_ABS_DIFF = 1e-4


class ExportCheckError(RuntimeError):
    """onnxruntime disagrees with torch on the exported model."""


def export_onnx(
    model: nn.Module, spec: ModelSpec, path: Path, seed: int = 0, opset: int | None = None
) -> float:
    """Write `model` to `path` (one file, dynamic batch, contract metadata) atomically.

    Returns the largest absolute difference between torch and onnxruntime on a random batch;
    raises ExportCheckError (and leaves `path` untouched) when it exceeds MAX_ABS_DIFF. `opset`:
    the ONNX opset to write (None: the exporter's default).
    """
    import onnx
    import onnxruntime as ort

    model = model.eval().cpu()
    gen = torch.Generator().manual_seed(seed)
    shape = (3, spec.channels, spec.input_height, spec.input_width)
    x = torch.randn(shape, generator=gen)
    path.parent.mkdir(parents=True, exist_ok=True)
    with replacing(path) as tmp:  # checked against torch before it takes the name
        torch.onnx.export(
            model,
            (x,),
            str(tmp),
            input_names=[spec.input_name],
            output_names=[spec.output_name],
            dynamic_shapes=({0: torch.export.Dim("batch", min=1, max=1024)},),
            external_data=False,
            dynamo=True,
            opset_version=opset,
            optimize=True,
            verbose=False,
        )
        proto = onnx.load(str(tmp))
        entry = proto.metadata_props.add()
        entry.key, entry.value = METADATA_KEY, spec.to_json()
        onnx.checker.check_model(proto)
        onnx.save(proto, str(tmp))
        session = ort.InferenceSession(str(tmp), providers=["CPUExecutionProvider"])
        with torch.no_grad():
            expected = model(x).numpy()
        (got,) = session.run([spec.output_name], {spec.input_name: x.numpy()})
        diff = float(np.max(np.abs(got - expected)))
        if diff > MAX_ABS_DIFF:
            raise ExportCheckError(f"onnxruntime differs from torch by {diff:.2e} > {MAX_ABS_DIFF}")
    log.info("exported %s (max |torch - onnxruntime| = %.2e)", path, diff)
    return diff
