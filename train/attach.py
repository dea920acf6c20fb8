"""Attach a readable-face score model to a keypoint model (issue 18): one ONNX file, one input,
two outputs ("keypoints" and "score"), the contract naming the second (`ModelSpec.score_name`).

    python -m train attach-score KEYPOINTS.onnx SCORE.onnx -o OUT.onnx
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from fkd_live.core import ModelSpec
from fkd_live.core.files import replacing


def attach_score(keypoints: Path, score: Path, output: Path, seed: int = 0) -> float:
    """Write `output`: the keypoint model `keypoints` with the score model's graph beside it on
    the same input, as a second output named "score" recorded in the contract (`score_name`).
    Checked with onnxruntime on a random batch: the keypoints exactly as before, the score as
    the score model's; returns the score's largest difference. Written atomically."""
    import onnx
    import onnxruntime as ort

    from fkd_live.core import METADATA_KEY

    kp, sc = onnx.load(str(keypoints)), onnx.load(str(score))
    kp_opset, sc_opset = _opset(kp), _opset(sc)
    if kp_opset != sc_opset:  # one graph, one opset: raise the older model's
        from onnx import version_converter

        newest = max(kp_opset, sc_opset)
        kp, sc = (m if _opset(m) == newest else version_converter.convert_version(m, newest)
                  for m in (kp, sc))  # fmt: skip
    meta = {p.key: p.value for p in kp.metadata_props}
    spec = ModelSpec.from_json(meta[METADATA_KEY])
    if spec.score_name or "score" in [o.name for o in kp.graph.output]:
        raise ValueError(f"{keypoints} already has a score output")
    spec = spec.with_changes(score_name="score")
    if [i.name for i in sc.graph.input] != [spec.input_name]:
        raise ValueError(f"{score}: its input must be named {spec.input_name!r}")
    sc = onnx.compose.add_prefix(sc, "readable/", rename_inputs=False, rename_outputs=False)
    graph = kp.graph
    graph.node.extend(sc.graph.node)
    graph.initializer.extend(sc.graph.initializer)
    graph.value_info.extend(sc.graph.value_info)
    graph.output.extend([o for o in sc.graph.output if o.name == "score"])
    del kp.metadata_props[:]
    for key, value in {**meta, METADATA_KEY: spec.to_json()}.items():
        entry = kp.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.checker.check_model(kp)
    x = np.random.default_rng(seed).normal(size=(3, spec.channels, spec.input_height,
                                                 spec.input_width)).astype(np.float32)  # fmt: skip

    def run(model: str, names: list[str]) -> list[npt.NDArray[np.float32]]:
        session = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
        return list(session.run(names, {spec.input_name: x}))

    with replacing(output) as tmp:  # checked before it takes the name
        onnx.save(kp, str(tmp))
        got_k, got_s = run(str(tmp), [spec.output_name, "score"])
        (want_k,), (want_s,) = run(str(keypoints), [spec.output_name]), run(str(score), ["score"])
        if not np.array_equal(got_k, want_k):
            raise ValueError("attaching the score changed the keypoints")
        diff = float(np.max(np.abs(got_s - want_s)))
        if diff > 1e-5:
            raise ValueError(f"the attached score differs from the score model by {diff:.2e}")
    return diff


def _opset(model: Any) -> int:
    """The default-domain ONNX opset of a model."""
    return int(next(o.version for o in model.opset_import if o.domain in ("", "ai.onnx")))
