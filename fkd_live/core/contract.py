"""The model contract: everything the app and `train/` must agree on to use one model file.

A `ModelSpec` says what the network sees (input size, colour order, normalisation), where the face
sits in that input (the CelebA aligned template and the crop of CelebA's frame the input shows),
how a detector's face box is framed, and how to decode the output. It travels as JSON in every
ONNX file's metadata under `METADATA_KEY`; the runtime reads it from there instead of hard-coding.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from .geometry import Matrix, compose_transforms, estimate_similarity, resize_matrix
from .keypoints import KEYPOINT_NAMES, NUM_KEYPOINTS

CONTRACT_VERSION = 1
METADATA_KEY = "fkd_live.contract"

# CelebA's aligned frame and the mean official landmark of each keypoint in it (pixels of the
# published 178x218 images), measured on ../shared/data/faces5/celeba_half (8,000 images).
CELEBA_FRAME: tuple[int, int] = (178, 218)
CELEBA_TEMPLATE: tuple[tuple[float, float], ...] = (
    (69.4, 111.2),
    (107.7, 111.2),
    (87.9, 135.1),
    (71.2, 152.1),
    (105.6, 152.2),
)

# Output decodings the runtime understands. "unit_xy": (N, 10) values x0, y0, x1, y1, ... in
# units of the input's width and height (0 = left/top edge, 1 = right/bottom edge).
OUTPUT_DECODINGS = ("unit_xy",)
COLOR_ORDERS = ("RGB", "GRAY")


class ContractError(ValueError):
    """A model's contract metadata is missing, malformed or of an unsupported version."""


@dataclass(frozen=True)
class ModelSpec:
    """The model I/O description. Tuples only, so specs are hashable and immutable."""

    input_width: int = 80
    input_height: int = 80
    color: str = "RGB"
    # Applied as (pixel / 255 - mean) / std per channel, in `color` order.
    mean: tuple[float, ...] = (0.5, 0.5, 0.5)
    std: tuple[float, ...] = (0.25, 0.25, 0.25)
    layout: str = "NCHW"
    input_name: str = "image"
    output_name: str = "keypoints"
    output_decoding: str = "unit_xy"
    keypoint_order: tuple[str, ...] = KEYPOINT_NAMES
    template: tuple[tuple[float, float], ...] = CELEBA_TEMPLATE
    template_frame: tuple[int, int] = CELEBA_FRAME
    # The square (x, y, side) of CelebA's frame that the model input shows, so aligning a face
    # to the template and cropping is one similarity transform.
    celeba_crop: tuple[float, float, float] = (29.0, 68.0, 120.0)
    # Box framing: the square input covers `box_scale * max(w, h)` around the box centre,
    # shifted down by `box_shift_y * h` (detector boxes sit high on the face).
    box_scale: float = 1.2
    box_shift_y: float = 0.0
    # The optional second output: `(N, 1)` P(the crop holds a readable face, framed as this
    # contract frames faces), in [0, 1]; "" when the model has none (`train/readable.py`).
    score_name: str = ""
    contract_version: int = CONTRACT_VERSION
    extra: tuple[tuple[str, str], ...] = field(default=())

    def __post_init__(self) -> None:
        problems = _problems(self)
        if problems:
            raise ContractError("invalid model contract: " + "; ".join(problems))

    @property
    def channels(self) -> int:
        return 1 if self.color == "GRAY" else 3

    @property
    def input_size(self) -> tuple[int, int]:
        """(width, height) of the model input in pixels."""
        return (self.input_width, self.input_height)

    def template_in_input(self) -> npt.NDArray[np.float64]:
        """The template's `(5, 2)` points in model-input pixels."""
        x0, y0, side = self.celeba_crop
        scale = np.array([self.input_width / side, self.input_height / side])
        points: npt.NDArray[np.float64] = (
            np.asarray(self.template, dtype=np.float64) - (x0, y0)
        ) * scale
        return points

    def celeba_to_input(self) -> Matrix:
        """`(2, 3)` matrix from CelebA-frame pixels (at `template_frame` size) to input pixels."""
        x0, y0, side = self.celeba_crop
        sx, sy = self.input_width / side, self.input_height / side
        return np.array([[sx, 0.0, -x0 * sx], [0.0, sy, -y0 * sy]], dtype=np.float64)

    def aligned_to_input(self, size: tuple[float, float]) -> Matrix:
        """`(2, 3)` matrix from a CelebA-style aligned picture of any `(w, h)` size (the whole
        picture is the CelebA frame, scaled) to input pixels. The app's `--aligned` pictures
        and training's "celeba" framing both use it."""
        return compose_transforms(self.celeba_to_input(), resize_matrix(size, CELEBA_FRAME))

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> ModelSpec:
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ContractError(f"model contract is not valid JSON: {exc}") from exc
        if not isinstance(raw, dict):
            raise ContractError("model contract must be a JSON object")
        return cls.from_dict(raw)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> ModelSpec:
        version = raw.get("contract_version")
        if version != CONTRACT_VERSION:
            raise ContractError(
                f"model contract version {version!r} is not supported (this app reads version "
                f"{CONTRACT_VERSION}); use a model exported by a matching fkd-live"
            )
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(raw) - known)
        if unknown:
            raise ContractError(f"model contract has unknown fields: {', '.join(unknown)}")
        try:
            return cls(**{k: _tupled(v) for k, v in raw.items()})
        except TypeError as exc:
            raise ContractError(f"model contract is malformed: {exc}") from exc

    def with_changes(self, **changes: Any) -> ModelSpec:
        return replace(self, **changes)


def _tupled(value: Any) -> Any:
    """JSON gives lists; the frozen spec stores tuples (recursively)."""
    if isinstance(value, list):
        return tuple(_tupled(v) for v in value)
    return value


def _problems(spec: ModelSpec) -> list[str]:
    out: list[str] = []
    if spec.input_width < 8 or spec.input_height < 8:
        out.append(f"input size {spec.input_size} is too small")
    if spec.color not in COLOR_ORDERS:
        out.append(f"color must be one of {COLOR_ORDERS}, got {spec.color!r}")
    elif len(spec.mean) != spec.channels or len(spec.std) != spec.channels:
        out.append(f"mean/std need {spec.channels} values for {spec.color}")
    if any(s <= 0 for s in spec.std):
        out.append("std values must be positive")
    if spec.layout != "NCHW":
        out.append(f"layout must be NCHW, got {spec.layout!r}")
    if spec.output_decoding not in OUTPUT_DECODINGS:
        out.append(f"output_decoding must be one of {OUTPUT_DECODINGS}")
    if tuple(spec.keypoint_order) != KEYPOINT_NAMES:
        out.append(f"keypoint_order must be {KEYPOINT_NAMES}, got {spec.keypoint_order}")
    if np.asarray(spec.template, dtype=np.float64).shape != (NUM_KEYPOINTS, 2):
        out.append("template must hold five (x, y) points")
    if len(spec.celeba_crop) != 3 or spec.celeba_crop[2] <= 0:
        out.append("celeba_crop must be (x, y, side) with side > 0")
    if spec.box_scale <= 0:
        out.append("box_scale must be positive")
    if spec.score_name and spec.score_name in (spec.input_name, spec.output_name):
        out.append(f"score_name {spec.score_name!r} must differ from the input and output names")
    return out


def crop_from_points(points: npt.ArrayLike, spec: ModelSpec) -> Matrix:
    """`(2, 3)` matrix mapping image pixels into the model input, from known keypoints.

    `points`: `(2, 2)` eyes (left, right) or `(5, 2)` keypoints, image pixels, contract order.
    Two points give the CelebA alignment exactly (eyes onto the template's eyes); five give the
    least-squares fit to the whole template. Raises `DegenerateTransformError` for coincident eyes.
    """
    pts = np.asarray(points, dtype=np.float64)
    if pts.shape not in ((2, 2), (NUM_KEYPOINTS, 2)):
        raise ValueError(f"expected (2, 2) eyes or (5, 2) keypoints, got shape {pts.shape}")
    template = spec.template_in_input()[: pts.shape[0]]
    return estimate_similarity(pts, template)


def crop_from_eyes(left_eye: npt.ArrayLike, right_eye: npt.ArrayLike, spec: ModelSpec) -> Matrix:
    """`(2, 3)` matrix aligning a face from its image-left and image-right eye (x, y) pixels."""
    return crop_from_points(np.stack([np.asarray(left_eye), np.asarray(right_eye)]), spec)


def crop_from_box(box: npt.ArrayLike, spec: ModelSpec) -> Matrix:
    """`(2, 3)` matrix framing an axis-aligned face box `(x, y, w, h)` pixels into the input.

    The input shows the square of side `box_scale * max(w, h)` centred on the box centre
    (moved down by `box_shift_y * h`), without rotation.
    """
    x, y, w, h = (float(v) for v in np.asarray(box, dtype=np.float64).reshape(4))
    if not (w > 0 and h > 0) or not np.isfinite([x, y, w, h]).all():
        raise ValueError(f"face box must have positive width and height, got {(x, y, w, h)}")
    side = spec.box_scale * max(w, h)
    cx, cy = x + w / 2.0, y + h / 2.0 + spec.box_shift_y * h
    sx, sy = spec.input_width / side, spec.input_height / side
    return np.array(
        [[sx, 0.0, spec.input_width / 2.0 - cx * sx], [0.0, sy, spec.input_height / 2.0 - cy * sy]],
        dtype=np.float64,
    )


def preprocess(crops: npt.NDArray[np.uint8], spec: ModelSpec) -> npt.NDArray[np.float32]:
    """Model input tensor from warped crops.

    `crops`: `(N, H, W, 3) uint8` RGB (or `(N, H, W)` grey) at the spec's input size.
    Returns `(N, C, H, W) float32` normalised as the spec says.
    """
    arr: npt.NDArray[np.generic] = np.asarray(crops)
    if arr.ndim == 3:
        arr = arr[..., None]
    if arr.ndim != 4 or arr.shape[1:3] != (spec.input_height, spec.input_width):
        raise ValueError(
            f"crops must be (N, {spec.input_height}, {spec.input_width}, C), got {arr.shape}"
        )
    if spec.color == "GRAY" and arr.shape[-1] == 3:
        # ITU-R BT.601 luma, the weights cv2's RGB2GRAY uses.
        arr = arr.astype(np.float32) @ np.array([0.299, 0.587, 0.114], dtype=np.float32)[:, None]
    elif spec.color == "RGB" and arr.shape[-1] == 1:
        arr = np.repeat(arr, 3, axis=-1)
    # (v / 255 - mean) / std as one multiply-add per value, on the NCHW copy made anyway: this
    # runs on every frame, and the three-step form took several times as long.
    std = np.asarray(spec.std, dtype=np.float64)
    gain = (1.0 / (255.0 * std)).astype(np.float32)[:, None, None]
    offset = (-np.asarray(spec.mean, dtype=np.float64) / std).astype(np.float32)[:, None, None]
    out: npt.NDArray[np.float32] = np.ascontiguousarray(arr.transpose(0, 3, 1, 2), np.float32)
    out *= gain
    out += offset
    return out


def decode_output(output: npt.ArrayLike, spec: ModelSpec) -> npt.NDArray[np.float64]:
    """`(N, 10)` raw model output to `(N, 5, 2) float64` keypoints in model-input pixels."""
    out = np.asarray(output, dtype=np.float64)
    if out.ndim != 2 or out.shape[1] != 2 * NUM_KEYPOINTS:
        raise ValueError(f"model output must be (N, 10), got {out.shape}")
    points: npt.NDArray[np.float64] = out.reshape(-1, NUM_KEYPOINTS, 2) * np.array(
        [spec.input_width, spec.input_height], dtype=np.float64
    )
    return points


def encode_target(points: npt.ArrayLike, spec: ModelSpec) -> npt.NDArray[np.float32]:
    """Inverse of `decode_output`: `(N, 5, 2)` input pixels to `(N, 10) float32` targets."""
    pts = np.asarray(points, dtype=np.float64)
    if pts.shape[-2:] != (NUM_KEYPOINTS, 2):
        raise ValueError(f"expected (N, 5, 2) keypoints, got {pts.shape}")
    unit = pts / np.array([spec.input_width, spec.input_height])
    target: npt.NDArray[np.float32] = unit.reshape(-1, 2 * NUM_KEYPOINTS).astype(np.float32)
    return target
