"""Label audit: how far a model's answers are from each image's labels, to find labels that
miss the face. Faces are framed by a box (not by the labelled eyes, which would hide eye errors)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from fkd_live.adapters.runtime import KeypointModel

from .data import load_faces5
from .evaluate import crops_for
from .metrics import nme


@dataclass(frozen=True)
class AuditRow:
    source: str
    image_id: str
    nme: float


def audit_labels(
    model_path: Path, data: Path, sources: list[str] | None = None, limit: int | None = None
) -> list[AuditRow]:
    """Every image's NME between the model's answer and its label, worst first."""
    model = KeypointModel(model_path, device="cpu")
    samples = load_faces5(data, sources, limit=limit)
    rows: list[AuditRow] = []
    for start in range(0, len(samples), 512):
        chunk = samples[start : start + 512]
        crops, truth = crops_for(chunk, model.spec, "box")
        errors = nme(model.predict(crops), truth)
        rows += [
            AuditRow(s.source, s.image_id, float(e)) for s, e in zip(chunk, errors, strict=True)
        ]
    return sorted(rows, key=lambda r: -r.nme)


def summary(rows: list[AuditRow], threshold: float) -> str:
    lines = []
    for source in sorted({r.source for r in rows}):
        errs = np.array([r.nme for r in rows if r.source == source])
        lines.append(
            f"{source}: {len(errs)} images, median NME {100 * np.median(errs):.1f}%, "
            f"{int((errs > threshold).sum())} above {100 * threshold:.0f}%"
        )
    return "\n".join(lines)
