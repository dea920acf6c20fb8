"""Drawing the overlay onto a frame with QPainter."""

from __future__ import annotations

import numpy as np
from PyQt6.QtCore import QPointF, QRectF, Qt
from PyQt6.QtGui import QColor, QFont, QPainter, QPen, QPolygonF, QTransform

from ..config import OverlayOptions
from ..core.faces import Face, FrameResult
from ..core.gaze import convex_hull, gaze_cone, view_wedges
from ..core.pose import project
from ..core.props import placement
from .props import LoadedProp

# The pose line runs from the nose tip this far forward (mm) along the face's direction.
POSE_LINE_MM = 90.0

# One colour per keypoint, in contract order.
KEYPOINT_COLOURS = ("#ff5050", "#50ff50", "#ffd040", "#40c0ff", "#ff60ff")


def draw_pose(painter: QPainter, face: Face, frame_size: tuple[int, int], scale: float) -> None:
    """A line from the nose tip along the direction the face points."""
    if face.pose is None:
        return
    ends = project(np.array([[0.0, 0.0, 0.0], [0.0, 0.0, -POSE_LINE_MM]]), face.pose, frame_size)
    (x0, y0), (x1, y1) = ends * scale
    painter.setPen(QPen(QColor(255, 220, 60), 2.5))
    painter.drawLine(QPointF(x0, y0), QPointF(x1, y1))


def draw_gaze(painter: QPainter, face: Face, frame_size: tuple[int, int], scale: float) -> None:
    """The field-of-view cone from between the eyes along the face's direction."""
    if face.pose is None:
        return
    cone = gaze_cone(face.pose, frame_size)
    if cone is None:
        return
    apex, rim = cone[0] * scale, cone[1] * scale
    hull = convex_hull(np.vstack([apex[None], rim]))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(80, 200, 255, 60))
    painter.drawPolygon(QPolygonF([QPointF(x, y) for x, y in hull]))
    painter.setPen(QPen(QColor(80, 200, 255, 200), 1.5))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawPolygon(QPolygonF([QPointF(x, y) for x, y in rim]))


GAZE_COLOUR = QColor(80, 200, 255)


def draw_view_inset(
    painter: QPainter, face: Face, frame_size: tuple[int, int], scale: float
) -> None:
    """Beside the face, the view cone from above (yaw) and from the side (pitch), with the
    camera marked, so the direction reads at every pose (`core.gaze.view_wedges`)."""
    if face.pose is None:
        return
    top, side = view_wedges(face.pose)
    x, y, w, _ = (float(v) * scale for v in face.box)
    size = min(max(0.45 * w, 48.0), 110.0)  # one panel; two stacked beside the face
    width, height = frame_size[0] * scale, frame_size[1] * scale
    # Right of the face, else left of it, and always inside the frame (over the face if the
    # face fills it).
    left = x + w + 6 if x + w + 6 + size <= width else x - 6 - size
    left = min(max(left, 0.0), max(width - size, 0.0))
    upper = min(max(y, 0.0), max(height - 2 * size - 4, 0.0))
    panels = (
        (top, (0.5, 0.3), (0.5, 0.92), f"yaw {face.pose.yaw:+.0f}°"),
        (side, (0.3, 0.5), (0.92, 0.5), f"pitch {face.pose.pitch:+.0f}°"),
    )
    font = QFont("DejaVu Sans", max(7, round(size / 9)))
    painter.setFont(font)
    for i, (wedge, apex, camera, label) in enumerate(panels):
        box = QRectF(left, upper + i * (size + 4), size, size)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(0, 0, 0, 140))
        painter.drawRoundedRect(box, 5, 5)
        painter.save()
        painter.setClipRect(box)  # a wedge turned away from the camera stays in its panel
        origin = QPointF(box.left() + apex[0] * size, box.top() + apex[1] * size)
        reach = 0.5 * size
        points = [origin + QPointF(dx * reach, dy * reach) for dx, dy in wedge]
        painter.setBrush(QColor(GAZE_COLOUR.red(), GAZE_COLOUR.green(), GAZE_COLOUR.blue(), 110))
        painter.setPen(QPen(GAZE_COLOUR, 1.5))
        painter.drawPolygon(QPolygonF(points))
        painter.setBrush(QColor(255, 220, 60))  # the head, and the camera it faces
        painter.setPen(Qt.PenStyle.NoPen)
        painter.drawEllipse(origin, 0.06 * size, 0.06 * size)
        cam = QPointF(box.left() + camera[0] * size, box.top() + camera[1] * size)
        painter.setBrush(QColor(235, 235, 235))
        painter.drawRect(QRectF(cam.x() - 0.05 * size, cam.y() - 0.035 * size,
                                0.1 * size, 0.07 * size))  # fmt: skip
        painter.setPen(QColor(235, 235, 235))
        painter.drawText(box.adjusted(4, 2, -2, -2), Qt.AlignmentFlag.AlignTop, label)
        painter.restore()


def draw_prop(painter: QPainter, face: Face, prop: LoadedProp, scale: float) -> None:
    """The prop image placed on the face (see core.props.placement)."""
    yaw = face.pose.yaw if face.pose is not None else None
    m = placement(prop.prop, face.keypoints, yaw)
    painter.save()
    painter.scale(scale, scale)
    # Qt's QTransform(m11, m12, m21, m22, dx, dy) maps x' = m11 x + m21 y + dx.
    t = QTransform(m[0, 0], m[1, 0], m[0, 1], m[1, 1], m[0, 2], m[1, 2])
    painter.setTransform(t, combine=True)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    painter.drawImage(QPointF(0.0, 0.0), prop.image)
    painter.restore()


def draw_faces(
    painter: QPainter,
    result: FrameResult,
    frame_size: tuple[int, int],
    scale: float,
    opts: OverlayOptions,
    prop: LoadedProp | None = None,
) -> None:
    """Faces of `result` (pixels of a `(w, h)` frame), drawn on a painter showing it `scale`x:
    gaze cone, prop, pose line, box, keypoints, back to front, each as `opts` says."""
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    for face in result.faces:
        if opts.gaze:
            draw_gaze(painter, face, frame_size, scale)
            draw_view_inset(painter, face, frame_size, scale)
        if prop is not None:
            draw_prop(painter, face, prop, scale)
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


def result_lines(result: FrameResult) -> list[str]:
    """HUD lines about one result: stage times, faces (detected or tracked), the first pose."""
    stages = "  ".join(f"{name} {ms:.1f}" for name, ms in result.stage_ms)
    how = "detected" if result.detected else "tracked"
    lines = [f"ms: {stages}", f"faces: {len(result.faces)} ({how})"]
    pose = result.faces[0].pose if result.faces else None
    if pose is not None:
        lines.append(f"yaw {pose.yaw:+5.1f}  pitch {pose.pitch:+5.1f}  roll {pose.roll:+5.1f}")
    return lines


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
