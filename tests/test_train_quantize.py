"""int8 quantisation: the contract travels, the heatmap conv stays float, a failed check writes
nothing."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
onnx = pytest.importorskip("onnx")

from fkd_live.adapters.runtime import KeypointModel  # noqa: E402
from fkd_live.core import ModelSpec  # noqa: E402
from tests.test_train_fit import write_faces5  # noqa: E402
from train.__main__ import main as train_main  # noqa: E402
from train.export import export_onnx  # noqa: E402
from train.models import build_model  # noqa: E402
from train.quantize import QuantizeCheckError, quantize_model  # noqa: E402

SPEC = ModelSpec(input_width=48, input_height=48)


@pytest.fixture
def float_model(tmp_path):
    torch.manual_seed(0)
    path = tmp_path / "float.onnx"
    export_onnx(build_model("heatmap", SPEC), SPEC, path)
    return path


def _int8_weights(path):
    """Per convolution in graph order: are its weights dequantised (int8)?"""
    graph = onnx.load(str(path)).graph
    made_by = {o: n.op_type for n in graph.node for o in n.output}
    return [
        made_by.get(n.input[1]) == "DequantizeLinear" for n in graph.node if n.op_type == "Conv"
    ]


def test_int8_model_keeps_the_contract_a_float_stem_and_heatmap_conv(tmp_path, float_model, capsys):
    data = write_faces5(tmp_path / "faces5", n=24)
    out = tmp_path / "int8.onnx"
    assert train_main(["quantize", str(float_model), "-o", str(out), "--data", str(data),
                       "--calibration", "8", "--check", "8"]) == 0  # fmt: skip
    assert "int8" in capsys.readouterr().out
    model = KeypointModel(out)
    assert model.spec == SPEC
    graph = onnx.load(str(out)).graph
    assert any(n.op_type == "DequantizeLinear" for n in graph.node)
    int8 = _int8_weights(out)
    assert len(int8) == 16  # the heatmap net's convolutions, in graph order
    assert int8 == [False] * 3 + [True] * 12 + [False]  # stem and heatmap conv float
    # The int8 convolutions' ReLUs are folded into their output quantisation; the stem keeps its.
    assert [n.op_type for n in graph.node].count("Relu") == 3
    crops = np.random.default_rng(0).integers(0, 256, (4, 48, 48, 3), dtype=np.uint8)
    np.testing.assert_allclose(
        model.predict(crops), KeypointModel(float_model).predict(crops), atol=1.0
    )


def test_float_first_sets_how_many_leading_convolutions_stay_float(tmp_path, float_model):
    data = write_faces5(tmp_path / "faces5", n=24)
    out = tmp_path / "int8.onnx"
    quantize_model(float_model, out, data, calibration=8, check=8, tolerance=1.0, float_first=0)
    assert _int8_weights(out) == [True] * 15 + [False]
    assert not [n for n in onnx.load(str(out)).graph.node if n.op_type == "Relu"]
    with pytest.raises(ValueError, match="0 or more"):
        quantize_model(float_model, out, data, float_first=-1)


def test_a_failed_check_writes_nothing(tmp_path, float_model):
    data = write_faces5(tmp_path / "faces5", n=24)
    out = tmp_path / "int8.onnx"
    with pytest.raises(QuantizeCheckError, match="nothing written"):
        quantize_model(float_model, out, data, calibration=8, check=8, tolerance=-1.0)
    assert not out.exists()
    assert list(tmp_path.glob("*.onnx")) == [float_model]
