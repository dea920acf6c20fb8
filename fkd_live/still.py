"""`fkd-live image`: keypoints on still pictures, as JSON lines and/or annotated copies.

Faces come from the detector (the live pipeline, fresh per picture, no smoothing), from a given
box (`--box x,y,w,h`), or the picture is taken as a CelebA-style aligned crop (`--aligned`) and
fed to the model directly. Coordinates in the output are pixels of the input picture.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from .adapters.imaging import read_image_rgb
from .adapters.sources import SourceError
from .api import Tracker
from .core.faces import FrameResult
from .core.files import OutputError, check_writable, make_folder, replacing
from .messages import print_error

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff", ".pgm", ".ppm")


@dataclass(frozen=True)
class StillConfig:
    inputs: tuple[str, ...]
    output: str | None = None  # a folder, or a file when there is one picture
    json: bool = False
    box: tuple[float, float, float, float] | None = None
    aligned: bool = False


def list_pictures(inputs: tuple[str, ...]) -> list[Path]:
    """Pictures named directly, and those (by suffix) directly inside named folders."""
    found: list[Path] = []
    for name in inputs:
        path = Path(name)
        if path.is_dir():
            found += sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        elif path.is_file():
            found.append(path)
        else:
            raise SourceError(f"no such picture or folder: {path}")
    if not found:
        raise SourceError(f"no pictures found in {', '.join(inputs)}")
    return found


def output_path(picture: Path, cfg: StillConfig, many: bool) -> Path | None:
    if cfg.output is None:
        return None
    out = Path(cfg.output)
    if many or out.is_dir() or out.suffix.lower() not in IMAGE_SUFFIXES:
        return out / picture.name
    return out


def write_picture(path: Path, rgb: npt.NDArray[np.uint8]) -> None:
    """Atomically (`core.files`; the temporary file keeps the suffix, which picks the format)."""
    with replacing(path) as tmp:
        if not cv2.imwrite(str(tmp), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)):
            raise OutputError(f"cannot write {path}: OpenCV could not encode {path.suffix}")


def check_output(cfg: StillConfig, pictures: list[Path]) -> None:
    """Make the output folder, and check a file can be written where the first copy goes,
    before any work (`OutputError` otherwise)."""
    if cfg.output is None:
        return
    many = len(pictures) > 1
    folder = Path(cfg.output)
    if many or folder.suffix.lower() not in IMAGE_SUFFIXES:
        make_folder(folder)
    target = output_path(pictures[0], cfg, many)
    if target is not None:
        check_writable(target)


def annotate_pictures(
    cfg: StillConfig, tracker: Tracker
) -> Iterator[tuple[Path, FrameResult | None, str | None]]:
    """(picture, result or None, error or None) for each picture, annotated copies written."""
    pictures = list_pictures(cfg.inputs)
    many = len(pictures) > 1
    check_output(cfg, pictures)
    draw = None
    if cfg.output is not None:
        from .ui.render import draw_still  # Qt only when drawing

        draw = draw_still
    for picture in pictures:
        image = read_image_rgb(str(picture))
        if image is None:
            yield picture, None, f"cannot read picture {picture}"
            continue
        faces = tracker.detect(image, box=cfg.box, aligned=cfg.aligned)
        result = FrameResult(t=0.0, faces=faces)
        target = output_path(picture, cfg, many)
        if target is not None and draw is not None:
            write_picture(target, draw(image, result))
        yield picture, result, None


def run_still(cfg: StillConfig, tracker: Tracker) -> int:
    """Print JSON lines (with --json, or when no -o is given); exit 2 if a picture failed."""
    failed = found = total = 0
    for picture, result, error in annotate_pictures(cfg, tracker):
        total += 1
        if error is not None or result is None:
            failed += 1
            print_error(error or f"no result for {picture}")
            continue
        found += bool(result.faces)
        if cfg.json or cfg.output is None:
            faces = [f.to_json() for f in result.faces]
            print(json.dumps({"image": str(picture), "faces": faces}), flush=True)
    print(f"{total} pictures, a face in {found}", file=sys.stderr)
    return 2 if failed else 0
