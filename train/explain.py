"""Grad-CAM (Selvaraju et al., 2017) for one output coordinate of a keypoint regressor.

For a coordinate such as `lefteye_y`, the gradient of that output with respect to a convolution
layer's activations weights its channels; the ReLU of the weighted sum shows which pixels moved
the prediction. Shown at the first, a middle and the last convolution layer.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
import torch
from torch import nn

from fkd_live.core import COORDINATE_NAMES, ModelSpec, preprocess
from fkd_live.core.files import OutputError, replacing


def conv_layers(model: nn.Module) -> list[tuple[str, nn.Conv2d]]:
    """The first, a middle and the last 2-D convolution, in forward order."""
    convs = [(n, m) for n, m in model.named_modules() if isinstance(m, nn.Conv2d)]
    if not convs:
        raise ValueError("the model has no convolution layer to explain")
    picks = sorted({0, len(convs) // 2, len(convs) - 1})
    return [convs[i] for i in picks]


def grad_cam(
    model: nn.Module, x: torch.Tensor, coordinate: str, layer: nn.Module
) -> npt.NDArray[np.float32]:
    """`(N, H, W)` maps in [0, 1] at the input's size for output `coordinate`."""
    if coordinate not in COORDINATE_NAMES:
        raise ValueError(f"coordinate must be one of {', '.join(COORDINATE_NAMES)}")
    index = COORDINATE_NAMES.index(coordinate)
    saved: dict[str, torch.Tensor] = {}

    def keep(_: nn.Module, __: tuple[torch.Tensor, ...], out: torch.Tensor) -> None:
        out.retain_grad()
        saved["act"] = out

    handle = layer.register_forward_hook(keep)
    try:
        model.eval()
        model.zero_grad()
        out = model(x)
        out[:, index].sum().backward()
    finally:
        handle.remove()
    act = saved["act"]
    grad = act.grad
    assert grad is not None
    weights = grad.mean(dim=(2, 3), keepdim=True)
    cam = torch.relu((weights * act).sum(dim=1)).detach()
    cam = nn.functional.interpolate(cam[:, None], size=x.shape[2:], mode="bilinear")[:, 0]
    peak = cam.flatten(1).max(dim=1).values.clamp_min(1e-12)[:, None, None]
    result: npt.NDArray[np.float32] = (cam / peak).numpy().astype(np.float32)
    return result


def overlay(crop: npt.NDArray[np.uint8], cam: npt.NDArray[np.float32]) -> npt.NDArray[np.uint8]:
    """A heat map (jet) blended over an RGB crop."""
    heat = cv2.applyColorMap((255 * cam).astype(np.uint8), cv2.COLORMAP_JET)
    heat = cv2.cvtColor(heat, cv2.COLOR_BGR2RGB)
    return np.asarray(cv2.addWeighted(crop, 0.5, heat, 0.5, 0.0), dtype=np.uint8)


def explain_sheet(
    model: nn.Module,
    spec: ModelSpec,
    crops: npt.NDArray[np.uint8],
    coordinate: str,
    path: Path,
    scale: int = 3,
) -> Path:
    """A PNG: one row per crop; columns: the crop, then Grad-CAM at first/middle/last conv."""
    x = torch.from_numpy(preprocess(crops, spec)).requires_grad_(True)
    layers = conv_layers(model)
    cams = [grad_cam(model, x, coordinate, layer) for _, layer in layers]
    rows = []
    for i, crop in enumerate(crops):
        tiles = [crop] + [overlay(crop, cam[i]) for cam in cams]
        rows.append(
            np.hstack(
                [
                    cv2.resize(t, None, fx=scale, fy=scale, interpolation=cv2.INTER_NEAREST)
                    for t in tiles
                ]
            )
        )
    sheet = np.vstack(rows)
    header = np.full((28, sheet.shape[1], 3), 255, np.uint8)
    labels = [
        "input",
        *(
            f"{name} ({kind})"
            for (name, _), kind in zip(layers, ("first", "middle", "last"), strict=False)
        ),
    ]
    width = crops.shape[2] * scale
    for j, text in enumerate(labels):
        cv2.putText(
            header,
            text[:28],
            (j * width + 4, 19),
            cv2.FONT_HERSHEY_SIMPLEX,
            0.4,
            (0, 0, 0),
            1,
            cv2.LINE_AA,
        )
    image = np.vstack([header, sheet])
    path.parent.mkdir(parents=True, exist_ok=True)
    with replacing(path) as tmp:
        if not cv2.imwrite(str(tmp), cv2.cvtColor(image, cv2.COLOR_RGB2BGR)):
            raise OutputError(f"cannot write {path}: OpenCV could not encode {path.suffix}")
    return path
