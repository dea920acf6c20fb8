"""The onnxruntime adapter reads the contract from the model file and reports its provider."""

import logging
import sys

import numpy as np
import pytest

from fkd_live.adapters.runtime import (
    CPU_PROVIDER,
    CUDA_PROVIDER,
    KeypointModel,
    ModelLoadError,
    RuntimeMissingError,
    choose_providers,
    import_onnxruntime,
)
from fkd_live.core import ContractError, ModelSpec
from tests.conftest import write_template_model


def test_provider_choice():
    both = [CUDA_PROVIDER, CPU_PROVIDER]
    assert choose_providers("auto", both) == [CUDA_PROVIDER, CPU_PROVIDER]
    assert choose_providers("gpu", both) == [CUDA_PROVIDER, CPU_PROVIDER]
    assert choose_providers("cpu", both) == [CPU_PROVIDER]
    assert choose_providers("auto", [CPU_PROVIDER]) == [CPU_PROVIDER]
    with pytest.raises(ValueError, match="device"):
        choose_providers("tpu", both)


def test_contract_travels_in_the_model(tmp_path):
    spec = ModelSpec(input_width=64, input_height=64)
    path = write_template_model(tmp_path / "m.onnx", spec.to_json())
    model = KeypointModel(path, device="cpu")
    assert model.spec == spec
    assert model.provider == CPU_PROVIDER
    crops = np.zeros((3, 64, 64, 3), dtype=np.uint8)
    pts = model.predict(crops)
    assert pts.shape == (3, 5, 2)
    np.testing.assert_allclose(pts[1], spec.template_in_input(), atol=1e-4)
    assert model.predict(crops[:0]).shape == (0, 5, 2)


def test_gpu_request_on_cpu_only_machine_warns(template_model, caplog):
    import onnxruntime

    if CUDA_PROVIDER in onnxruntime.get_available_providers():
        pytest.skip("this machine has CUDA")
    with caplog.at_level(logging.WARNING):
        model = KeypointModel(template_model, device="gpu")
    assert model.provider == CPU_PROVIDER
    assert "GPU was asked for" in caplog.text


def test_model_without_contract_is_rejected(tmp_path):
    path = write_template_model(tmp_path / "bare.onnx", metadata=False)
    with pytest.raises(ContractError, match="not exported by fkd-live"):
        KeypointModel(path)


def test_missing_and_broken_model_files(tmp_path):
    with pytest.raises(ModelLoadError, match="not found"):
        KeypointModel(tmp_path / "absent.onnx")
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"not a model")
    with pytest.raises(ModelLoadError, match="cannot load model"):
        KeypointModel(junk)


def test_missing_runtime_names_both_extras(monkeypatch):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    with pytest.raises(RuntimeMissingError) as info:
        import_onnxruntime()
    assert "fkd-live[cpu]" in str(info.value)
    assert "fkd-live[gpu]" in str(info.value)
