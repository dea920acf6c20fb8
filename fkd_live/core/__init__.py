"""Pure-numpy heart of fkd-live: geometry, alignment and the model contract.

Nothing here imports OpenCV, Qt, onnxruntime, mediapipe or torch (a test enforces it), so both the
app and `train/` can share it and every function is testable with hand-computed numbers.
"""

from .contract import (
    CELEBA_FRAME,
    CELEBA_TEMPLATE,
    METADATA_KEY,
    ContractError,
    ModelSpec,
    crop_from_box,
    crop_from_eyes,
    crop_from_points,
    decode_output,
    encode_target,
    preprocess,
)
from .geometry import (
    DegenerateTransformError,
    apply_transform,
    compose_transforms,
    estimate_similarity,
    invert_transform,
    is_invertible,
    resize_matrix,
    similarity_matrix,
    transform_scale,
)
from .keypoints import (
    COORDINATE_NAMES,
    FLIP_PERMUTATION,
    KEYPOINT_NAMES,
    NUM_KEYPOINTS,
    Keypoint,
    flip_keypoints_horizontally,
)

__all__ = [
    "CELEBA_FRAME",
    "CELEBA_TEMPLATE",
    "COORDINATE_NAMES",
    "FLIP_PERMUTATION",
    "KEYPOINT_NAMES",
    "METADATA_KEY",
    "NUM_KEYPOINTS",
    "ContractError",
    "DegenerateTransformError",
    "Keypoint",
    "ModelSpec",
    "apply_transform",
    "compose_transforms",
    "crop_from_box",
    "crop_from_eyes",
    "crop_from_points",
    "decode_output",
    "encode_target",
    "estimate_similarity",
    "flip_keypoints_horizontally",
    "invert_transform",
    "is_invertible",
    "preprocess",
    "resize_matrix",
    "similarity_matrix",
    "transform_scale",
]
