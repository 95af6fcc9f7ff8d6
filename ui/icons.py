"""The tray icon for each state, drawn at run time: no image files to install or theme.

A shield (what ndrguard does) whose colour and mark say the state at a glance, even at 16
pixels: green with a tick while watching, grey with two bars when paused, amber with "!" when
something needs the user, and a hollow grey shield with a slash when the service is not there.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap

from ndrguard.ui.state import TrayState

SIZES = (16, 22, 24, 32, 48, 64)

_FILL = {
    TrayState.WATCHING: QColor("#2e8b57"),
    TrayState.PAUSED: QColor("#7a7f87"),
    TrayState.ATTENTION: QColor("#e0a100"),
    TrayState.DISCONNECTED: QColor("#9aa0a6"),
}


def icon_for(state: TrayState) -> QIcon:
    icon = QIcon()
    for size in SIZES:
        icon.addPixmap(pixmap_for(state, size))
    return icon


def pixmap_for(state: TrayState, size: int) -> QPixmap:
    pm = QPixmap(size, size)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    s = float(size)
    shield = _shield(QRectF(s * 0.1, s * 0.05, s * 0.8, s * 0.9))
    colour = _FILL[state]
    if state is TrayState.DISCONNECTED:
        p.setPen(QPen(colour, max(1.5, s / 12)))
        p.setBrush(Qt.BrushStyle.NoBrush)
    else:
        p.setPen(QPen(colour.darker(140), max(1.0, s / 24)))
        p.setBrush(colour)
    p.drawPath(shield)
    mark = QPen(QColor("white") if state is not TrayState.DISCONNECTED else colour)
    mark.setWidthF(max(1.5, s / 9))
    mark.setCapStyle(Qt.PenCapStyle.RoundCap)
    mark.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    p.setPen(mark)
    if state is TrayState.WATCHING:
        p.drawPolyline(
            [QPointF(s * 0.32, s * 0.5), QPointF(s * 0.45, s * 0.64), QPointF(s * 0.68, s * 0.36)]
        )
    elif state is TrayState.PAUSED:
        p.drawLine(QPointF(s * 0.4, s * 0.32), QPointF(s * 0.4, s * 0.66))
        p.drawLine(QPointF(s * 0.6, s * 0.32), QPointF(s * 0.6, s * 0.66))
    elif state is TrayState.ATTENTION:
        p.drawLine(QPointF(s * 0.5, s * 0.27), QPointF(s * 0.5, s * 0.56))
        p.drawPoint(QPointF(s * 0.5, s * 0.7))
    else:
        p.drawLine(QPointF(s * 0.2, s * 0.85), QPointF(s * 0.8, s * 0.15))
    p.end()
    return pm


def _shield(r: QRectF) -> QPainterPath:
    path = QPainterPath()
    top, left, right, bottom = r.top(), r.left(), r.right(), r.bottom()
    mid = r.center().x()
    path.moveTo(mid, top)
    path.cubicTo(
        mid + r.width() * 0.25,
        top + r.height() * 0.08,
        right,
        top + r.height() * 0.1,
        right,
        top + r.height() * 0.14,
    )
    path.lineTo(right, top + r.height() * 0.45)
    path.cubicTo(
        right,
        top + r.height() * 0.75,
        mid + r.width() * 0.2,
        bottom - r.height() * 0.08,
        mid,
        bottom,
    )
    path.cubicTo(
        mid - r.width() * 0.2,
        bottom - r.height() * 0.08,
        left,
        top + r.height() * 0.75,
        left,
        top + r.height() * 0.45,
    )
    path.lineTo(left, top + r.height() * 0.14)
    path.cubicTo(
        left, top + r.height() * 0.1, mid - r.width() * 0.25, top + r.height() * 0.08, mid, top
    )
    return path
