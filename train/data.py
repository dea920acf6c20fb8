"""Five-point face datasets loaded into memory as images plus `(5, 2)` keypoints in their pixels.

Every loader returns keypoints in the project's convention: (x, y) pixels, "left" = image-left.
Bad rows (missing or unreadable image, NaN, a point outside the image) are skipped and counted,
never fatal, so one broken file cannot stop a run.
"""

from __future__ import annotations

import csv
import hashlib
import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from fkd_live.core import CELEBA_FRAME, COORDINATE_NAMES, apply_transform, resize_matrix

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FaceSample:
    """One labelled face. `image`: `(H, W, 3)` or `(H, W)` uint8 RGB/grey; `points`: `(5, 2)`."""

    image: npt.NDArray[np.uint8]
    points: npt.NDArray[np.float64]
    source: str
    image_id: str
    # (x, y, w, h) of a face box the dataset itself gives (e.g. MTFL's whole crop), if any.
    box: tuple[float, float, float, float] | None = None
    # The dataset's official partition ("train", "val", "test") when it publishes one.
    split: str | None = None


@dataclass
class LoadReport:
    """What a loader kept and why it skipped the rest."""

    kept: int = 0
    skipped: Counter[str] = field(default_factory=Counter)

    def skip(self, reason: str) -> None:
        self.skipped[reason] += 1

    def summary(self) -> str:
        parts = [f"{n} {why}" for why, n in sorted(self.skipped.items())]
        return f"kept {self.kept}" + (f", skipped {', '.join(parts)}" if parts else "")


def load_image(path: Path) -> npt.NDArray[np.uint8] | None:
    """`(H, W, 3)` RGB, or `(H, W)` for greyscale files (kept single-channel to save memory)."""
    data = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if data is None:
        return None
    if data.ndim == 3 and data.shape[2] == 4:
        data = data[:, :, :3]
    if data.ndim == 3:
        # Some "grey" JPEGs are stored as three equal channels: keep them single-channel.
        if np.array_equal(data[:, :, 0], data[:, :, 1]) and np.array_equal(
            data[:, :, 1], data[:, :, 2]
        ):
            return np.ascontiguousarray(data[:, :, 0])
        return np.ascontiguousarray(cv2.cvtColor(data, cv2.COLOR_BGR2RGB))
    return np.ascontiguousarray(data.astype(np.uint8))


def validation_fold(image_id: str, fraction: float) -> bool:
    """A stable, order-free split: an image is in validation iff its id hashes below `fraction`."""
    digest = hashlib.sha1(image_id.encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32 < fraction


def _parse_points(row: dict[str, str]) -> npt.NDArray[np.float64] | None:
    try:
        values = [float(row[name]) for name in COORDINATE_NAMES]
    except (KeyError, TypeError, ValueError):
        return None
    pts = np.asarray(values, dtype=np.float64).reshape(5, 2)
    return pts if np.all(np.isfinite(pts)) else None


def read_five_point_csv(
    csv_path: Path,
    source: str,
    *,
    image_dir: Path | None = None,
    label_frame: tuple[int, int] | None = None,
    whole_image_box: bool = False,
    limit: int | None = None,
) -> tuple[list[FaceSample], LoadReport]:
    """Read a CSV with CelebA's header; `image_id` is relative to `image_dir` (default: the CSV's
    folder). With `label_frame` (w, h), labels are in that frame and are scaled by the image's size
    over it, pixel centres kept on pixel centres (CelebA's official labels on a resized copy)."""
    root = image_dir if image_dir is not None else csv_path.parent
    report = LoadReport()
    samples: list[FaceSample] = []
    with csv_path.open(newline="") as fh:
        for row in csv.DictReader(fh):
            if limit is not None and len(samples) >= limit:
                break
            sample = _row_to_sample(row, root, source, label_frame, whole_image_box, report)
            if sample is not None:
                samples.append(sample)
    report.kept = len(samples)
    log.info("%s: %s", source, report.summary())
    return samples, report


def _row_to_sample(
    row: dict[str, str],
    root: Path,
    source: str,
    label_frame: tuple[int, int] | None,
    whole_image_box: bool,
    report: LoadReport,
) -> FaceSample | None:
    image_id = (row.get("image_id") or "").strip()
    pts = _parse_points(row)
    if pts is None:
        report.skip("bad or missing coordinates")
        return None
    image = load_image(root / image_id) if image_id else None
    if image is None:
        report.skip("missing or unreadable image")
        return None
    h, w = image.shape[:2]
    if label_frame is not None:
        pts = apply_transform(resize_matrix(label_frame, (w, h)), pts)
    if np.any(pts < -0.5) or np.any(pts[:, 0] > w - 0.5) or np.any(pts[:, 1] > h - 0.5):
        report.skip("point outside the image")
        return None
    box = (0.0, 0.0, float(w), float(h)) if whole_image_box else None
    return FaceSample(image=image, points=pts, source=source, image_id=image_id, box=box)


# The ../shared/data/faces5 layout: folder -> (CSV, labels in CelebA's published frame?, box?)
FACES5_SOURCES: dict[str, tuple[str, bool, bool]] = {
    "celeba": ("celeba_half/list_landmarks_align_celeba.csv", True, False),
    "mtfl": ("mtfl/landmarks.csv", False, True),
    "lfw": ("lfw/landmarks.csv", False, False),
    "helen_afw": ("helen_afw/landmarks.csv", False, False),
}


def load_faces5(
    root: Path, sources: list[str] | None = None, limit: int | None = None
) -> list[FaceSample]:
    """The named sources of a faces5 folder (default: every source present there)."""
    if sources is None:
        sources = [n for n, (rel, _, _) in FACES5_SOURCES.items() if (root / rel).is_file()]
    out: list[FaceSample] = []
    for name in sources:
        if name not in FACES5_SOURCES:
            raise ValueError(f"unknown source {name!r}; faces5 has {', '.join(FACES5_SOURCES)}")
        rel, celeba_frame, whole_box = FACES5_SOURCES[name]
        csv_path = root / rel
        if not csv_path.is_file():
            raise ValueError(f"source {name!r} has no labels at {csv_path}")
        image_dir = csv_path.parent / "img_align_celeba" if name == "celeba" else None
        samples, _ = read_five_point_csv(
            csv_path,
            name,
            image_dir=image_dir,
            label_frame=CELEBA_FRAME if celeba_frame else None,
            whole_image_box=whole_box,
            limit=limit,
        )
        out.extend(samples)
    return out


def split(
    samples: list[FaceSample], val_fraction: float
) -> tuple[list[FaceSample], list[FaceSample]]:
    """Per-image (hence per-source) train/validation split: a dataset's official partition where
    it has one (its "test" goes to validation too), else by hashed id."""
    train: list[FaceSample] = []
    val: list[FaceSample] = []
    for s in samples:
        if s.split is not None:
            held_out = s.split != "train"
        else:
            held_out = validation_fold(f"{s.source}/{s.image_id}", val_fraction)
        (val if held_out else train).append(s)
    return train, val
