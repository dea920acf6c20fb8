"""Drawing the overlay onto a frame with QPainter."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PyQt6.QtCore import QPointF, QRectF, Qt
from PyQt6.QtGui import QColor, QFont, QPainter, QPen

from ..core.faces import Face, FrameResult
from ..core.pose import project

# The pose line runs from the nose tip this far forward (mm) along the face's direction.
POSE_LINE_MM = 90.0

# One colour per keypoint, in contract order.
KEYPOINT_COLOURS = ("#ff5050", "#50ff50", "#ffd040", "#40c0ff", "#ff60ff")


@dataclass(frozen=True)
class OverlayOptions:
    keypoints: bool = True
    boxes: bool = True
    pose: bool = True
    hud: bool = True


def draw_pose(painter: QPainter, face: Face, frame_size: tuple[int, int], scale: float) -> None:
    """A line from the nose tip along the direction the face points."""
    if face.pose is None:
        return
    ends = project(np.array([[0.0, 0.0, 0.0], [0.0, 0.0, -POSE_LINE_MM]]), face.pose, frame_size)
    (x0, y0), (x1, y1) = ends * scale
    painter.setPen(QPen(QColor(255, 220, 60), 2.5))
    painter.drawLine(QPointF(x0, y0), QPointF(x1, y1))


def draw_faces(
    painter: QPainter,
    result: FrameResult,
    frame_size: tuple[int, int],
    scale: float,
    opts: OverlayOptions,
) -> None:
    """Faces of `result` (pixels of a `(w, h)` frame), drawn on a painter showing it `scale`x."""
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    for face in result.faces:
        if opts.pose:
            draw_pose(painter, face, frame_size, scale)
        if opts.boxes:
            x, y, w, h = (v * scale for v in face.box)
            painter.setPen(QPen(QColor(255, 255, 255, 140), 1.5))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(QRectF(x, y, w, h))
        if opts.keypoints:
            radius = max(2.5, 0.02 * scale * face.box[2])
            for (px, py), colour in zip(face.keypoints, KEYPOINT_COLOURS, strict=True):
                painter.setPen(QPen(QColor(0, 0, 0), 1.0))
                painter.setBrush(QColor(colour))
                painter.drawEllipse(QPointF(px * scale, py * scale), radius, radius)


def draw_hud(painter: QPainter, lines: list[str]) -> None:
    """Status text in a translucent box at the top left."""
    font = QFont("DejaVu Sans Mono", 10)
    painter.setFont(font)
    metrics = painter.fontMetrics()
    width = max((metrics.horizontalAdvance(s) for s in lines), default=0) + 16
    height = metrics.height() * len(lines) + 10
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(0, 0, 0, 150))
    painter.drawRoundedRect(QRectF(8, 8, width, height), 6, 6)
    painter.setPen(QColor(235, 235, 235))
    for i, line in enumerate(lines):
        painter.drawText(QPointF(16, 8 + metrics.ascent() + 5 + i * metrics.height()), line)
