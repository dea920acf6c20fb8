"""AR props: an image plus a small JSON of anchor points, placed on a face from its keypoints.

A prop file `NAME.json` beside its image:

    {"name": "Round glasses", "image": "glasses.png",
     "anchors": {"lefteye": [130, 96], "righteye": [382, 96]}}

`anchors` maps keypoint names (the contract's: lefteye, righteye, nose, leftmouth, rightmouth;
"left" is image-left) to the pixel in the prop image that should land on that keypoint. Anchors
may lie outside the image (a hat's eye anchors sit below its brim). Two or more anchors are needed.

Placement is the least-squares similarity (scale, rotation, shift) taking the anchors onto the
face's keypoints, so the prop follows the face's size, position and roll. With a head pose, a prop
anchored on one horizontal line (the eyes) is also stretched along its vertical axis by 1/cos(yaw):
its scale comes from the eye distance, which foreshortens as the head turns while the face's
height does not. Pure numpy.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import numpy.typing as npt

from .geometry import Matrix, compose_transforms, estimate_similarity
from .keypoints import KEYPOINT_NAMES

# Yaw beyond which the vertical correction stops growing (1 / cos 60 deg = 2).
MAX_YAW_CORRECTION_DEG = 60.0


class PropError(ValueError):
    """A prop description is missing, malformed or names an unknown keypoint."""


@dataclass(frozen=True)
class Prop:
    """A prop: display name, image path, and `(K, 2)` anchors for the keypoint indices `rows`."""

    name: str
    image: Path
    rows: tuple[int, ...]
    anchors: tuple[tuple[float, float], ...]
    source: Path = Path("prop.json")  # the JSON file it was read from

    @property
    def anchor_array(self) -> npt.NDArray[np.float64]:
        return np.asarray(self.anchors, dtype=np.float64)


def parse_prop(raw: object, folder: Path, origin: str = "prop") -> Prop:
    """A `Prop` from a parsed JSON object; the image path is relative to `folder`."""
    if not isinstance(raw, dict):
        raise PropError(f"{origin}: expected a JSON object")
    name, image, anchors = raw.get("name"), raw.get("image"), raw.get("anchors")
    if not isinstance(name, str) or not name:
        raise PropError(f"{origin}: 'name' must be a non-empty string")
    if not isinstance(image, str) or not image:
        raise PropError(f"{origin}: 'image' must be a file name")
    if not isinstance(anchors, dict) or len(anchors) < 2:
        raise PropError(f"{origin}: 'anchors' must map at least two keypoint names to [x, y]")
    rows, points = [], []
    for key, value in anchors.items():
        if key not in KEYPOINT_NAMES:
            raise PropError(f"{origin}: unknown keypoint {key!r}; use {', '.join(KEYPOINT_NAMES)}")
        if (
            not isinstance(value, list)
            or len(value) != 2
            or not all(isinstance(v, int | float) and math.isfinite(v) for v in value)
        ):
            raise PropError(f"{origin}: anchor {key!r} must be [x, y] numbers")
        rows.append(KEYPOINT_NAMES.index(key))
        points.append((float(value[0]), float(value[1])))
    if np.ptp(np.asarray(points), axis=0).max() <= 0:
        raise PropError(f"{origin}: anchors must not all be the same point")
    return Prop(name, folder / image, tuple(rows), tuple(points))


def load_prop(path: Path) -> Prop:
    """Read `NAME.json`; the image must exist beside it."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PropError(f"{path}: cannot read prop description ({exc})") from exc
    prop = replace(parse_prop(raw, path.parent, str(path)), source=path)
    if not prop.image.is_file():
        raise PropError(f"{path}: image {prop.image.name} not found beside it")
    return prop


def load_props(folder: Path) -> list[Prop]:
    """Every `*.json` prop in a folder, sorted by file name."""
    return [load_prop(p) for p in sorted(folder.glob("*.json"))]


def shipped_props_folder() -> Path:
    """The folder of the props that ship inside the package (`assets/`)."""
    from importlib import resources

    return Path(str(resources.files("fkd_live.assets")))


def user_props(folder: Path) -> tuple[list[Prop], list[str]]:
    """The props in a user's folder, and a reason for each one skipped (bad JSON, anchors)."""
    if not folder.is_dir():
        raise PropError(f"props folder not found: {folder}")
    props, skipped = [], []
    for path in sorted(folder.glob("*.json")):
        try:
            props.append(load_prop(path))
        except PropError as exc:
            skipped.append(str(exc))
    return props, skipped


def choose_prop(props: list[Prop], key: str | None) -> int | None:
    """Index of the prop called `key` (its JSON file's stem or its display name, any case);
    None for None or "none"; `PropError` naming the choices otherwise."""
    if key is None or key.lower() == "none":
        return None
    for i, prop in enumerate(props):
        if key.lower() in (prop.source.stem.lower(), prop.name.lower()):
            return i
    names = ", ".join(p.source.stem for p in props)
    raise PropError(f"unknown prop {key!r}; choose one of: none, {names}")


def placement(prop: Prop, keypoints: npt.ArrayLike, yaw_deg: float | None = None) -> Matrix:
    """`(2, 3)` matrix from prop-image pixels to frame pixels for a face's `(5, 2)` keypoints."""
    src = prop.anchor_array
    dst = np.asarray(keypoints, dtype=np.float64)[list(prop.rows)]
    stretch = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    spread = np.ptp(src, axis=0)
    if yaw_deg is not None and spread[1] <= 0.1 * spread[0]:
        yaw = math.radians(min(abs(yaw_deg), MAX_YAW_CORRECTION_DEG))
        # Stretch the prop along its own vertical axis, about its anchors' centre, so the
        # anchors' horizontal spread (what the eyes fix) is kept and the height is restored.
        k = 1.0 / math.cos(yaw)
        cy = float(src[:, 1].mean())
        stretch = np.array([[1.0, 0.0, 0.0], [0.0, k, cy * (1.0 - k)]])
    fit = estimate_similarity(src, dst)
    return compose_transforms(fit, stretch)
