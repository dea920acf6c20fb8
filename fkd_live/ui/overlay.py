"""Drawing the overlay onto a frame with QPainter."""

from __future__ import annotations

from dataclasses import dataclass

from PyQt6.QtCore import QPointF, QRectF, Qt
from PyQt6.QtGui import QColor, QFont, QPainter, QPen

from ..core.faces import FrameResult

# One colour per keypoint, in contract order.
KEYPOINT_COLOURS = ("#ff5050", "#50ff50", "#ffd040", "#40c0ff", "#ff60ff")


@dataclass(frozen=True)
class OverlayOptions:
    keypoints: bool = True
    boxes: bool = True
    hud: bool = True


def draw_faces(painter: QPainter, result: FrameResult, scale: float, opts: OverlayOptions) -> None:
    """Faces of `result` (frame pixels) drawn on a painter whose frame is shown `scale` times."""
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    for face in result.faces:
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
