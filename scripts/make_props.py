"""Draw the AR props that ship in assets/ (PNG with transparency) and write their anchor JSON.

    QT_QPA_PLATFORM=offscreen python scripts/make_props.py [OUT_DIR]

Everything is vector-drawn here with QPainter, so the props are ours to ship. Anchor points are
chosen from CelebA's mean face proportions (contract template): the nose tip sits 0.62 eye
distances below the eye line, the mouth corners 1.07 below it and 0.90 apart.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

from PyQt6.QtCore import QPointF, QRectF, Qt
from PyQt6.QtGui import (
    QBrush,
    QColor,
    QGuiApplication,
    QImage,
    QLinearGradient,
    QPainter,
    QPainterPath,
    QPen,
    QRadialGradient,
)

Painter = Callable[[QPainter], None]


def glasses(p: QPainter) -> None:
    for cx in (146, 366):
        lens = QRadialGradient(QPointF(cx - 25, 75), 110)
        lens.setColorAt(0.0, QColor(120, 170, 230, 70))
        lens.setColorAt(1.0, QColor(20, 40, 90, 150))
        p.setBrush(QBrush(lens))
        p.setPen(QPen(QColor(25, 25, 30), 13))
        p.drawEllipse(QPointF(cx, 100), 80, 74)
        p.setPen(QPen(QColor(255, 255, 255, 150), 6, cap=Qt.PenCapStyle.RoundCap))
        p.drawArc(QRectF(cx - 55, 50, 60, 60), 100 * 16, 60 * 16)
    p.setPen(QPen(QColor(25, 25, 30), 12, cap=Qt.PenCapStyle.RoundCap))
    p.setBrush(Qt.BrushStyle.NoBrush)
    bridge = QPainterPath(QPointF(226, 92))
    bridge.quadTo(QPointF(256, 62), QPointF(286, 92))
    p.drawPath(bridge)
    p.drawLine(QPointF(66, 88), QPointF(10, 70))
    p.drawLine(QPointF(446, 88), QPointF(502, 70))


def top_hat(p: QPainter) -> None:
    body = QLinearGradient(90, 0, 310, 0)
    body.setColorAt(0.0, QColor(20, 20, 24))
    body.setColorAt(0.45, QColor(70, 70, 80))
    body.setColorAt(1.0, QColor(12, 12, 14))
    p.setPen(QPen(QColor(0, 0, 0), 4))
    p.setBrush(QBrush(body))
    p.drawRoundedRect(QRectF(90, 20, 220, 270), 18, 18)
    p.setBrush(QColor(170, 20, 40))
    p.drawRect(QRectF(92, 225, 216, 45))
    brim = QLinearGradient(0, 268, 0, 320)
    brim.setColorAt(0.0, QColor(60, 60, 70))
    brim.setColorAt(1.0, QColor(8, 8, 10))
    p.setBrush(QBrush(brim))
    p.drawEllipse(QRectF(15, 266, 370, 56))


def moustache(p: QPainter) -> None:
    path = QPainterPath(QPointF(180, 42))
    # Right half (image right), then mirrored: a handlebar curling up at the tips.
    path.cubicTo(QPointF(215, 20), QPointF(270, 40), QPointF(300, 70))
    path.cubicTo(QPointF(325, 92), QPointF(350, 70), QPointF(338, 38))
    path.cubicTo(QPointF(362, 70), QPointF(345, 122), QPointF(290, 108))
    path.cubicTo(QPointF(245, 98), QPointF(210, 80), QPointF(180, 84))
    path.cubicTo(QPointF(150, 80), QPointF(115, 98), QPointF(70, 108))
    path.cubicTo(QPointF(15, 122), QPointF(-2, 70), QPointF(22, 38))
    path.cubicTo(QPointF(10, 70), QPointF(35, 92), QPointF(60, 70))
    path.cubicTo(QPointF(90, 40), QPointF(145, 20), QPointF(180, 42))
    fill = QLinearGradient(0, 20, 0, 115)
    fill.setColorAt(0.0, QColor(95, 60, 35))
    fill.setColorAt(1.0, QColor(40, 22, 12))
    p.setPen(QPen(QColor(25, 14, 8), 3))
    p.setBrush(QBrush(fill))
    p.drawPath(path)


def crown(p: QPainter) -> None:
    path = QPainterPath(QPointF(30, 240))
    for x, y in ((30, 90), (90, 160), (130, 40), (180, 140), (230, 40), (270, 160), (330, 90)):
        path.lineTo(QPointF(x, y))
    path.lineTo(QPointF(330, 240))
    path.closeSubpath()
    gold = QLinearGradient(0, 40, 0, 240)
    gold.setColorAt(0.0, QColor(255, 235, 120))
    gold.setColorAt(1.0, QColor(200, 140, 20))
    p.setPen(QPen(QColor(120, 80, 10), 5, join=Qt.PenJoinStyle.RoundJoin))
    p.setBrush(QBrush(gold))
    p.drawPath(path)
    p.drawRect(QRectF(24, 200, 312, 46))
    for x, colour in ((90, "#d0203a"), (180, "#2060e0"), (270, "#20a050")):
        p.setBrush(QColor(colour))
        p.setPen(QPen(QColor(255, 255, 255, 160), 3))
        p.drawEllipse(QPointF(x, 223), 14, 14)
    for x, y in ((30, 90), (130, 40), (230, 40), (330, 90)):
        p.setBrush(QColor(250, 250, 255))
        p.drawEllipse(QPointF(x, y), 10, 10)


def clown_nose(p: QPainter) -> None:
    ball = QRadialGradient(QPointF(45, 42), 70)
    ball.setColorAt(0.0, QColor(255, 150, 150))
    ball.setColorAt(0.35, QColor(235, 30, 40))
    ball.setColorAt(1.0, QColor(120, 0, 10))
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QBrush(ball))
    p.drawEllipse(QPointF(60, 60), 56, 56)


# name, file stem, image size, painter, anchors (keypoint name -> prop pixel)
PROPS: list[tuple[str, str, tuple[int, int], Painter, dict[str, list[float]]]] = [
    ("Round glasses", "glasses", (512, 200), glasses,
     {"lefteye": [146, 100], "righteye": [366, 100]}),
    ("Top hat", "top_hat", (400, 330), top_hat,
     {"lefteye": [125, 457], "righteye": [275, 457]}),
    ("Moustache", "moustache", (360, 130), moustache,
     {"nose": [180, 2], "leftmouth": [95, 100], "rightmouth": [265, 100]}),
    ("Crown", "crown", (360, 260), crown,
     {"lefteye": [105, 425], "righteye": [255, 425]}),
    ("Clown nose", "clown_nose", (120, 120), clown_nose,
     {"lefteye": [-20, -40], "righteye": [140, -40], "nose": [60, 60]}),
]  # fmt: skip


def main(out: Path) -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    out.mkdir(parents=True, exist_ok=True)
    for name, stem, (w, h), paint, anchors in PROPS:
        image = QImage(w, h, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        paint(painter)
        painter.end()
        if not image.save(str(out / f"{stem}.png"), "PNG"):
            print(f"cannot write {out / stem}.png", file=sys.stderr)
            return 1
        spec = {"name": name, "image": f"{stem}.png", "anchors": anchors}
        (out / f"{stem}.json").write_text(json.dumps(spec, indent=2) + "\n", encoding="utf-8")
        print(f"{stem}: {w}x{h}, anchors {', '.join(anchors)}")
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("assets")))
