"""Published dataset layouts beyond the faces5 CSVs: CelebA (MMLAB .txt or Kaggle .csv) and
Kaggle's "Facial Keypoints Detection" training.csv. All convert to the project's convention."""

from __future__ import annotations

import csv
import logging
from pathlib import Path

import numpy as np

from fkd_live.core import CELEBA_FRAME, COORDINATE_NAMES

from .data import FaceSample, LoadReport, load_image, read_five_point_csv

log = logging.getLogger(__name__)

CELEBA_PARTITIONS = {0: "train", 1: "val", 2: "test"}


def _read_mmlab_landmarks(path: Path, out_csv: Path) -> None:
    """MMLAB's .txt (a count line, a header line, whitespace columns) rewritten as CelebA CSV."""
    lines = path.read_text().splitlines()
    if len(lines) < 2:
        raise ValueError(f"{path} is not a CelebA landmark file (no header)")
    header = lines[1].split()
    if header != list(COORDINATE_NAMES):
        raise ValueError(f"{path}: unexpected header {header[:3]}...")
    with out_csv.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["image_id", *COORDINATE_NAMES])
        for line in lines[2:]:
            if line.strip():
                writer.writerow(line.split())


def read_celeba_partition(root: Path) -> dict[str, str]:
    """image_id -> "train" | "val" | "test" from list_eval_partition.txt or .csv, if present."""
    out: dict[str, str] = {}
    txt, csv_path = root / "list_eval_partition.txt", root / "list_eval_partition.csv"
    if txt.is_file():
        rows = [line.split() for line in txt.read_text().splitlines() if line.strip()]
    elif csv_path.is_file():
        with csv_path.open(newline="") as fh:
            rows = [[r["image_id"], r["partition"]] for r in csv.DictReader(fh)]
    else:
        return out
    for row in rows:
        if len(row) == 2 and row[1].isdigit() and int(row[1]) in CELEBA_PARTITIONS:
            out[row[0]] = CELEBA_PARTITIONS[int(row[1])]
    return out


def load_celeba(root: Path, scratch: Path, limit: int | None = None) -> list[FaceSample]:
    """CelebA in its published layout under `root`: `img_align_celeba/` plus
    `list_landmarks_align_celeba.txt` (MMLAB) or `.csv` (Kaggle). Labels are in the published
    178x218 frame and are scaled to each image's actual size. The official partition, when its
    file is present, is recorded in each sample's `split`."""
    images = root / "img_align_celeba"
    csv_path = root / "list_landmarks_align_celeba.csv"
    if not csv_path.is_file():
        txt = root / "list_landmarks_align_celeba.txt"
        if not txt.is_file():
            raise ValueError(f"no CelebA landmark file (.txt or .csv) in {root}")
        scratch.mkdir(parents=True, exist_ok=True)
        csv_path = scratch / "celeba_landmarks.csv"
        _read_mmlab_landmarks(txt, csv_path)
    samples, _ = read_five_point_csv(
        csv_path, "celeba", image_dir=images, label_frame=CELEBA_FRAME, limit=limit
    )
    partition = read_celeba_partition(root)
    return [
        FaceSample(s.image, s.points, s.source, s.image_id, s.box, partition.get(s.image_id))
        for s in samples
    ]


# Kaggle's names for our five points. Its "left" is the subject's left, i.e. image-right, so the
# contract's image-left eye is Kaggle's right eye, and so on.
KAGGLE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("right_eye_center_x", "right_eye_center_y"),  # contract left eye (image-left)
    ("left_eye_center_x", "left_eye_center_y"),  # contract right eye
    ("nose_tip_x", "nose_tip_y"),
    ("mouth_right_corner_x", "mouth_right_corner_y"),  # contract left mouth (image-left)
    ("mouth_left_corner_x", "mouth_left_corner_y"),  # contract right mouth
)
KAGGLE_SIDE = 96


def load_kaggle_facial_keypoints(
    csv_path: Path, limit: int | None = None
) -> tuple[list[FaceSample], LoadReport]:
    """Kaggle "Facial Keypoints Detection" training.csv: 96x96 grey faces in the `Image` column
    (9216 space-separated values). Rows missing any of the five points are skipped and counted."""
    report = LoadReport()
    samples: list[FaceSample] = []
    with csv_path.open(newline="") as fh:
        for i, row in enumerate(csv.DictReader(fh)):
            if limit is not None and len(samples) >= limit:
                break
            try:
                pts = np.array(
                    [[float(row[x]), float(row[y])] for x, y in KAGGLE_COLUMNS], dtype=np.float64
                )
            except (KeyError, TypeError, ValueError):
                report.skip("missing one of the five points")
                continue
            if not np.all(np.isfinite(pts)):
                report.skip("missing one of the five points")
                continue
            try:
                pixels = np.array(row["Image"].split(), dtype=np.float64)
            except (KeyError, AttributeError, ValueError):
                report.skip("bad image data")
                continue
            if pixels.size != KAGGLE_SIDE * KAGGLE_SIDE:
                report.skip("bad image data")
                continue
            if np.any(pts < 0) or np.any(pts > KAGGLE_SIDE - 1):
                report.skip("point outside the image")
                continue
            image = np.clip(pixels, 0, 255).astype(np.uint8).reshape(KAGGLE_SIDE, KAGGLE_SIDE)
            samples.append(FaceSample(image, pts, "kaggle", f"row{i}"))
    report.kept = len(samples)
    log.info("kaggle: %s", report.summary())
    return samples, report


__all__ = ["load_celeba", "load_image", "load_kaggle_facial_keypoints", "read_celeba_partition"]
