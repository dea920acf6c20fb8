"""onnxruntime adapter: load a keypoint model, read its contract, run it on aligned crops."""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import numpy.typing as npt

from ..core.contract import METADATA_KEY, ContractError, ModelSpec, decode_output, preprocess

log = logging.getLogger(__name__)

CUDA_PROVIDER = "CUDAExecutionProvider"
CPU_PROVIDER = "CPUExecutionProvider"
DEVICES = ("auto", "cpu", "gpu")
SHIPPED_MODEL = "fkd5.onnx"

MISSING_RUNTIME = (
    "no ONNX runtime is installed: pip install 'fkd-live[cpu]' (onnxruntime) "
    "or 'fkd-live[gpu]' (onnxruntime-gpu), not both"
)


class RuntimeMissingError(RuntimeError):
    """Neither onnxruntime nor onnxruntime-gpu is importable."""


class ModelLoadError(RuntimeError):
    """The model file is missing, unreadable or not an fkd-live model."""


def import_onnxruntime() -> ModuleType:
    try:
        import onnxruntime

        module: ModuleType = onnxruntime
    except ImportError as exc:
        raise RuntimeMissingError(MISSING_RUNTIME) from exc
    return module


def shipped_model_path() -> Path:
    """Where the installed package keeps its model (it may be absent in a bare checkout)."""
    return Path(str(resources.files("fkd_live.models").joinpath(SHIPPED_MODEL)))


def choose_providers(device: str, available: list[str]) -> list[str]:
    """Execution providers to ask for: CUDA first when allowed and present, CPU always last."""
    if device not in DEVICES:
        raise ValueError(f"device must be one of {DEVICES}, got {device!r}")
    if device != "cpu" and CUDA_PROVIDER in available:
        return [CUDA_PROVIDER, CPU_PROVIDER]
    return [CPU_PROVIDER]


def read_spec(session: Any) -> ModelSpec:
    """The contract stored in an onnxruntime session's model metadata."""
    meta = session.get_modelmeta().custom_metadata_map
    if METADATA_KEY not in meta:
        raise ContractError(
            f"the model has no '{METADATA_KEY}' metadata: it was not exported by fkd-live"
        )
    return ModelSpec.from_json(meta[METADATA_KEY])


class KeypointModel:
    """A five-keypoint ONNX model and the contract that came inside it."""

    def __init__(self, path: str | Path, device: str = "auto", threads: int = 0) -> None:
        ort = import_onnxruntime()
        model_path = Path(path)
        if not model_path.is_file():
            raise ModelLoadError(f"model file not found: {model_path}")
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.log_severity_level = 3
        providers = choose_providers(device, list(ort.get_available_providers()))
        try:
            self._session = ort.InferenceSession(
                str(model_path), sess_options=options, providers=providers
            )
        except Exception as exc:  # onnxruntime raises its own exception types
            raise ModelLoadError(f"cannot load model {model_path}: {exc}") from exc
        self.path = model_path
        self.spec = read_spec(self._session)
        # The GPU build silently falls back to CPU when CUDA is unusable: report what runs.
        self.provider: str = self._session.get_providers()[0]
        if device == "gpu" and self.provider != CUDA_PROVIDER:
            log.warning("a GPU was asked for, but the model runs on %s", self.provider)
        log.info("keypoint model %s on %s", model_path.name, self.provider)

    @property
    def on_gpu(self) -> bool:
        return self.provider == CUDA_PROVIDER

    @property
    def has_score(self) -> bool:
        """Whether the model also says how readable each crop's face is (`ModelSpec.score_name`)."""
        return bool(self.spec.score_name)

    def predict(self, crops: npt.NDArray[np.uint8]) -> npt.NDArray[np.float64]:
        """`(N, H, W, 3) uint8` RGB crops to `(N, 5, 2) float64` keypoints in input pixels."""
        return self.predict_scored(crops)[0]

    def predict_scored(
        self, crops: npt.NDArray[np.uint8]
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64] | None]:
        """Keypoints as `predict`, and each crop's readable-face score `(N,)` in [0, 1] (None
        for a model without one), from one model run."""
        if len(crops) == 0:
            return np.zeros((0, 5, 2), dtype=np.float64), (np.zeros(0) if self.has_score else None)
        x = preprocess(crops, self.spec)
        names = [self.spec.output_name] + ([self.spec.score_name] if self.has_score else [])
        out = self._session.run(names, {self.spec.input_name: x})
        score = np.asarray(out[1], np.float64).reshape(len(crops)) if self.has_score else None
        return decode_output(out[0], self.spec), score
