"""Shared fixtures. Qt runs offscreen; real data come from ../shared beside the checkout."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("FKD_SHARED", REPO.parent / "shared"))
FACES5 = SHARED / "data" / "faces5"
DETECTOR = SHARED / "models" / "blaze_face_short_range.tflite"
SHIPPED_MODEL = REPO / "models" / "fkd5.onnx"


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is not available")
    return path


def write_template_model(path: Path, spec_json: str | None = None, metadata: bool = True) -> Path:
    """An ONNX model that always answers the contract's template (the mean aligned face):
    input -> GlobalAveragePool -> Flatten -> Gemm with zero weights and the template as bias.
    Built with onnx.helper alone, so app tests never need torch."""
    import onnx
    from onnx import TensorProto, helper

    from fkd_live.core import METADATA_KEY, ModelSpec

    spec = ModelSpec.from_json(spec_json) if spec_json else ModelSpec()
    unit = spec.template_in_input() / (spec.input_width, spec.input_height)
    weights = helper.make_tensor(
        "w", TensorProto.FLOAT, [spec.channels, 10], np.zeros(spec.channels * 10, np.float32)
    )
    bias = helper.make_tensor("b", TensorProto.FLOAT, [10], unit.reshape(10).astype(np.float32))
    graph = helper.make_graph(
        [
            helper.make_node("GlobalAveragePool", [spec.input_name], ["pooled"]),
            helper.make_node("Flatten", ["pooled"], ["flat"]),
            helper.make_node("Gemm", ["flat", "w", "b"], [spec.output_name]),
        ],
        "template",
        [
            helper.make_tensor_value_info(
                spec.input_name,
                TensorProto.FLOAT,
                ["batch", spec.channels, spec.input_height, spec.input_width],
            )
        ],
        [helper.make_tensor_value_info(spec.output_name, TensorProto.FLOAT, ["batch", 10])],
        initializer=[weights, bias],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    if metadata:
        entry = model.metadata_props.add()
        entry.key, entry.value = METADATA_KEY, spec.to_json()
    onnx.save(model, str(path))
    return path


@pytest.fixture(scope="session")
def template_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_template_model(tmp_path_factory.mktemp("models") / "template.onnx")


@pytest.fixture(scope="session")
def shipped_model() -> Path:
    return need(SHIPPED_MODEL)


@pytest.fixture(scope="session")
def detector_model() -> Path:
    return need(DETECTOR)


@pytest.fixture(autouse=True)
def offline_user_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Every test gets an empty user cache and a detector URL that fails at once (no network,
    nothing written into the real cache); tests that need a download point the URL elsewhere."""
    home = tmp_path_factory.mktemp("home")
    cache = home / "xdg-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    monkeypatch.setenv("FKD_LIVE_DETECTOR_URL", (home / "offline" / "none.tflite").as_uri())
    monkeypatch.delenv("FKD_LIVE_DETECTOR_MODEL", raising=False)
    return cache
