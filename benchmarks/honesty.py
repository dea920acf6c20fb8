"""How often a face is reported that cannot be read, on hard clips whose truth is known (issue 18).

    python -m benchmarks.impossible --make-clip /tmp/hard.mp4 PICTURES...
    fkd-live --video /tmp/hard.mp4 --keypoints-out /tmp/hard.jsonl
    python -m benchmarks.honesty ../shared/data/faces5/helen_afw/landmarks.csv /tmp/hard.mp4 \\
        --pictures PICTURES... --jsonl /tmp/hard.jsonl --mediapipe face_landmarker.task

The clip slides each labelled picture out of the frame and back (`benchmarks.impossible`), so each
frame's five true points are known. A frame is readable when all five lie inside the frame. Per
method (fkd-live from its JSON lines, MediaPipe Face Landmarker run here, one face each unless
`--mediapipe-faces`; the answer nearest the truth is scored): readable frames it reports a face
in, and of those how many are right (NME under 10% of the true eye distance); frames it reports
a face in although a true point has left the frame; wrong faces (NME over 25%, or any face in a
frame whose whole face has left); and faces elsewhere (more than 1.5 eye distances from the
labelled face: other people in the picture, not scored).
"""

from __future__ import annotations

import argparse
import csv
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import numpy.typing as npt

from benchmarks.impossible import FRAME, STEPS, placement
from train.metrics import face_nme

Points = npt.NDArray[np.float64]
RIGHT, WRONG, ELSEWHERE = 0.10, 0.25, 1.5


def truths(labels: Path, pictures: list[Path]) -> list[Points]:
    """The true `(5, 2)` points of every frame of the clip made from `pictures`."""
    import cv2

    rows = {}
    with labels.open(newline="") as f:
        for row in csv.DictReader(f):
            values = [float(row[k]) for k in list(row)[1:11]]
            rows[row["image_id"]] = np.array(values).reshape(5, 2)
    out = []
    for picture in pictures:
        key = picture.resolve().relative_to(labels.resolve().parent).as_posix()
        image = cv2.imread(str(picture))
        if key not in rows or image is None:
            raise SystemExit(f"honesty: no label or image for {picture}")
        for i in range(STEPS):
            scale, x, y = placement(image.shape, i)
            out.append((rows[key] + 0.5) * scale - 0.5 + (x, y))  # cv2.resize's pixel centres
    return out


def readable(truth: Points) -> bool:
    w, h = FRAME
    return bool(((truth >= 0) & (truth < (w, h))).all())


def score(answers: list[list[Points]], truth: list[Points]) -> list[int]:
    """[readable frames, reported there, right there, reported unreadable, wrong faces,
    elsewhere]. The answer nearest the labelled face is scored; one whose centre is more than
    `ELSEWHERE` true eye distances from the labelled face's is another face (the pictures hold
    other people), counted as "elsewhere" only."""
    out = [0, 0, 0, 0, 0, 0]
    w = FRAME[0]
    for faces, t in zip(answers, truth, strict=True):
        ok = readable(t)
        out[0] += ok
        if not faces:
            continue
        centre, iod = t.mean(axis=0), float(np.linalg.norm(t[1] - t[0]))
        gaps = [float(np.linalg.norm(f.mean(axis=0) - centre)) / iod for f in faces]
        if min(gaps) > ELSEWHERE:
            out[5] += 1
            continue
        best = face_nme(faces[int(np.argmin(gaps))], t)
        gone = bool((t[:, 0] >= w).all())  # the whole face has left the frame
        if ok:
            out[1] += 1
            out[2] += best < RIGHT
        else:
            out[3] += 1
        out[4] += best > WRONG or gone
    return out


def from_jsonl(path: Path) -> list[list[Points]]:
    return [[np.asarray(f["keypoints"], np.float64) for f in json.loads(line)["faces"]]
            for line in path.read_text().splitlines()]  # fmt: skip


def from_mediapipe(task: str, clip: Path, faces: int = 1) -> list[list[Points]]:
    from fkd_live.adapters.landmarker import MediaPipeLandmarker
    from fkd_live.adapters.sources import VideoSource

    source, landmarker = VideoSource(str(clip)), MediaPipeLandmarker(task, faces)
    try:
        return list(_frames(source, landmarker))
    finally:
        landmarker.close()
        source.close()


def _frames(source: object, landmarker: object) -> Iterator[list[Points]]:
    while (item := source.read()) is not None:  # type: ignore[attr-defined]
        yield landmarker.detect(*item)  # type: ignore[attr-defined]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("labels", type=Path, help="the pictures' faces5 landmarks.csv")
    p.add_argument("clip", type=Path)
    p.add_argument("--pictures", type=Path, nargs="+", required=True, help="as for --make-clip")
    p.add_argument("--jsonl", type=Path, nargs="*", default=[], help="fkd-live --keypoints-out")
    p.add_argument("--mediapipe", metavar="TASK")
    p.add_argument("--mediapipe-faces", type=int, default=1, metavar="N", help="faces it may find")
    args = p.parse_args()
    truth = truths(args.labels, args.pictures)
    methods = {path.name: from_jsonl(path) for path in args.jsonl}
    if args.mediapipe:
        name = "MediaPipe" + (
            f" ({args.mediapipe_faces} faces)" if args.mediapipe_faces > 1 else ""
        )
        methods[name] = from_mediapipe(args.mediapipe, args.clip, args.mediapipe_faces)
    heads = ("readable", "reported", "right", "reported unreadable", "wrong", "elsewhere")
    print(f"{args.clip.name}: {len(truth)} frames")
    print(f"{'':<24}" + "".join(f"{h:>{len(h) + 2}}" for h in heads))
    for name, answers in methods.items():
        if len(answers) != len(truth):
            raise SystemExit(f"honesty: {name} has {len(answers)} frames, the clip {len(truth)}")
        cells = score(answers, truth)
        print(
            f"{name:<24}" + "".join(f"{v:>{len(h) + 2}}" for v, h in zip(cells, heads, strict=True))
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
