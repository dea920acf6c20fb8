"""Post-training int8 quantisation of an exported model: onnxruntime static QDQ, per channel.

Every convolution but the first `float_first` and the last becomes int8, with the ReLU after it
folded into its output's quantisation (without "Relu" among the quantised op types, most int8
convolutions' outputs were dequantised and requantised to their ReLU's range: 14 more nodes in
the graph onnxruntime runs; runs/v9's export quantised both ways and timed side by side with
`python -m train speed`: 0.985 against 0.934 ms per face). The last convolution writes the
heatmap logits, from whose small differences the soft-argmax reads sub-pixel positions, so it
stays float32. The first three are the heatmap net's stem: with them int8 too, the previous
model's still-face jitter in the app was 3-4 times the float model's; with them float, under
twice, at little cost, as they are the cheapest layers (`benchmarks.live_quality --model INT8
--photos 0`; numbers in the model card). Presumably sensor noise flips rounding steps of the
full-resolution input and first features, and the rest of the net amplifies that. Activation
ranges are calibrated on training-split crops in the framings validation uses. The contract
travels over, and the result is checked against the float model's NME on the validation split
before it is renamed into place, so a failed check leaves no file.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from fkd_live.adapters.runtime import KeypointModel
from fkd_live.core import preprocess

from .config import VAL_FRACTION
from .data import FaceSample, load_faces5, split
from .evaluate import crops_for, predict_all
from .metrics import nme

log = logging.getLogger(__name__)


class QuantizeCheckError(ValueError):
    """The int8 model is less accurate than the float one by more than the tolerance."""


@dataclass(frozen=True)
class QuantizeReport:
    float_nme: float  # mean NME of the float model on the checked validation faces
    int8_nme: float
    faces: int


def _evenly(samples: list[FaceSample], count: int) -> list[FaceSample]:
    """At most `count` samples spread over the list (so every source is represented)."""
    step = max(1, len(samples) // max(count, 1))
    return samples[::step][:count]


def quantize_model(
    src: Path,
    dst: Path,
    data: Path,
    calibration: int = 300,
    check: int = 1000,
    tolerance: float = 0.002,
    float_first: int = 3,
) -> QuantizeReport:
    """Write the int8 version of `src` to `dst`; raise QuantizeCheckError (writing nothing)
    when its validation NME is more than `tolerance` (a fraction of the eye distance) worse."""
    import onnx
    from onnxruntime.quantization import (
        CalibrationDataReader,
        QuantFormat,
        QuantType,
        quantize_static,
    )
    from onnxruntime.quantization.shape_inference import quant_pre_process

    if float_first < 0:
        raise ValueError(f"--float-first must be 0 or more, got {float_first}")
    float_model = KeypointModel(src, device="cpu")
    spec = float_model.spec
    train, val = split(load_faces5(data), VAL_FRACTION)
    if not train or not val:
        raise ValueError(f"no training or validation faces under {data}")
    calib, _ = crops_for(_evenly(train, calibration), spec, None)

    class Reader(CalibrationDataReader):  # type: ignore[misc]
        def __init__(self) -> None:
            self.batches: Iterator[npt.NDArray[np.float32]] = (
                preprocess(c[None], spec) for c in calib
            )

        def get_next(self) -> dict[str, npt.NDArray[np.float32]] | None:
            batch = next(self.batches, None)
            return None if batch is None else {spec.input_name: batch}

    dst.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=dst.parent) as tmp:
        pre, out = Path(tmp) / "pre.onnx", Path(tmp) / "int8.onnx"
        quant_pre_process(str(src), str(pre), skip_symbolic_shape=True)
        convs = [n.name for n in onnx.load(str(pre)).graph.node if n.op_type == "Conv"]
        quantize_static(
            str(pre), str(out), Reader(), quant_format=QuantFormat.QDQ, per_channel=True,
            activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
            op_types_to_quantize=["Conv", "Relu"],
            nodes_to_exclude=convs[:float_first] + convs[-1:],
        )  # fmt: skip
        quantized = onnx.load(str(out))
        del quantized.metadata_props[:]
        quantized.metadata_props.extend(onnx.load(str(src)).metadata_props)
        onnx.save(quantized, str(out))
        crops, truth = crops_for(_evenly(val, check), spec, None)
        int8_model = KeypointModel(out, device="cpu")
        report = QuantizeReport(
            float(nme(predict_all(float_model, crops), truth).mean()),
            float(nme(predict_all(int8_model, crops), truth).mean()),
            len(crops),
        )
        log.info("validation NME: float %.3f%%, int8 %.3f%% (%d faces)",
                 100 * report.float_nme, 100 * report.int8_nme, report.faces)  # fmt: skip
        if report.int8_nme > report.float_nme + tolerance:
            raise QuantizeCheckError(
                f"int8 validation NME {100 * report.int8_nme:.2f}% is more than "
                f"{100 * tolerance:.2f} points worse than the float model's "
                f"{100 * report.float_nme:.2f}%; nothing written"
            )
        os.replace(out, dst)
    return report
