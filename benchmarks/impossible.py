"""Count faces and impossible face shapes (core.plausibility's rule) in JSON lines.

Reads what `fkd-live --video V --keypoints-out K.jsonl` or `fkd-live image DIR --json` wrote:

    fkd-live --video ../shared/videos/d3.mp4 --keypoints-out /tmp/d3.jsonl
    fkd-live image ../shared/data/faces5/helen_afw/afw --json > /tmp/afw.jsonl
    python -m benchmarks.impossible /tmp/d3.jsonl /tmp/afw.jsonl

`--make-clip OUT.mp4 PICTURE...` first writes a hard clip: each picture (e.g. Helen/AFW photos
with turned heads) slides out of a 640x480 frame to the right until three quarters of it have
left, and back, over 48 frames, with fresh camera noise (std 4) on every frame.

`--mediapipe face_landmarker.task CLIP...` counts the same for MediaPipe Face Landmarker (VIDEO
mode, `--max-faces` faces, five points from its mesh) on each clip, side by side.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from fkd_live.core.plausibility import shape_problem

FRAME = (640, 480)
STEPS = 48


def count(path: Path) -> tuple[int, int, int]:
    """(lines, lines with a face, faces with an impossible shape) of one JSON lines file."""
    lines = with_face = impossible = 0
    for text in path.read_text().splitlines():
        record = json.loads(text)
        lines += 1
        with_face += bool(record["faces"])
        impossible += sum(shape_problem(f["keypoints"]) is not None for f in record["faces"])
    return lines, with_face, impossible


def placement(image_shape: tuple[int, ...], i: int) -> tuple[float, float, float]:
    """(scale, x, y) of a picture of `image_shape` in frame `i` of its slide: resized by
    `scale`, its top-left corner at (x, y) in the frame."""
    w, h = FRAME
    scale = 0.9 * h / image_shape[0]
    ph, pw = round(image_shape[0] * scale), round(image_shape[1] * scale)
    shift = (1 - abs(1 - 2 * i / (STEPS - 1))) * (w / 2 + 0.25 * pw)  # out and back
    return scale, w / 2 - pw / 2 + shift, (h - ph) / 2


def make_clip(out: Path, pictures: list[Path]) -> None:
    """The sliding clip of the module docstring (mp4v, 25 fps)."""
    import cv2

    writer = cv2.VideoWriter(str(out), cv2.VideoWriter.fourcc(*"mp4v"), 25.0, FRAME)
    rng = np.random.default_rng(0)
    for picture in pictures:
        read = cv2.imread(str(picture))
        if read is None:
            raise SystemExit(f"impossible: cannot read {picture}")
        original = np.asarray(read, np.uint8)
        scale = placement(original.shape, 0)[0]
        image = np.asarray(cv2.resize(original, None, fx=scale, fy=scale), np.uint8)
        for i in range(STEPS):
            _, x, y = placement(original.shape, i)
            m = np.array([[1, 0, x], [0, 1, y]], np.float32)
            frame = cv2.warpAffine(image, m, FRAME, borderValue=(40, 40, 48)).astype(np.float64)
            frame += rng.normal(0.0, 4.0, frame.shape)
            writer.write(np.clip(frame, 0, 255).astype(np.uint8))
    writer.release()


def count_mediapipe(task: str, clip: Path, max_faces: int) -> tuple[int, int, int]:
    """(frames, frames with a face, impossible faces) of Face Landmarker on one clip."""
    from fkd_live.adapters.landmarker import MediaPipeLandmarker
    from fkd_live.adapters.sources import VideoSource

    source, landmarker = VideoSource(str(clip)), MediaPipeLandmarker(task, max_faces)
    frames = with_face = impossible = 0
    try:
        while (item := source.read()) is not None:
            faces = landmarker.detect(*item)
            frames += 1
            with_face += bool(faces)
            impossible += sum(shape_problem(f) is not None for f in faces)
    finally:
        landmarker.close()
        source.close()
    return frames, with_face, impossible


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--make-clip", type=Path, metavar="OUT.mp4")
    parser.add_argument("--mediapipe", metavar="TASK")
    parser.add_argument("--max-faces", type=int, default=1)
    args = parser.parse_args()
    if args.make_clip:
        make_clip(args.make_clip, args.files)
        return 0
    print(f"{'file':<28}{'frames':>8}{'with a face':>13}{'impossible':>12}")
    for path in args.files:
        if args.mediapipe:
            row = count_mediapipe(args.mediapipe, path, args.max_faces)
        else:
            row = count(path)
        print(f"{path.name:<28}{row[0]:>8}{row[1]:>13}{row[2]:>12}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
